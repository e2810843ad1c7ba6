import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  NativeSelect,
  Stack,
  Switch,
  Table,
  Text,
} from '@mantine/core';
import { Link } from 'react-router';
import { type UploadTaskFilters, type UploadTaskSummary, useUploadTasks } from '../../api/bank';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { oneOf, SearchInput, useUrlFilters } from './bank-filters';
import { sourceLabels, useSubtopics } from './bank-labels';
import { BankTabs } from './bank-tabs';

const sources = ['all', 'builtin', 'organization'] as const;

function TaskRow({ task, nameOf }: { task: UploadTaskSummary; nameOf: (id: string) => string }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component={Link} to={`/bank/upload-tasks/${task.id}`} size="sm" fw={500}>
          {task.title}
        </Anchor>
        <Group gap={6} mt={4}>
          <Text size="xs" c="dimmed" ff="monospace">
            {task.slug}
          </Text>
          {task.retired && (
            <Badge size="xs" variant="outline" color="gray">
              Retired
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>{task.subtopics.map(nameOf).join(', ')}</Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{task.minutes} min</Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {task.accept.join(' ')}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{sourceLabels[task.source]}</Table.Td>
    </Table.Tr>
  );
}

export function UploadTasksPage() {
  const { params, set, clear, active } = useUrlFilters();
  const filters: UploadTaskFilters = {
    q: params.get('q')?.trim() || undefined,
    subtopic: params.get('subtopic') || undefined,
    source: oneOf(sources, params.get('source')),
    includeRetired: params.get('retired') === '1' || undefined,
  };
  const subtopics = useSubtopics();
  const tasks = useUploadTasks(filters);
  const rows = tasks.data?.pages.flatMap((p) => p.items) ?? [];
  const refreshing = tasks.isFetching && !tasks.isFetchingNextPage && tasks.data !== undefined;

  return (
    <Page
      title="Upload tasks"
      description="File Upload prompts: the candidate hands in a piece of work, and reviewers grade it blind against the task’s rubric."
    >
      <BankTabs />
      <Card withBorder padding="lg">
        <Stack gap="md">
          <form aria-label="Filter upload tasks" onSubmit={(e) => e.preventDefault()}>
            <Group align="flex-end" gap="sm">
              <SearchInput
                initial={filters.q ?? ''}
                description="Words in the title or prompt"
                onSearch={(q) => set('q', q)}
              />
              <NativeSelect
                label="Subtopic"
                value={filters.subtopic ?? ''}
                onChange={(e) => set('subtopic', e.currentTarget.value)}
                data={[{ value: '', label: 'All subtopics' }, ...subtopics.options]}
                w={210}
              />
              <NativeSelect
                label="Source"
                value={filters.source ?? 'all'}
                onChange={(e) =>
                  set('source', e.currentTarget.value === 'all' ? null : e.currentTarget.value)
                }
                data={[
                  { value: 'all', label: 'All sources' },
                  { value: 'builtin', label: 'Built-in library' },
                  { value: 'organization', label: 'Your organization' },
                ]}
                w={180}
              />
              <Switch
                label="Show retired"
                checked={filters.includeRetired === true}
                onChange={(e) => set('retired', e.currentTarget.checked ? '1' : null)}
                mb={8}
              />
              {refreshing && <Loader size="sm" mb={8} aria-label="Updating the list" />}
            </Group>
          </form>
          {!tasks.data ? (
            tasks.isError ? (
              <LoadError error={tasks.error} what="upload tasks" onRetry={() => void tasks.refetch()} />
            ) : (
              <LoadingState label="Loading upload tasks" />
            )
          ) : rows.length === 0 ? (
            <Group gap="sm" role="status">
              <Text c="dimmed" size="sm">
                {active ? 'No upload tasks match these filters.' : 'The bank has no upload tasks yet.'}
              </Text>
              {active && (
                <Button variant="subtle" size="xs" onClick={clear}>
                  Clear filters
                </Button>
              )}
            </Group>
          ) : (
            <>
              <Table.ScrollContainer minWidth={760}>
                <Table verticalSpacing="sm" highlightOnHover aria-label="Upload tasks" aria-busy={refreshing}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Task</Table.Th>
                      <Table.Th scope="col">Subtopics</Table.Th>
                      <Table.Th scope="col">Time</Table.Th>
                      <Table.Th scope="col">Accepted files</Table.Th>
                      <Table.Th scope="col">Source</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((t) => (
                      <TaskRow key={t.id} task={t} nameOf={subtopics.nameOf} />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Group justify="center" gap="sm">
                <Text size="sm" c="dimmed" role="status">
                  {rows.length === 1 ? '1 upload task' : `${rows.length} upload tasks`}
                  {tasks.hasNextPage ? ' shown' : ''}
                </Text>
                {tasks.hasNextPage && (
                  <Button
                    variant="default"
                    onClick={() => void tasks.fetchNextPage()}
                    loading={tasks.isFetchingNextPage}
                  >
                    Load more
                  </Button>
                )}
              </Group>
              {tasks.isFetchNextPageError && (
                <Text size="sm" c="red.8" role="alert" ta="center">
                  {errorMessage(tasks.error)}
                </Text>
              )}
            </>
          )}
        </Stack>
      </Card>
    </Page>
  );
}
