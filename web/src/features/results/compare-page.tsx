import { Alert, Anchor, Card, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { type ComparedAttempt, useComparison } from '../../api/results';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { IntegrityBadge, StageBadge, StatusBadge } from './badges';
import { formatDuration, ordinal } from './result-labels';
import { MiniScore } from './score-bars';

const attemptStatus = (s: ComparedAttempt['status']) => (s === 'submitted' ? 'completed' : s);

const nameOf = (a: ComparedAttempt) => a.candidate?.name ?? 'Staff preview';

/** One row of the comparison; the best value (when `best` says which) is marked in words too. */
function Row({
  label,
  attempts,
  cell,
  value,
  higherIsBetter = true,
}: {
  label: string;
  attempts: ComparedAttempt[];
  cell: (a: ComparedAttempt) => ReactNode;
  value?: (a: ComparedAttempt) => number | null | undefined;
  higherIsBetter?: boolean;
}) {
  const values = value ? attempts.map((a) => value(a) ?? null) : [];
  const present = values.filter((v): v is number => v !== null);
  const best =
    value && present.length > 1 && new Set(present).size > 1
      ? higherIsBetter
        ? Math.max(...present)
        : Math.min(...present)
      : null;
  return (
    <Table.Tr>
      <Table.Th scope="row" fw={500} style={{ whiteSpace: 'nowrap' }}>
        {label}
      </Table.Th>
      {attempts.map((a, i) => {
        const isBest = best !== null && values[i] === best;
        return (
          <Table.Td key={a.attemptId} bg={isBest ? 'var(--mantine-color-assay-light)' : undefined}>
            <Group gap={6} wrap="nowrap">
              {cell(a)}
              {isBest && (
                <>
                  <Text span size="xs" c="assay.9" fw={700} aria-hidden>
                    ★
                  </Text>
                  <VisuallyHidden>(best)</VisuallyHidden>
                </>
              )}
            </Group>
          </Table.Td>
        );
      })}
    </Table.Tr>
  );
}

export function ComparePage() {
  const [params] = useSearchParams();
  const ids = [
    ...new Set(
      (params.get('ids') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const valid = ids.length >= 2 && ids.length <= 4;
  const comparison = useComparison(valid ? ids : []);

  const body = !valid ? (
    <Alert color="gray" title="Choose 2 to 4 candidates">
      Select candidates in a pipeline with the checkboxes, then choose Compare.{' '}
      <Anchor component={Link} to="/candidates">
        Go to candidates
      </Anchor>
    </Alert>
  ) : !comparison.data ? (
    comparison.isError ? (
      <LoadError error={comparison.error} what="the comparison" onRetry={() => void comparison.refetch()} />
    ) : (
      <LoadingState label="Loading the comparison" />
    )
  ) : (
    (() => {
      const { attempts, subtopics } = comparison.data;
      const assessments = new Set(attempts.map((a) => a.assessment.id));
      return (
        <Stack gap="md">
          {assessments.size > 1 && (
            <Alert color="gray" title="Different assessments">
              These candidates took different assessments, so their questions differ. Compare subtopic scores
              with care.
            </Alert>
          )}
          <Card withBorder padding="lg">
            <Table.ScrollContainer minWidth={200 + attempts.length * 190}>
              <Table verticalSpacing="sm" aria-label="Candidates side by side" layout="fixed">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col" w={190}>
                      <VisuallyHidden>Measure</VisuallyHidden>
                    </Table.Th>
                    {attempts.map((a) => (
                      <Table.Th key={a.attemptId} scope="col">
                        <Anchor component={Link} to={`/attempts/${a.attemptId}`} fw={600} size="sm">
                          {nameOf(a)}
                        </Anchor>
                        <Text size="xs" c="dimmed" fw={400} truncate>
                          {a.assessment.name}
                        </Text>
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  <Row
                    label="Overall score"
                    attempts={attempts}
                    value={(a) => a.score}
                    cell={(a) => <MiniScore score={a.score} size="sm" />}
                  />
                  <Row
                    label="Percentile"
                    attempts={attempts}
                    value={(a) => a.percentile}
                    cell={(a) => <Text size="sm">{ordinal(a.percentile)}</Text>}
                  />
                  {subtopics.map((s) => (
                    <Row
                      key={s.id}
                      label={s.label}
                      attempts={attempts}
                      value={(a) => a.bySubtopic[s.id]}
                      cell={(a) => <MiniScore score={a.bySubtopic[s.id]} />}
                    />
                  ))}
                  <Row
                    label="Time taken"
                    attempts={attempts}
                    cell={(a) => (
                      <Text size="sm">
                        {formatDuration(a.timeTakenMs === null ? null : a.timeTakenMs / 1000)}
                      </Text>
                    )}
                  />
                  <Row
                    label="Integrity"
                    attempts={attempts}
                    cell={(a) => <IntegrityBadge tier={a.integrityTier} />}
                  />
                  <Row
                    label="Stage"
                    attempts={attempts}
                    cell={(a) => (a.stage ? <StageBadge stage={a.stage} /> : <Text size="sm">—</Text>)}
                  />
                  <Row
                    label="Status"
                    attempts={attempts}
                    cell={(a) => <StatusBadge status={attemptStatus(a.status)} />}
                  />
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Card>
          <Text size="xs" c="dimmed">
            ★ marks the highest value in a row. Integrity signals show where to look, never a verdict.
          </Text>
        </Stack>
      );
    })()
  );

  return (
    <Page
      title="Compare candidates"
      description={
        <Anchor component={Link} to="/candidates" size="sm">
          All candidates
        </Anchor>
      }
    >
      {body}
    </Page>
  );
}
