import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Card,
  Grid,
  Group,
  Radio,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  fetchNextReviewItemId,
  type ReviewItem,
  type RubricCriterion,
  submissionRef,
  useReviewItem,
  useSubmitReview,
} from '../../api/reviews';
import { FormAlert } from '../../components/form-alert';
import { Markdown } from '../../components/markdown';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { applyApiError, errorMessage } from '../../lib/form-errors';
import { formatDate, formatDateTime } from '../../lib/format';
import { formatBytes } from '../../take/format-bytes';
import { percent } from '../results/result-labels';

const COMMENT_MAX = 10_000;

const bestOf = (c: RubricCriterion) => Math.max(0, ...c.levels.map((l) => l.score));

function levelName(criterion: RubricCriterion, score: number | undefined): string {
  if (score === undefined) return '—';
  const level = criterion.levels.find((l) => l.score === score);
  return `${score} of ${bestOf(criterion)}${level ? ` — ${level.descriptor}` : ''}`;
}

function Files({ item }: { item: ReviewItem }) {
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="files-heading">
      <Title order={2} size="h4" id="files-heading" mb="sm">
        Files
      </Title>
      {item.files.length === 0 ? (
        <Text size="sm" c="dimmed">
          No files were handed in for this section.
        </Text>
      ) : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
          {item.files.map((f) => (
            <li key={f.id}>
              <Group gap="sm" wrap="nowrap">
                <Anchor href={f.downloadUrl} download={f.label} size="sm" fw={500}>
                  Download {f.label}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {formatBytes(f.size)}
                </Text>
              </Group>
            </li>
          ))}
        </Stack>
      )}
      <Text size="xs" c="dimmed" mt="sm">
        Files keep neutral names so reviews stay blind. Open them with care: they come from outside your
        organization.
      </Text>
    </Card>
  );
}

type FormValues = { scores: Record<string, string>; comment: string };

function ReviewForm({
  item,
  editing,
  onDone,
  onCancel,
}: {
  item: ReviewItem;
  editing: boolean;
  onDone: () => void;
  onCancel?: () => void;
}) {
  const submit = useSubmitReview(item.id);
  const [error, setError] = useState<string | null>(null);
  const rubric = item.task.rubric;
  const form = useForm<FormValues>({
    initialValues: {
      scores: Object.fromEntries(
        rubric.map((c) => {
          const mine = item.mine?.scores[c.id];
          return [c.id, mine === undefined ? '' : String(mine)];
        }),
      ),
      comment: item.mine?.comment ?? '',
    },
    validate: {
      scores: (scores) => (rubric.some((c) => !scores[c.id]) ? 'Choose a level for every criterion' : null),
      comment: (v) => (v.length > COMMENT_MAX ? `Keep the comment under ${COMMENT_MAX} characters` : null),
    },
  });
  const values = form.getValues();
  const chosen = rubric.reduce((sum, c) => sum + Number(values.scores[c.id] || 0), 0);
  const best = rubric.reduce((sum, c) => sum + bestOf(c), 0);
  const missing = rubric.filter((c) => !values.scores[c.id]).length;

  const onSubmit = form.onSubmit((v) => {
    setError(null);
    submit.mutate(
      {
        edit: editing,
        scores: Object.fromEntries(rubric.map((c) => [c.id, Number(v.scores[c.id])])),
        comment: v.comment.trim(),
      },
      {
        onSuccess: () => {
          notifications.show({ message: editing ? 'Your review was updated.' : 'Your review is in.' });
          onDone();
        },
        onError: (err) => setError(applyApiError(form, err)),
      },
    );
  });

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="rubric-heading">
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="lg">
          <div>
            <Title order={2} size="h4" id="rubric-heading">
              Rubric
            </Title>
            <Text size="sm" c="dimmed" mt={4}>
              Choose the level that best describes the work for each criterion.
            </Text>
          </div>
          <FormAlert message={error} title="Couldn’t save your review" />
          {rubric.map((criterion, index) => {
            const errorText = !values.scores[criterion.id] ? form.errors.scores : undefined;
            return (
              <Radio.Group
                key={criterion.id}
                name={`criterion-${criterion.id}`}
                label={`${index + 1}. ${criterion.name}`}
                description={`Up to ${bestOf(criterion)} points`}
                withAsterisk
                value={values.scores[criterion.id] ?? ''}
                onChange={(value) => form.setFieldValue(`scores.${criterion.id}`, value)}
                error={errorText ? 'Choose a level' : undefined}
              >
                <Stack gap="xs" mt="xs">
                  {[...criterion.levels]
                    .sort((a, b) => a.score - b.score)
                    .map((level) => (
                      <Radio
                        key={level.score}
                        value={String(level.score)}
                        label={
                          <Text span size="sm" fw={600}>
                            {level.score} {level.score === 1 ? 'point' : 'points'}
                          </Text>
                        }
                        description={level.descriptor}
                        styles={{ description: { color: 'var(--mantine-color-text)' } }}
                      />
                    ))}
                </Stack>
              </Radio.Group>
            );
          })}
          <Textarea
            label="Comment"
            description="What worked and what didn’t. The recruiter reads this next to your scores."
            autosize
            minRows={4}
            maxRows={16}
            maxLength={COMMENT_MAX}
            {...form.getInputProps('comment')}
          />
          <Group justify="space-between" align="center">
            <Text size="sm" aria-live="polite">
              {missing > 0
                ? `${missing} of ${rubric.length} ${rubric.length === 1 ? 'criterion' : 'criteria'} left to score`
                : `Total ${chosen} of ${best} points (${percent(best > 0 ? chosen / best : 0)})`}
            </Text>
            <Group gap="sm">
              {onCancel && (
                <Button variant="default" onClick={onCancel}>
                  Cancel
                </Button>
              )}
              <Button type="submit" loading={submit.isPending}>
                {editing ? 'Save changes' : 'Submit review'}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function NextButton({ currentId }: { currentId: string }) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [empty, setEmpty] = useState(false);
  if (empty) {
    return (
      <Group gap="sm">
        <Text size="sm">That was the last one: nothing else is waiting for you.</Text>
        <Button component={Link} to="/reviews" variant="default">
          Back to the queue
        </Button>
      </Group>
    );
  }
  return (
    <Button
      loading={busy}
      onClick={async () => {
        setBusy(true);
        try {
          const next = await fetchNextReviewItemId(currentId);
          if (next) navigate(`/reviews/${next}`);
          else setEmpty(true);
        } catch (err) {
          notifications.show({ color: 'red', title: 'Couldn’t load the queue', message: errorMessage(err) });
        } finally {
          setBusy(false);
        }
      }}
    >
      Next submission
    </Button>
  );
}

/** After the reviewer's own review: their scores, the others' (once theirs is in) and the outcome. */
function Outcome({ item, onEdit }: { item: ReviewItem; onEdit: () => void }) {
  const mine = item.mine;
  if (!mine) return null;
  const rubric = item.task.rubric;
  const reviews = [
    { label: 'You', scores: mine.scores, total: mine.total, comment: mine.comment },
    ...(item.others ?? []),
  ];
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="outcome-heading">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={2} size="h4" id="outcome-heading">
              Your review is in
            </Title>
            <Text size="sm" c="dimmed" mt={4}>
              Submitted {formatDateTime(mine.submittedAt)}
              {mine.updatedAt !== mine.submittedAt && `, edited ${formatDateTime(mine.updatedAt)}`}
            </Text>
          </div>
          <Button variant="default" size="sm" onClick={onEdit}>
            Edit your review
          </Button>
        </Group>
        {item.outcome ? (
          <Alert color={item.outcome.disagreement ? 'yellow' : 'assay'} title="All reviews are in">
            <Text size="sm">
              The section scores {percent(item.outcome.score)}, the mean of the reviewers’ totals.
              {item.outcome.disagreement &&
                ' The reviewers’ totals are far apart, so the recruiter sees a disagreement flag on this section.'}
            </Text>
          </Alert>
        ) : (
          <Text size="sm">
            {item.reviewsDone} of {item.reviewsRequired} reviews done. The section gets its score once every
            review is in.
          </Text>
        )}
        <Table.ScrollContainer minWidth={480}>
          <Table verticalSpacing="xs" aria-label="Scores by criterion">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Criterion</Table.Th>
                {reviews.map((r) => (
                  <Table.Th key={r.label} scope="col">
                    {r.label}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rubric.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Th scope="row" fw={500}>
                    {c.name}
                  </Table.Th>
                  {reviews.map((r) => (
                    <Table.Td key={r.label} title={levelName(c, r.scores[c.id])}>
                      {r.scores[c.id] ?? '—'} / {bestOf(c)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
              <Table.Tr>
                <Table.Th scope="row">Total</Table.Th>
                {reviews.map((r) => (
                  <Table.Td key={r.label} fw={600}>
                    {percent(r.total)}
                  </Table.Td>
                ))}
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {reviews.some((r) => r.comment) && (
          <Stack gap="xs">
            {reviews
              .filter((r) => r.comment)
              .map((r) => (
                <Box key={r.label}>
                  <Text size="sm" fw={600}>
                    {r.label === 'You' ? 'Your comment' : `${r.label}’s comment`}
                  </Text>
                  <Text size="sm" className="pre-wrap">
                    {r.comment}
                  </Text>
                </Box>
              ))}
          </Stack>
        )}
        <Group>
          <NextButton currentId={item.id} />
        </Group>
      </Stack>
    </Card>
  );
}

function ReviewView({ item }: { item: ReviewItem }) {
  const [editing, setEditing] = useState(false);
  const ref = submissionRef(item.id);
  const closedToMe = item.mine === null && item.state === 'complete';
  return (
    <Page
      title={ref}
      description={
        <Group gap="xs" component="span">
          <Anchor component={Link} to="/reviews" size="sm">
            Review queue
          </Anchor>
          <Text span c="dimmed" size="sm" aria-hidden>
            ·
          </Text>
          <Text span size="sm">
            {item.section.title}, submitted{' '}
            <time dateTime={item.submittedAt} title={formatDateTime(item.submittedAt)}>
              {formatDate(item.submittedAt)}
            </time>
          </Text>
        </Group>
      }
    >
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="lg">
            <Card withBorder padding="lg" component="section" aria-labelledby="task-heading">
              <Group justify="space-between" align="flex-start" mb="sm">
                <Title order={2} size="h4" id="task-heading">
                  {item.task.title}
                </Title>
                <Badge variant="light" color="gray" miw="max-content">
                  {item.reviewsDone} of {item.reviewsRequired} reviews
                </Badge>
              </Group>
              <Text size="xs" c="dimmed" mb="xs">
                The task as the candidate saw it, in {item.assessment.name}
              </Text>
              <Markdown>{item.task.prompt}</Markdown>
            </Card>
            <Files item={item} />
            {closedToMe ? (
              <Alert color="gray" title="This submission has all its reviews">
                Nothing more is needed here.
              </Alert>
            ) : item.mine && !editing ? (
              <Outcome item={item} onEdit={() => setEditing(true)} />
            ) : (
              <ReviewForm
                key={item.mine ? `edit-${item.mine.updatedAt}` : 'new'}
                item={item}
                editing={item.mine !== null}
                onDone={() => setEditing(false)}
                onCancel={item.mine ? () => setEditing(false) : undefined}
              />
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          {/* Beside the rubric while scoring: it stays in view and scrolls on its own when long. */}
          <Card
            withBorder
            padding="lg"
            component="aside"
            aria-labelledby="notes-heading"
            bg="gray.0"
            tabIndex={0}
            style={{
              position: 'sticky',
              top: 72,
              maxHeight: 'calc(100vh - 96px)',
              overflowY: 'auto',
              overflowWrap: 'anywhere',
            }}
          >
            <Title order={2} size="h4" id="notes-heading" mb="sm">
              Reviewer notes
            </Title>
            {item.task.reviewerNotes.trim() ? (
              <Markdown>{item.task.reviewerNotes}</Markdown>
            ) : (
              <Text size="sm" c="dimmed">
                This task has no notes for reviewers. Score against the rubric’s level descriptors.
              </Text>
            )}
          </Card>
        </Grid.Col>
      </Grid>
    </Page>
  );
}

export function ReviewItemPage() {
  const { reviewItemId = '' } = useParams();
  const item = useReviewItem(reviewItemId);
  if (!item.data) {
    return (
      <Page title="Review">
        {item.isError ? (
          <LoadError error={item.error} what="the submission" onRetry={() => void item.refetch()} />
        ) : (
          <LoadingState label="Loading the submission" />
        )}
      </Page>
    );
  }
  return <ReviewView key={reviewItemId} item={item.data} />;
}
