import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  List,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type ReactNode, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import {
  type Assessment,
  type DrawCheck,
  type LifecycleAction,
  useAssessmentLifecycle,
  useDrawCheck,
  useDuplicateAssessment,
} from '../../api/assessments';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDateTime } from '../../lib/format';
import { NAME_MAX } from '../../lib/validation';
import { difficultyLabels, useSubtopics } from '../bank/bank-labels';
import { stateColors, stateDescriptions, stateLabels } from './assessment-labels';

const lifecycleCopy: Record<
  LifecycleAction,
  { button: string; title: string; body: string; confirm: string; done: string; color?: string }
> = {
  open: {
    button: 'Open assessment',
    title: 'Open this assessment?',
    body: 'Invited candidates can start it as soon as it is open, and you can invite candidates. You can still edit the sections; each change must keep every section drawable.',
    confirm: 'Open assessment',
    done: 'The assessment is open. Invite candidates from the Invitations tab.',
  },
  reopen: {
    button: 'Reopen assessment',
    title: 'Reopen this assessment?',
    body: 'Invited candidates can start it again, and you can invite more.',
    confirm: 'Reopen assessment',
    done: 'The assessment is open again.',
  },
  close: {
    button: 'Close assessment',
    title: 'Close this assessment?',
    body: 'Nobody new can be invited or start it. Candidates who have already started can finish. You can reopen it later.',
    confirm: 'Close assessment',
    done: 'The assessment is closed.',
    color: 'orange',
  },
  archive: {
    button: 'Archive',
    title: 'Archive this assessment?',
    body: 'It leaves the list of assessments and can’t be edited or opened again. Its results are kept, and you can still duplicate it.',
    confirm: 'Archive assessment',
    done: 'The assessment is archived.',
    color: 'red',
  },
};

function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text fw={600} size="lg">
        {value}
      </Text>
    </div>
  );
}

/** What stops the assessment from opening, cell by cell. */
export function DrawCheckReport({ check, assessment }: { check: DrawCheck; assessment: Assessment }) {
  const subtopics = useSubtopics();
  const titleOf = (key: string | null) =>
    assessment.sections.find((s) => s.key === key)?.title ?? (key ? `Section “${key}”` : 'Assessment');
  if (check.ok) {
    return (
      <Alert color="assay" title="Ready to draw">
        Every quiz section has enough questions in each subtopic and difficulty for a fair draw.
      </Alert>
    );
  }
  return (
    <Alert color="red" title="This assessment can’t be opened yet">
      <Stack gap="sm">
        {check.shortages.length > 0 && (
          <>
            <Text size="sm">
              Each subtopic × difficulty cell needs twice as many questions as it draws, so that two
              candidates rarely see the same set. These cells are short:
            </Text>
            <Table.ScrollContainer minWidth={520}>
              <Table withTableBorder bg="var(--mantine-color-body)" aria-label="Cells short of questions">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Section</Table.Th>
                    <Table.Th scope="col">Subtopic</Table.Th>
                    <Table.Th scope="col">Difficulty</Table.Th>
                    <Table.Th scope="col" ta="right">
                      Needed
                    </Table.Th>
                    <Table.Th scope="col" ta="right">
                      Available
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {check.shortages.map((s) => (
                    <Table.Tr key={`${s.sectionKey}|${s.subtopic}|${s.difficulty}`}>
                      <Table.Td>{titleOf(s.sectionKey)}</Table.Td>
                      <Table.Td>{subtopics.nameOf(s.subtopic)}</Table.Td>
                      <Table.Td>{difficultyLabels[s.difficulty]}</Table.Td>
                      <Table.Td ta="right">{s.needed}</Table.Td>
                      <Table.Td ta="right" c="red.8" fw={600}>
                        {s.available}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Text size="sm">
              Fix it in{' '}
              <Anchor component={Link} to={`/assessments/${assessment.id}/sections`} size="sm">
                Sections
              </Anchor>
              : lower those subtopics’ weights, shift the difficulty mix, draw fewer questions or turn off
              “own questions only”. Or add questions to the{' '}
              <Anchor component={Link} to="/bank/questions" size="sm">
                question bank
              </Anchor>
              .
            </Text>
          </>
        )}
        {check.problems.length > 0 && (
          <List size="sm" spacing={4}>
            {check.problems.map((p) => (
              <List.Item key={`${p.sectionKey}|${p.code}|${p.id}`}>
                <strong>{titleOf(p.sectionKey)}:</strong> {p.message}
                {p.id ? ` (${p.id})` : ''}
              </List.Item>
            ))}
          </List>
        )}
      </Stack>
    </Alert>
  );
}

function DuplicateModal({
  assessment,
  opened,
  onClose,
}: {
  assessment: Assessment;
  opened: boolean;
  onClose: () => void;
}) {
  const duplicate = useDuplicateAssessment();
  const navigate = useNavigate();
  const [name, setName] = useState(`Copy of ${assessment.name}`.slice(0, NAME_MAX));
  const trimmed = name.trim();
  return (
    <Modal opened={opened} onClose={onClose} title="Duplicate assessment">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!trimmed) return;
          duplicate.mutate(
            { assessmentId: assessment.id, name: trimmed },
            {
              onSuccess: (copy) => {
                notifications.show({ message: `“${copy.name}” was created as a draft.` });
                onClose();
                navigate(`/assessments/${copy.id}`);
              },
              onError: (err) =>
                notifications.show({ color: 'red', title: 'Couldn’t duplicate', message: errorMessage(err) }),
            },
          );
        }}
      >
        <Stack gap="md">
          <Text size="sm">
            The copy is a new draft with the same sections and settings. It has no invitations and no public
            link.
          </Text>
          <TextInput
            label="Name of the copy"
            required
            maxLength={NAME_MAX}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={trimmed ? null : 'Name the copy'}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={duplicate.isPending} disabled={!trimmed}>
              Duplicate
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function LifecycleActions({ assessment, check }: { assessment: Assessment; check: DrawCheck | undefined }) {
  const lifecycle = useAssessmentLifecycle(assessment.id);
  const [confirming, setConfirming] = useState<LifecycleAction | null>(null);
  const [duplicating, setDuplicating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const state = assessment.state;
  const actions: LifecycleAction[] =
    state === 'draft'
      ? ['open', 'archive']
      : state === 'open'
        ? ['close']
        : state === 'closed'
          ? ['reopen', 'archive']
          : [];
  const opening = (a: LifecycleAction) => a === 'open' || a === 'reopen';
  const blockedReason = (a: LifecycleAction) => {
    if (!opening(a)) return null;
    if (assessment.sections.length === 0) return 'Add a section before opening it.';
    if (!check) return 'Checking the question bank…';
    return check.ok ? null : 'It can’t open until the draw problems below are fixed.';
  };
  const copy = confirming ? lifecycleCopy[confirming] : null;

  const blocked = actions.map(blockedReason).find((r) => r !== null) ?? null;

  return (
    <>
      <Stack gap={4} align="flex-end">
        <Group gap="xs">
          {actions.map((a) => (
            <Button
              key={a}
              variant={opening(a) ? 'filled' : 'default'}
              color={opening(a) ? undefined : lifecycleCopy[a].color}
              disabled={blockedReason(a) !== null}
              aria-describedby={blockedReason(a) ? 'lifecycle-blocked' : undefined}
              onClick={() => {
                setError(null);
                setConfirming(a);
              }}
            >
              {lifecycleCopy[a].button}
            </Button>
          ))}
          <Button variant="default" onClick={() => setDuplicating(true)}>
            Duplicate
          </Button>
        </Group>
        {blocked && (
          <Text size="xs" c="dimmed" id="lifecycle-blocked">
            {blocked}
          </Text>
        )}
      </Stack>
      <Modal opened={confirming !== null} onClose={() => setConfirming(null)} title={copy?.title}>
        {copy && confirming && (
          <Stack gap="md">
            <Text size="sm">{copy.body}</Text>
            {error && (
              <Alert color="red" title="That didn’t work">
                {error}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirming(null)} data-autofocus>
                Cancel
              </Button>
              <Button
                color={copy.color}
                loading={lifecycle.isPending}
                onClick={() =>
                  lifecycle.mutate(confirming, {
                    onSuccess: () => {
                      notifications.show({ message: copy.done });
                      setConfirming(null);
                    },
                    onError: (err) => setError(errorMessage(err)),
                  })
                }
              >
                {copy.confirm}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
      {duplicating && <DuplicateModal assessment={assessment} opened onClose={() => setDuplicating(false)} />}
    </>
  );
}

export function OverviewTab({ assessment }: { assessment: Assessment }) {
  const checkable = assessment.state !== 'archived' && assessment.sections.length > 0;
  const check = useDrawCheck(assessment.id, checkable);
  const totalMinutes = assessment.sections.reduce((s, x) => s + x.minutes, 0);
  const { counts } = assessment;

  return (
    <Stack gap="md">
      <Card withBorder padding="lg" component="section" aria-labelledby="status-heading">
        <Stack gap="md">
          <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
            <div>
              <Group gap="xs">
                <Title order={2} size="h4" id="status-heading">
                  Status
                </Title>
                <Badge variant="light" color={stateColors[assessment.state]}>
                  {stateLabels[assessment.state]}
                </Badge>
              </Group>
              <Text size="sm" c="dimmed" mt={4}>
                {stateDescriptions[assessment.state]}
              </Text>
            </div>
            <LifecycleActions assessment={assessment} check={checkable ? check.data : undefined} />
          </Group>
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
            <Stat label="Invited" value={counts.invited.toLocaleString()} />
            <Stat label="Started" value={counts.started.toLocaleString()} />
            <Stat label="Completed" value={counts.completed.toLocaleString()} />
            <Stat label="Total time" value={`${totalMinutes} min`} />
          </SimpleGrid>
          <Group gap="xl">
            <Text size="sm" c="dimmed">
              Created {formatDateTime(assessment.createdAt)}
            </Text>
            {assessment.openedAt && (
              <Text size="sm" c="dimmed">
                Opened {formatDateTime(assessment.openedAt)}
              </Text>
            )}
            {assessment.closedAt && (
              <Text size="sm" c="dimmed">
                Closed {formatDateTime(assessment.closedAt)}
              </Text>
            )}
          </Group>
        </Stack>
      </Card>

      {checkable && (
        <Card withBorder padding="lg" component="section" aria-labelledby="draw-heading">
          <Stack gap="sm">
            <Title order={2} size="h4" id="draw-heading">
              Question draw
            </Title>
            {check.isPending ? (
              <LoadingState label="Checking the question bank" />
            ) : check.isError ? (
              <LoadError error={check.error} what="the draw check" onRetry={() => void check.refetch()} />
            ) : (
              <DrawCheckReport check={check.data} assessment={assessment} />
            )}
          </Stack>
        </Card>
      )}

      <Card withBorder padding="lg" component="section" aria-labelledby="sections-heading">
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={2} size="h4" id="sections-heading">
              Sections
            </Title>
            <Anchor component={Link} to={`/assessments/${assessment.id}/sections`} size="sm">
              {assessment.state === 'archived' ? 'View sections' : 'Edit sections'}
            </Anchor>
          </Group>
          {assessment.sections.length === 0 ? (
            <Text size="sm" c="dimmed">
              No sections yet. Add a quiz or an upload task before opening the assessment.
            </Text>
          ) : (
            <List type="ordered" spacing={6}>
              {assessment.sections.map((s) => (
                <List.Item key={s.key}>
                  <Text size="sm" span fw={500}>
                    {s.title}
                  </Text>{' '}
                  <Text size="sm" span c="dimmed">
                    {s.kind === 'quiz'
                      ? `· ${s.questionCount} questions · ${s.minutes} min`
                      : `· file upload (${s.accept.join(', ')}) · ${s.minutes} min`}
                  </Text>
                </List.Item>
              ))}
            </List>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}
