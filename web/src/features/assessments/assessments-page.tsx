import {
  Anchor,
  Badge,
  Button,
  Card,
  EmptyState,
  Group,
  Loader,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { type AssessmentStateFilter, type AssessmentSummary, useAssessments } from '../../api/assessments';
import { useDemoState } from '../../api/results';
import { useCurrentSession } from '../../app/session-context';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDate } from '../../lib/format';
import { can } from '../../lib/permissions';
import { DemoBadge, LoadDemoButton } from '../results/demo-data';
import { stateColors, stateLabels } from './assessment-labels';
import { NewAssessmentModal } from './new-assessment-modal';

const stateOptions: Array<{ value: '' | AssessmentStateFilter; label: string }> = [
  { value: '', label: 'All but archived' },
  { value: 'draft', label: 'Draft' },
  { value: 'open', label: 'Open' },
  { value: 'closed', label: 'Closed' },
  { value: 'archived', label: 'Archived' },
  { value: 'all', label: 'All, including archived' },
];

function AssessmentRow({ assessment, demo }: { assessment: AssessmentSummary; demo: boolean }) {
  const { counts } = assessment;
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component={Link} to={`/assessments/${assessment.id}`} fw={500} size="sm">
          {assessment.name}
        </Anchor>
        {demo && (
          <>
            {' '}
            <DemoBadge />
          </>
        )}
        <Text size="xs" c="dimmed" mt={2}>
          {assessment.sectionCount} {assessment.sectionCount === 1 ? 'section' : 'sections'} ·{' '}
          {assessment.totalMinutes} min
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={stateColors[assessment.state]}>
          {stateLabels[assessment.state]}
        </Badge>
      </Table.Td>
      <Table.Td ta="right">{counts.invited.toLocaleString()}</Table.Td>
      <Table.Td ta="right">{counts.started.toLocaleString()}</Table.Td>
      <Table.Td ta="right">{counts.completed.toLocaleString()}</Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(assessment.createdAt)}</Table.Td>
    </Table.Tr>
  );
}

export function AssessmentsPage() {
  const [newOpened, newDialog] = useDisclosure(false);
  const session = useCurrentSession();
  const canLoadDemo = can(session.organization?.role, 'organization.update');
  const demo = useDemoState();
  const demoAssessmentId = demo.data?.present ? demo.data.assessmentId : null;
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [state, setState] = useState<'' | AssessmentStateFilter>('');
  const filtered = q !== '' || state !== '';
  const assessments = useAssessments({ q: q || undefined, state: state || undefined });
  const rows = assessments.data?.pages.flatMap((p) => p.items) ?? [];
  const refreshing =
    assessments.isFetching && !assessments.isFetchingNextPage && assessments.data !== undefined;

  return (
    <Page
      title="Assessments"
      description="Timed skills tests that candidates take in the browser."
      actions={<Button onClick={newDialog.open}>New assessment</Button>}
    >
      <Card withBorder padding="lg">
        <Stack gap="md">
          <form aria-label="Filter assessments" onSubmit={(e) => e.preventDefault()}>
            <Group align="flex-end" gap="sm">
              <TextInput
                label="Search"
                description="Part of the name"
                type="search"
                value={search}
                onChange={(e) => setSearch(e.currentTarget.value)}
                maxLength={200}
                w={280}
              />
              <NativeSelect
                label="State"
                value={state}
                onChange={(e) => setState(e.currentTarget.value as '' | AssessmentStateFilter)}
                data={stateOptions}
                w={220}
              />
              {refreshing && <Loader size="sm" aria-label="Updating the list" mb={8} />}
            </Group>
          </form>
          {!assessments.data ? (
            assessments.isError ? (
              <LoadError
                error={assessments.error}
                what="assessments"
                onRetry={() => void assessments.refetch()}
              />
            ) : (
              <LoadingState label="Loading assessments" />
            )
          ) : rows.length === 0 ? (
            filtered ? (
              <Text size="sm" c="dimmed">
                No assessments match these filters.
              </Text>
            ) : (
              <EmptyState
                title="No assessments yet"
                description="An assessment is built from a role template, such as Back-End Engineer or SQL Developer: knowledge questions drawn from the question bank, plus file-upload tasks that reviewers grade against a rubric. Create one, open it, and invite candidates one by one, from a CSV file or with a public link."
              >
                <EmptyState.Actions>
                  <Button onClick={newDialog.open}>New assessment</Button>
                  {canLoadDemo && <LoadDemoButton />}
                </EmptyState.Actions>
              </EmptyState>
            )
          ) : (
            <Stack gap="md">
              <Table.ScrollContainer minWidth={720}>
                <Table verticalSpacing="sm" highlightOnHover aria-label="Assessments, newest first">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Name</Table.Th>
                      <Table.Th scope="col">State</Table.Th>
                      <Table.Th scope="col" ta="right">
                        Invited
                      </Table.Th>
                      <Table.Th scope="col" ta="right">
                        Started
                      </Table.Th>
                      <Table.Th scope="col" ta="right">
                        Completed
                      </Table.Th>
                      <Table.Th scope="col">Created</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((a) => (
                      <AssessmentRow key={a.id} assessment={a} demo={a.id === demoAssessmentId} />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {assessments.hasNextPage && (
                <Group justify="center">
                  <Button
                    variant="default"
                    onClick={() => void assessments.fetchNextPage()}
                    loading={assessments.isFetchingNextPage}
                  >
                    Load more
                  </Button>
                </Group>
              )}
              {assessments.isFetchNextPageError && (
                <Text size="sm" c="red.8" role="alert" ta="center">
                  {errorMessage(assessments.error)}
                </Text>
              )}
            </Stack>
          )}
        </Stack>
      </Card>
      <NewAssessmentModal opened={newOpened} onClose={newDialog.close} />
    </Page>
  );
}
