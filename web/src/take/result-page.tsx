// /take/result — what the candidate sees once the test is in: per the assessment's feedback policy,
// nothing, an overall score, or a score per subtopic; a receipt while uploads wait for reviewers.
// Never keys or explanations: the candidate's result schema has no such fields.
import { Button, Card, Group, Loader, Progress, RingProgress, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ApiError } from '../api/client';
import { attemptKey, type TakeResult, take } from '../api/take';
import { LoadError } from '../components/query-state';
import { formatDateTime } from '../lib/format';
import { formatBytes } from './format-bytes';
import { TakeFrame } from './take-layout';

const POLL_MS = 1500;
const SLOW_POLL_MS = 10_000;

const percent = (score: number) => `${Math.round(score * 100)}%`;

function Receipt({ result, names }: { result: TakeResult; names: Names }) {
  const receipt = result.receipt;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="receipt-heading">
      <Stack gap="xs">
        <Title order={2} size="h5" id="receipt-heading">
          Receipt
        </Title>
        <Text size="sm">
          {names.assessment} for {names.organization}
          {receipt ? `, submitted ${formatDateTime(receipt.submittedAt)}` : ''}
        </Text>
        {receipt && receipt.files.length > 0 && (
          <Stack component="ul" gap={4} p={0} m={0} style={{ listStyle: 'none' }} aria-label="Files received">
            {receipt.files.map((f) => (
              <li key={f.sha256 + f.name}>
                <Text size="sm">
                  {f.name} ({formatBytes(f.size)})
                </Text>
                <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  SHA-256 {f.sha256}
                </Text>
              </li>
            ))}
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

function Scores({ result }: { result: TakeResult }) {
  const score = result.score;
  if (score === undefined) return null;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="score-heading">
      <Stack gap="md">
        <Title order={2} size="h4" id="score-heading">
          Your score
        </Title>
        <Group gap="lg" wrap="wrap">
          <RingProgress
            size={120}
            thickness={12}
            roundCaps
            sections={[{ value: score * 100, color: 'assay.7' }]}
            label={
              <Text ta="center" fw={700} fz="xl">
                {percent(score)}
              </Text>
            }
            aria-hidden
          />
          <Text data-testid="overall-score">
            You scored <strong>{percent(score)}</strong> overall.
          </Text>
        </Group>
        {result.bySubtopic && result.bySubtopic.length > 0 && (
          <Stack gap="sm">
            <Title order={3} size="h5" id="by-topic-heading">
              By topic
            </Title>
            <Stack
              component="ul"
              gap="sm"
              p={0}
              m={0}
              style={{ listStyle: 'none' }}
              aria-labelledby="by-topic-heading"
            >
              {result.bySubtopic.map((s) => (
                <li key={s.subtopic}>
                  <Group justify="space-between" gap="xs" mb={4} wrap="nowrap">
                    <Text size="sm">{s.label}</Text>
                    <Text size="sm" fw={600}>
                      {percent(s.score)}
                    </Text>
                  </Group>
                  <Progress value={s.score * 100} size="md" aria-hidden />
                </li>
              ))}
            </Stack>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

type Names = { organization: string; assessment: string };

export function ResultPage() {
  const result = useQuery({
    queryKey: ['take', 'result'],
    queryFn: take.result,
    // Grading takes a moment after submit: ask again until it's done.
    refetchInterval: (query) => {
      if (query.state.data?.status !== 'submitted') return false;
      return query.state.dataUpdateCount > 40 ? SLOW_POLL_MS : POLL_MS;
    },
  });
  // The names of the organization and the assessment, for the page's frame.
  const attempt = useQuery({ queryKey: attemptKey, queryFn: take.attempt, enabled: result.isSuccess });
  const names: Names | null = attempt.data
    ? { organization: attempt.data.organization.name, assessment: attempt.data.assessment.name }
    : null;

  if (result.isPending || (result.isSuccess && attempt.isPending)) {
    return (
      <TakeFrame title="Your result">
        <Group justify="center" py="xl" role="status">
          <Loader size="md" aria-hidden />
          <Text c="dimmed">Loading your result…</Text>
        </Group>
      </TakeFrame>
    );
  }
  if (result.isError) {
    const noSession =
      result.error instanceof ApiError && (result.error.status === 401 || result.error.status === 404);
    return (
      <TakeFrame title="Your result">
        {noSession ? (
          <Card withBorder padding="xl" maw={560}>
            <Stack gap="sm">
              <Title order={1} size="h2">
                Your result isn’t available here
              </Title>
              <Text>
                Results show in the browser you took the test in. If you submitted a test, you’ll also get an
                email about it.
              </Text>
            </Stack>
          </Card>
        ) : (
          <LoadError error={result.error} what="your result" onRetry={() => void result.refetch()} />
        )}
      </TakeFrame>
    );
  }

  const data = result.data;
  const frame = names ?? { organization: undefined, assessment: undefined };
  if (data.status === 'in_progress') {
    return (
      <TakeFrame title="Your test" organization={frame.organization} assessment={frame.assessment}>
        <Card withBorder padding="xl" maw={560}>
          <Stack gap="sm">
            <Title order={1} size="h2">
              Your test isn’t finished
            </Title>
            <Group>
              <Button component={Link} to="/take">
                Back to your test
              </Button>
            </Group>
          </Stack>
        </Card>
      </TakeFrame>
    );
  }

  const grading = data.status === 'submitted';
  const orgName = names?.organization ?? 'the hiring team';
  return (
    <TakeFrame title="Test submitted" organization={frame.organization} assessment={frame.assessment}>
      <Stack gap="lg">
        <div>
          <Title order={1} size="h2">
            Thank you — your test is submitted
          </Title>
          <Text c="dimmed" mt={4}>
            Your answers are safely with {orgName}. You can close this window.
          </Text>
        </div>
        <div aria-live="polite">
          {grading ? (
            <Group gap="sm">
              <Loader size="sm" aria-hidden />
              <Text>Marking your answers… this takes a few seconds.</Text>
            </Group>
          ) : (
            <Stack gap="lg">
              <Scores result={data} />
              {data.status === 'awaiting_review' ? (
                <Card withBorder padding="lg">
                  <Text>
                    Your uploaded work is waiting for review by the team at {orgName}. They’ll be in touch
                    about the next steps.
                  </Text>
                </Card>
              ) : (
                <Text>
                  {names ? `The team at ${names.organization}` : 'The hiring team'} will be in touch about the
                  next steps.
                </Text>
              )}
            </Stack>
          )}
        </div>
        {names && data.receipt && <Receipt result={data} names={names} />}
      </Stack>
    </TakeFrame>
  );
}
