import { Anchor, Button, Card, Group, SimpleGrid, Stack, Switch, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Assessment } from '../../api/assessments';
import { type AssessmentItemStats, useAssessmentItemStats } from '../../api/results';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDateTime } from '../../lib/format';
import { ItemStatsLegend, ItemStatsTable } from './item-stats-table';
import { percent } from './result-labels';

/** Reliability in words: the usual rule of thumb for a hiring screen. */
function alphaWords(alpha: number | null): string {
  if (alpha === null) return 'Not enough data yet';
  if (alpha >= 0.8) return 'Good: scores are consistent';
  if (alpha >= 0.6) return 'Acceptable for a short screen';
  return 'Low: scores are noisy; look at flagged questions';
}

function Summary({ summary }: { summary: NonNullable<AssessmentItemStats['summary']> }) {
  const figure = (label: string, value: string, hint?: string) => (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz="lg" fw={700}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </div>
  );
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="quiz-stats-heading">
      <Title order={2} size="h4" id="quiz-stats-heading" mb="sm">
        The quiz as a whole
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="md">
        {figure('Graded attempts', summary.attempts.toLocaleString())}
        {figure('Questions', summary.items.toLocaleString())}
        {figure(
          'Mean mark',
          percent(summary.mean),
          summary.sd !== null ? `SD ${percent(summary.sd)}` : undefined,
        )}
        {figure(
          'Reliability (alpha / KR-20)',
          summary.alpha === null ? '—' : summary.alpha.toFixed(2),
          alphaWords(summary.alpha),
        )}
        {figure('Standard error', summary.sem === null ? '—' : percent(summary.sem))}
      </SimpleGrid>
      <Text size="xs" c="dimmed" mt="sm">
        Computed {formatDateTime(summary.computedAt)}.
      </Text>
    </Card>
  );
}

export function ItemStatsTab({ assessment }: { assessment: Assessment }) {
  const [flagged, setFlagged] = useState(false);
  const stats = useAssessmentItemStats(assessment.id, flagged);
  const first = stats.data?.pages[0];
  const items = stats.data?.pages.flatMap((p) => p.items) ?? [];

  if (!stats.data) {
    return stats.isError ? (
      <LoadError error={stats.error} what="item statistics" onRetry={() => void stats.refetch()} />
    ) : (
      <LoadingState label="Loading item statistics" />
    );
  }
  return (
    <Stack gap="md">
      {first?.summary ? (
        <Summary summary={first.summary} />
      ) : (
        <Card withBorder padding="lg">
          <Text size="sm">
            Statistics appear a few minutes after the first candidates are graded. They need a handful of
            attempts to mean much: read them with care below about 30.
          </Text>
        </Card>
      )}
      <Card withBorder padding="lg" component="section" aria-labelledby="items-heading">
        <Stack gap="md">
          <Group justify="space-between" align="center">
            <Title order={2} size="h4" id="items-heading">
              Questions
            </Title>
            <Group gap="md">
              <Switch
                label="Only flagged questions"
                checked={flagged}
                onChange={(e) => setFlagged(e.currentTarget.checked)}
              />
              <Anchor component={Link} to="/bank/flagged" size="sm">
                Flagged across all assessments
              </Anchor>
            </Group>
          </Group>
          {items.length === 0 ? (
            <Text size="sm" c="dimmed">
              {flagged ? 'No flagged questions. Nothing needs a look.' : 'No question statistics yet.'}
            </Text>
          ) : (
            <ItemStatsTable items={items} label="Question statistics" />
          )}
          {stats.hasNextPage && (
            <Group justify="center">
              <Button
                variant="default"
                onClick={() => void stats.fetchNextPage()}
                loading={stats.isFetchingNextPage}
              >
                Load more
              </Button>
            </Group>
          )}
          {stats.isFetchNextPageError && (
            <Text size="sm" c="red.8" role="alert" ta="center">
              {errorMessage(stats.error)}
            </Text>
          )}
          <ItemStatsLegend />
        </Stack>
      </Card>
    </Stack>
  );
}
