import './report.css';
import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Card,
  Grid,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Timeline,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { type ReactNode, useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  type Report,
  type ReportItem,
  type ReportSection,
  reportHtmlUrl,
  reportJsonUrl,
  type Stage,
  useAddNote,
  useChangeStage,
  useGrantExtraTime,
  useNotes,
  useReport,
} from '../../api/results';
import { useReviewItem } from '../../api/reviews';
import { useCurrentSession } from '../../app/session-context';
import { Markdown } from '../../components/markdown';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDateTime } from '../../lib/format';
import { can } from '../../lib/permissions';
import { formatBytes } from '../../take/format-bytes';
import { useSubtopics } from '../bank/bank-labels';
import { IntegrityBadge, StageBadge, StatusBadge } from './badges';
import {
  formatDuration,
  integrityEventLabels,
  integrityLabels,
  ordinal,
  percent,
  stageLabels,
  stages,
} from './result-labels';
import { ScoreBars } from './score-bars';

const attemptStatus = (s: Report['status']) =>
  s === 'submitted' ? 'completed' : s === 'in_progress' ? 'in_progress' : s;

function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz="xl" fw={700} lh={1.3}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Summary

function ExtraTimeModal({
  report,
  opened,
  onClose,
}: {
  report: Report;
  opened: boolean;
  onClose: () => void;
}) {
  const grant = useGrantExtraTime(report.attemptId);
  const [minutes, setMinutes] = useState<number | string>(10);
  const valid = typeof minutes === 'number' && Number.isInteger(minutes) && minutes >= 1 && minutes <= 600;
  return (
    <Modal opened={opened} onClose={onClose} title="Give extra minutes">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!valid) return;
          grant.mutate(minutes as number, {
            onSuccess: (r) => {
              notifications.show({
                message: `${r.minutes} extra minutes given.${r.sectionDeadlineAt ? ` The current section now ends at ${formatDateTime(r.sectionDeadlineAt)}.` : ''}`,
              });
              onClose();
            },
            onError: (err) =>
              notifications.show({
                color: 'red',
                title: 'Couldn’t give extra time',
                message: errorMessage(err),
              }),
          });
        }}
      >
        <Stack gap="md">
          <Text size="sm">
            The section the candidate is in ends later by this many minutes, and so does the whole attempt.
            Their timer updates within seconds. This is recorded in the audit log.
          </Text>
          <NumberInput
            label="Extra minutes"
            min={1}
            max={600}
            allowDecimal={false}
            allowNegative={false}
            value={minutes}
            onChange={setMinutes}
            error={valid ? null : 'Enter 1 to 600 minutes'}
            data-autofocus
            w={160}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={grant.isPending}>
              Give extra minutes
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function Summary({ report }: { report: Report }) {
  const session = useCurrentSession();
  const [extraOpened, extraDialog] = useDisclosure(false);
  const inProgress = report.status === 'in_progress';
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="summary-heading">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <Title order={2} size="h4" id="summary-heading">
            Summary
          </Title>
          {inProgress && can(session.organization?.role, 'candidates.manage') && (
            <Button size="xs" variant="default" onClick={extraDialog.open} className="no-print">
              Give extra minutes
            </Button>
          )}
        </Group>
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
          <Stat
            label="Overall"
            value={<span data-testid="report-score">{percent(report.score)}</span>}
            hint={report.status === 'awaiting_review' ? 'Preliminary: uploads await review' : undefined}
          />
          <Stat
            label="Percentile"
            value={ordinal(report.percentile)}
            hint={report.percentile === null ? 'Once graded' : 'Among graded candidates'}
          />
          <Stat
            label="Time taken"
            value={formatDuration(report.timeTakenMs === null ? null : report.timeTakenMs / 1000)}
            hint={
              report.submittedAt ? `Submitted ${formatDateTime(report.submittedAt)}` : 'Not submitted yet'
            }
          />
          <Stat
            label="Integrity"
            value={<IntegrityBadge tier={report.integrity.tier} />}
            hint={
              report.integrity.events.length > 0
                ? `${report.integrity.events.length} ${report.integrity.events.length === 1 ? 'event' : 'events'}, see the timeline`
                : undefined
            }
          />
        </SimpleGrid>
        {inProgress && (
          <Text size="sm" c="dimmed">
            In progress since {formatDateTime(report.startedAt)}. Scores appear when the candidate submits.
          </Text>
        )}
      </Stack>
      <ExtraTimeModal report={report} opened={extraOpened} onClose={extraDialog.close} />
    </Card>
  );
}

function Subtopics({ report }: { report: Report }) {
  const { benchmark } = report;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="subtopics-heading">
      <Stack gap="md">
        <Title order={2} size="h4" id="subtopics-heading">
          Score by subtopic
        </Title>
        {report.subtopics.length === 0 ? (
          <Text size="sm" c="dimmed">
            {report.status === 'in_progress'
              ? 'Subtopic scores appear when the candidate submits.'
              : 'This attempt has no multiple-choice questions to score by subtopic.'}
          </Text>
        ) : (
          <ScoreBars
            labelledBy="subtopics-heading"
            bars={report.subtopics.map((s) => ({
              key: s.subtopic,
              label: s.label,
              score: s.score,
              benchmark: s.benchmark,
            }))}
          />
        )}
        <Text size="xs" c="dimmed">
          {benchmark.hiddenReason
            ? `No role benchmark yet: ${benchmark.hiddenReason.charAt(0).toLowerCase()}${benchmark.hiddenReason.slice(1)}.`
            : `The dark line is the role benchmark: the median of ${benchmark.gradedCount} graded candidates${
                benchmark.median !== null ? `, ${percent(benchmark.median)} overall` : ''
              }.`}
        </Text>
      </Stack>
    </Card>
  );
}

function TimePerSection({ report }: { report: Report }) {
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="time-heading">
      <Title order={2} size="h4" id="time-heading" mb="sm">
        Time per section
      </Title>
      <Table.ScrollContainer minWidth={480}>
        <Table verticalSpacing="xs" aria-labelledby="time-heading">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Section</Table.Th>
              <Table.Th scope="col" style={{ whiteSpace: 'nowrap' }}>
                Time spent
              </Table.Th>
              <Table.Th scope="col">Limit</Table.Th>
              <Table.Th scope="col" ta="right">
                Score
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.sections.map((s) => (
              <Table.Tr key={s.key}>
                <Table.Td>
                  <Text size="sm">{s.title}</Text>
                  <Text size="xs" c="dimmed">
                    {s.kind === 'quiz' ? 'Multiple choice' : 'File upload'}
                  </Text>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {s.timeSpentMs !== null
                    ? formatDuration(s.timeSpentMs / 1000)
                    : s.startedAt
                      ? 'In progress'
                      : 'Not started'}
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{s.minutes} min</Table.Td>
                <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                  {s.score === null && s.kind === 'upload' && s.submittedAt
                    ? 'Awaiting review'
                    : percent(s.score)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// Stage and notes

function StageAndNotes({ report, invitationId }: { report: Report; invitationId: string }) {
  const session = useCurrentSession();
  const canManage = can(session.organization?.role, 'candidates.manage');
  const change = useChangeStage(invitationId);
  const addNote = useAddNote(invitationId);
  const notes = useNotes(invitationId, report.notes);
  const [stage, setStage] = useState<Stage>(report.stage ?? 'new');
  const [stageNote, setStageNote] = useState('');
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);

  return (
    <Stack gap="lg">
      <Card withBorder padding="lg" component="section" aria-labelledby="stage-heading">
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={2} size="h4" id="stage-heading">
              Stage
            </Title>
            {report.stage && <StageBadge stage={report.stage} />}
          </Group>
          {canManage && (
            <form
              className="no-print"
              onSubmit={(e) => {
                e.preventDefault();
                change.mutate(
                  { stage, ...(stageNote.trim() ? { note: stageNote.trim() } : {}) },
                  {
                    onSuccess: (r) => {
                      notifications.show({
                        message: r.changed
                          ? `Moved to ${stageLabels[r.stage]}.`
                          : `Already ${stageLabels[r.stage]}.`,
                      });
                      setStageNote('');
                    },
                    onError: (err) =>
                      notifications.show({
                        color: 'red',
                        title: 'Couldn’t change the stage',
                        message: errorMessage(err),
                      }),
                  },
                );
              }}
            >
              <Stack gap="sm">
                <NativeSelect
                  label="Move to"
                  data={stages.map((s) => ({ value: s, label: stageLabels[s] }))}
                  value={stage}
                  onChange={(e) => setStage(e.currentTarget.value as Stage)}
                />
                <Textarea
                  label="Note for the team"
                  description="Optional. Saved with the notes below."
                  autosize
                  minRows={2}
                  maxLength={10_000}
                  value={stageNote}
                  onChange={(e) => setStageNote(e.currentTarget.value)}
                />
                <Button
                  type="submit"
                  loading={change.isPending}
                  disabled={stage === report.stage && !stageNote.trim()}
                >
                  Change stage
                </Button>
              </Stack>
            </form>
          )}
        </Stack>
      </Card>

      <Card withBorder padding="lg" component="section" aria-labelledby="notes-heading">
        <Stack gap="sm">
          <Title order={2} size="h4" id="notes-heading">
            Notes
          </Title>
          {canManage && (
            <form
              className="no-print"
              onSubmit={(e) => {
                e.preventDefault();
                if (!note.trim()) {
                  setNoteError('Write a note first');
                  return;
                }
                setNoteError(null);
                addNote.mutate(note.trim(), {
                  onSuccess: () => setNote(''),
                  onError: (err) => setNoteError(errorMessage(err)),
                });
              }}
            >
              <Stack gap="xs">
                <Textarea
                  label="Add a note"
                  description="Only your team sees notes."
                  autosize
                  minRows={2}
                  maxLength={10_000}
                  value={note}
                  onChange={(e) => setNote(e.currentTarget.value)}
                  error={noteError}
                />
                <Button
                  type="submit"
                  variant="default"
                  loading={addNote.isPending}
                  style={{ alignSelf: 'flex-start' }}
                >
                  Add note
                </Button>
              </Stack>
            </form>
          )}
          {notes.isError && (
            <LoadError error={notes.error} what="notes" onRetry={() => void notes.refetch()} />
          )}
          {(notes.data?.items.length ?? 0) === 0 ? (
            <Text size="sm" c="dimmed">
              No notes yet.
            </Text>
          ) : (
            <Stack
              component="ul"
              gap="sm"
              p={0}
              m={0}
              style={{ listStyle: 'none' }}
              aria-label="Notes, newest first"
            >
              {notes.data?.items.map((n) => (
                <Box component="li" key={n.id} className="print-item">
                  <Text size="xs" c="dimmed">
                    {n.author?.name ?? 'Someone no longer in the team'} · {formatDateTime(n.createdAt)}
                    {n.kind === 'stage' && ' · stage change'}
                  </Text>
                  <Text size="sm" className="pre-wrap">
                    {n.body}
                  </Text>
                </Box>
              ))}
            </Stack>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}

// ---------------------------------------------------------------------------------------------
// Items

function markOf(item: ReportItem): { label: string; color: string } {
  if (item.chosen.length === 0) return { label: 'Not answered', color: 'gray' };
  if (item.mark === null) return { label: 'Not marked', color: 'gray' };
  if (item.mark >= 1) return { label: 'Correct', color: 'assay' };
  if (item.mark <= 0) return { label: 'Incorrect', color: 'red' };
  return { label: `Partly correct (${percent(item.mark)})`, color: 'blue' };
}

function ItemCard({ item, n, subtopicName }: { item: ReportItem; n: number; subtopicName: string }) {
  const mark = markOf(item);
  const headingId = `item-${item.key}`;
  return (
    <Card withBorder padding="md" component="article" aria-labelledby={headingId} className="print-item">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div>
            <Title order={4} size="h6" id={headingId}>
              Question {n}
            </Title>
            <Text size="xs" c="dimmed">
              {subtopicName} · {item.difficulty} ·{' '}
              {item.kind === 'multiple' ? 'choose all that apply' : 'one answer'}
              {item.questionId && (
                <>
                  {' · '}
                  <Anchor
                    component={Link}
                    to={`/bank/questions/${item.questionId}`}
                    size="xs"
                    underline="always"
                    className="no-print"
                  >
                    In the bank
                  </Anchor>
                </>
              )}
            </Text>
          </div>
          <Badge variant="light" color={mark.color} style={{ flexShrink: 0 }}>
            {mark.label}
          </Badge>
        </Group>
        <Markdown headingOffset={4}>{item.stem}</Markdown>
        <Stack
          component="ul"
          gap={6}
          p={0}
          m={0}
          style={{ listStyle: 'none' }}
          aria-label={`Options of question ${n}`}
        >
          {item.options.map((o) => (
            <Box
              component="li"
              key={o.id}
              p="xs"
              style={{
                borderRadius: 'var(--mantine-radius-sm)',
                border: `1px solid ${o.correct ? 'var(--mantine-color-assay-5)' : 'var(--mantine-color-gray-3)'}`,
                background: o.chosen ? 'var(--mantine-color-gray-0)' : undefined,
              }}
            >
              <Group gap="xs" wrap="nowrap" align="flex-start">
                <Box style={{ flex: 1, minWidth: 0 }}>
                  <Markdown headingOffset={4}>{o.text}</Markdown>
                </Box>
                <Group gap={4} wrap="nowrap" style={{ flexShrink: 0 }}>
                  {o.chosen && (
                    <Badge size="sm" variant="outline" color="dark">
                      Candidate’s answer
                    </Badge>
                  )}
                  {o.correct && (
                    <Badge size="sm" variant="light" color="assay">
                      Key
                    </Badge>
                  )}
                </Group>
              </Group>
            </Box>
          ))}
        </Stack>
        {item.explanation.trim() && (
          <Box>
            <Text size="sm" fw={600}>
              Explanation
            </Text>
            <Markdown headingOffset={4}>{item.explanation}</Markdown>
          </Box>
        )}
      </Stack>
    </Card>
  );
}

function QuizSectionAnswers({
  section,
  nameOf,
  missedOnly,
}: {
  section: ReportSection;
  nameOf: (id: string) => string;
  missedOnly: boolean;
}) {
  const items = section.items ?? [];
  // Numbers stay those of the whole section, so "Question 7" means the same in both views.
  const shown = items
    .map((item, i) => ({ item, n: i + 1 }))
    .filter(({ item }) => !missedOnly || (item.mark ?? 0) < 1);
  const correct = items.filter((i) => (i.mark ?? 0) >= 1).length;
  const headingId = `section-${section.key}`;
  return (
    <Stack gap="sm" component="section" aria-labelledby={headingId}>
      <Group justify="space-between" align="baseline">
        <Title order={3} size="h5" id={headingId}>
          {section.title}
        </Title>
        <Text size="sm" c="dimmed">
          {correct} of {items.length} correct · {percent(section.score)}
        </Text>
      </Group>
      {shown.length === 0 ? (
        <Text size="sm" c="dimmed">
          {items.length === 0
            ? 'No questions yet.'
            : 'Every question in this section was answered correctly.'}
        </Text>
      ) : (
        shown.map(({ item, n }) => (
          <ItemCard key={item.key} item={item} n={n} subtopicName={nameOf(item.subtopic)} />
        ))
      )}
    </Stack>
  );
}

const humanize = (id: string) => {
  const words = id.replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function UploadSection({ section }: { section: ReportSection }) {
  const review = section.review ?? null;
  // The report keys scores by criterion id: the task's rubric has their names.
  const task = useReviewItem(review?.reviewItemId ?? '', review !== null && review.reviews.length > 0);
  const criterion = (id: string) => task.data?.task.rubric.find((c) => c.id === id)?.name ?? humanize(id);
  const uploads = (section.uploads ?? []).filter((u) => u.removedAt === null);
  const headingId = `section-${section.key}`;
  const criteria = [...new Set(review?.reviews.flatMap((r) => Object.keys(r.scores)) ?? [])];
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby={headingId} className="print-item">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={3} size="h5" id={headingId}>
              {section.title}
            </Title>
            <Text size="xs" c="dimmed">
              File upload
            </Text>
          </div>
          <Group gap="xs">
            {review?.disagreement && (
              <Badge variant="light" color="grape" miw="max-content">
                Reviewers disagree
              </Badge>
            )}
            <Text size="sm" fw={600}>
              {section.score !== null
                ? percent(section.score)
                : section.submittedAt
                  ? 'Awaiting review'
                  : '—'}
            </Text>
          </Group>
        </Group>
        <div>
          <Text size="sm" fw={600} mb={4}>
            Files
          </Text>
          {uploads.length === 0 ? (
            <Text size="sm" c="dimmed">
              No files handed in.
            </Text>
          ) : (
            <Stack component="ul" gap={4} p={0} m={0} style={{ listStyle: 'none' }}>
              {uploads.map((u) => (
                <li key={u.id}>
                  <Group gap="sm">
                    <Anchor href={u.downloadUrl} download={u.name} size="sm">
                      {u.name}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {formatBytes(u.size)} · {formatDateTime(u.createdAt)}
                    </Text>
                  </Group>
                </li>
              ))}
            </Stack>
          )}
        </div>
        {review ? (
          <Stack gap="sm">
            <Text size="sm">
              {review.reviewsDone} of {review.reviewsRequired} reviews done
              {review.state === 'complete' &&
                review.score !== null &&
                `; section score ${percent(review.score)}`}
              .
              {review.disagreement &&
                ' The reviewers’ totals are far apart: read both comments before deciding.'}
            </Text>
            {review.reviews.length > 0 && (
              <Table.ScrollContainer minWidth={480}>
                <Table verticalSpacing="xs" aria-label={`Reviews of ${section.title}`}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Criterion</Table.Th>
                      {review.reviews.map((r) => (
                        <Table.Th key={r.id} scope="col">
                          {r.reviewer.name ?? 'Former member'}
                        </Table.Th>
                      ))}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {criteria.map((c) => (
                      <Table.Tr key={c}>
                        <Table.Th scope="row" fw={500}>
                          {criterion(c)}
                        </Table.Th>
                        {review.reviews.map((r) => (
                          <Table.Td key={r.id}>{r.scores[c] ?? '—'}</Table.Td>
                        ))}
                      </Table.Tr>
                    ))}
                    <Table.Tr>
                      <Table.Th scope="row">Total</Table.Th>
                      {review.reviews.map((r) => (
                        <Table.Td key={r.id} fw={600}>
                          {percent(r.total)}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {review.reviews
              .filter((r) => r.comment.trim())
              .map((r) => (
                <Box key={r.id}>
                  <Text size="sm" fw={600}>
                    {r.reviewer.name ?? 'Former member'}’s comment
                  </Text>
                  <Text size="sm" className="pre-wrap">
                    {r.comment}
                  </Text>
                </Box>
              ))}
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            {section.submittedAt ? 'Waiting for the review to be set up.' : 'Not handed in yet.'}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// Integrity

function eventDetail(e: Report['integrity']['events'][number]): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(e.details)) {
    if (v === null || v === undefined || typeof v === 'object') continue;
    parts.push(`${humanize(k).toLowerCase()}: ${String(v)}`);
  }
  if (e.ip) parts.push(`IP ${e.ip}`);
  return parts.join(' · ');
}

function IntegrityTimeline({ report }: { report: Report }) {
  const { tier, events } = report.integrity;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="integrity-heading">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <Title order={2} size="h4" id="integrity-heading">
            Integrity signals
          </Title>
          <IntegrityBadge tier={tier} />
        </Group>
        <Text size="sm" c="dimmed">
          {integrityLabels[tier].description} Signals show where to look, never a verdict: switching tabs can
          be a candidate checking the time, and a new IP address a phone changing networks.
        </Text>
        {events.length === 0 ? (
          <Text size="sm">No signals were recorded during this attempt.</Text>
        ) : (
          <Timeline bulletSize={12} lineWidth={2} color="gray" aria-label="Signals in time order">
            {events.map((e) => (
              <Timeline.Item key={e.id} title={integrityEventLabels[e.type] ?? humanize(e.type)}>
                <Text size="xs" c="dimmed">
                  <time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time>
                </Text>
                {eventDetail(e) && <Text size="xs">{eventDetail(e)}</Text>}
              </Timeline.Item>
            ))}
          </Timeline>
        )}
      </Stack>
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------

function ReportView({ report }: { report: Report }) {
  const session = useCurrentSession();
  const { nameOf } = useSubtopics();
  const canExport = can(session.organization?.role, 'results.export');
  const name = report.candidate?.name ?? (report.preview ? 'Staff preview' : 'Candidate');
  const quizSections = report.sections.filter((s) => s.kind === 'quiz');
  const [missedOnly, setMissedOnly] = useState(false);
  const uploadSections = report.sections.filter((s) => s.kind === 'upload');

  return (
    <div data-print-root>
      <Page
        title={name}
        description={
          <Group gap="xs" component="span" wrap="wrap">
            {report.candidate && (
              <Text span size="sm">
                {report.candidate.email}
                {report.candidate.externalId && ` · ${report.candidate.externalId}`}
              </Text>
            )}
            <Text span c="dimmed" size="sm" aria-hidden>
              ·
            </Text>
            <Anchor component={Link} to={`/assessments/${report.assessment.id}/candidates`} size="sm">
              {report.assessment.name}
            </Anchor>
            <StatusBadge status={attemptStatus(report.status)} />
            {report.demo && (
              <Badge variant="outline" color="gray" miw="max-content">
                Demo
              </Badge>
            )}
          </Group>
        }
        actions={
          <Group gap="xs" className="no-print">
            <Button variant="default" onClick={() => window.print()}>
              Print
            </Button>
            <Button variant="default" component="a" href={reportHtmlUrl(report.attemptId)} download>
              Download HTML report
            </Button>
            {canExport && (
              <Button variant="default" component="a" href={reportJsonUrl(report.attemptId)} download>
                Export JSON
              </Button>
            )}
          </Group>
        }
      >
        {report.preview && (
          <Alert color="gray" title="A staff preview">
            This attempt was a preview by a member of your team. It never counts in results.
          </Alert>
        )}
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, md: report.invitationId ? 8 : 12 }}>
            <Stack gap="lg">
              <Summary report={report} />
              <Subtopics report={report} />
              <TimePerSection report={report} />
            </Stack>
          </Grid.Col>
          {report.invitationId && (
            <Grid.Col span={{ base: 12, md: 4 }}>
              <StageAndNotes report={report} invitationId={report.invitationId} />
            </Grid.Col>
          )}
        </Grid>
        {uploadSections.length > 0 && (
          <Stack gap="md" component="section" aria-labelledby="uploads-heading">
            <Title order={2} size="h4" id="uploads-heading">
              Uploads and reviews
            </Title>
            {uploadSections.map((s) => (
              <UploadSection key={s.key} section={s} />
            ))}
          </Stack>
        )}
        {quizSections.length > 0 && (
          <Stack gap="md" component="section" aria-labelledby="answers-heading">
            <Group justify="space-between" align="center">
              <Title order={2} size="h4" id="answers-heading">
                Answers
              </Title>
              <SegmentedControl
                className="no-print"
                aria-label="Which questions to show"
                value={missedOnly ? 'missed' : 'all'}
                onChange={(v) => setMissedOnly(v === 'missed')}
                data={[
                  { value: 'all', label: 'All questions' },
                  { value: 'missed', label: 'Missed only' },
                ]}
              />
            </Group>
            {quizSections.map((s) => (
              <QuizSectionAnswers key={s.key} section={s} nameOf={nameOf} missedOnly={missedOnly} />
            ))}
          </Stack>
        )}
        <IntegrityTimeline report={report} />
      </Page>
    </div>
  );
}

export function ReportPage() {
  const { attemptId = '' } = useParams();
  const report = useReport(attemptId);
  if (!report.data) {
    return (
      <Page title="Candidate report">
        {report.isError ? (
          <LoadError error={report.error} what="the report" onRetry={() => void report.refetch()} />
        ) : (
          <LoadingState label="Loading the report" />
        )}
      </Page>
    );
  }
  return <ReportView key={attemptId} report={report.data} />;
}
