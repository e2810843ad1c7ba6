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
import {
  type Difficulty,
  type Question,
  type QuestionFilters,
  type QuestionKind,
  useQuestions,
} from '../../api/bank';
import { useCurrentSession } from '../../app/session-context';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { can } from '../../lib/permissions';
import { oneOf, SearchInput, useUrlFilters } from './bank-filters';
import {
  difficultyColors,
  difficultyLabels,
  kindLabels,
  sourceLabels,
  stemPreview,
  useSubtopics,
} from './bank-labels';
import { BankTabs } from './bank-tabs';

const difficulties = ['easy', 'medium', 'hard'] as const;
const kinds = ['single', 'multiple'] as const;
const sources = ['all', 'builtin', 'organization'] as const;

function QuestionRow({ question, subtopicName }: { question: Question; subtopicName: string }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component={Link} to={`/bank/questions/${question.id}`} size="sm" fw={500}>
          {stemPreview(question.stem)}
        </Anchor>
        <Group gap={6} mt={4}>
          <Text size="xs" c="dimmed" ff="monospace">
            {question.slug}
          </Text>
          {question.retired && (
            <Badge size="xs" variant="outline" color="gray">
              Retired
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>{subtopicName}</Table.Td>
      <Table.Td>
        <Badge variant="light" color={difficultyColors[question.difficulty]} miw="max-content">
          {difficultyLabels[question.difficulty]}
        </Badge>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{kindLabels[question.kind]}</Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{sourceLabels[question.source]}</Table.Td>
      <Table.Td>{question.version}</Table.Td>
    </Table.Tr>
  );
}

export function QuestionsPage() {
  const session = useCurrentSession();
  const { params, set, clear, active } = useUrlFilters();
  const filters: QuestionFilters = {
    q: params.get('q')?.trim() || undefined,
    subtopic: params.get('subtopic') || undefined,
    difficulty: oneOf(difficulties, params.get('difficulty')),
    kind: oneOf(kinds, params.get('kind')),
    source: oneOf(sources, params.get('source')),
    includeRetired: params.get('retired') === '1' || undefined,
  };
  const subtopics = useSubtopics();
  const questions = useQuestions(filters);
  const rows = questions.data?.pages.flatMap((p) => p.items) ?? [];
  const refreshing = questions.isFetching && !questions.isFetchingNextPage && questions.data !== undefined;

  return (
    <Page
      title="Question bank"
      description="The built-in library and your organization’s own questions. Assessments draw from these by subtopic and difficulty."
      actions={
        can(session.organization?.role, 'bank.write') && (
          <Button component={Link} to="/bank/questions/new">
            New question
          </Button>
        )
      }
    >
      <BankTabs />
      <Card withBorder padding="lg">
        <Stack gap="md">
          <form aria-label="Filter questions" onSubmit={(e) => e.preventDefault()}>
            <Group align="flex-end" gap="sm">
              <SearchInput
                initial={filters.q ?? ''}
                description="Words in the question, or its id"
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
                label="Difficulty"
                value={filters.difficulty ?? ''}
                onChange={(e) => set('difficulty', e.currentTarget.value)}
                data={[
                  { value: '', label: 'Any difficulty' },
                  ...difficulties.map((d) => ({ value: d, label: difficultyLabels[d as Difficulty] })),
                ]}
                w={150}
              />
              <NativeSelect
                label="Kind"
                value={filters.kind ?? ''}
                onChange={(e) => set('kind', e.currentTarget.value)}
                data={[
                  { value: '', label: 'Any kind' },
                  ...kinds.map((k) => ({ value: k, label: kindLabels[k as QuestionKind] })),
                ]}
                w={170}
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
          {!questions.data ? (
            questions.isError ? (
              <LoadError error={questions.error} what="questions" onRetry={() => void questions.refetch()} />
            ) : (
              <LoadingState label="Loading questions" />
            )
          ) : rows.length === 0 ? (
            <Group gap="sm" role="status">
              <Text c="dimmed" size="sm">
                {active ? 'No questions match these filters.' : 'The bank has no questions yet.'}
              </Text>
              {active && (
                <Button variant="subtle" size="xs" onClick={clear}>
                  Clear filters
                </Button>
              )}
            </Group>
          ) : (
            <>
              <Table.ScrollContainer minWidth={820}>
                <Table verticalSpacing="sm" highlightOnHover aria-label="Questions" aria-busy={refreshing}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Question</Table.Th>
                      <Table.Th scope="col">Subtopic</Table.Th>
                      <Table.Th scope="col">Difficulty</Table.Th>
                      <Table.Th scope="col">Kind</Table.Th>
                      <Table.Th scope="col">Source</Table.Th>
                      <Table.Th scope="col">Version</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((q) => (
                      <QuestionRow key={q.id} question={q} subtopicName={subtopics.nameOf(q.subtopic)} />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Group justify="center" gap="sm">
                <Text size="sm" c="dimmed" role="status">
                  {rows.length === 1 ? '1 question' : `${rows.length} questions`}
                  {questions.hasNextPage ? ' shown' : ''}
                </Text>
                {questions.hasNextPage && (
                  <Button
                    variant="default"
                    onClick={() => void questions.fetchNextPage()}
                    loading={questions.isFetchingNextPage}
                  >
                    Load more
                  </Button>
                )}
              </Group>
              {questions.isFetchNextPageError && (
                <Text size="sm" c="red.8" role="alert" ta="center">
                  {errorMessage(questions.error)}
                </Text>
              )}
            </>
          )}
        </Stack>
      </Card>
    </Page>
  );
}
