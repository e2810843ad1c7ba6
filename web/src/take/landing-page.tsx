// /i/:token — what the invitation is for, before anything starts. Opening this page never starts a
// timer: the landing read has no side effects, "opened" is recorded once, and only Start (after a
// confirmation) begins the first section.
import { Alert, Anchor, Button, Card, Group, List, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/client';
import { type Landing, type LandingSignal, take } from '../api/take';
import { FormAlert } from '../components/form-alert';
import { Markdown } from '../components/markdown';
import { LoadingState } from '../components/query-state';
import { errorMessage } from '../lib/form-errors';
import { formatDateTime } from '../lib/format';
import { TakeFrame } from './take-layout';

const signalWords: Record<LandingSignal, string> = {
  'tab-hidden': 'when you switch to another tab or window, or minimise the browser',
  'window-blur': 'when this browser window loses focus',
  'copy-paste': 'when you copy or paste text',
  'fullscreen-exit': 'when you leave full-screen mode',
  'ip-change': 'when your network address changes during the test',
  'second-session': 'when the test is opened in a second browser or window',
};

function minutesText(minutes: number): string {
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

function Message({
  title,
  children,
  organization,
  assessment,
}: {
  title: string;
  children: ReactNode;
  organization?: string;
  assessment?: string;
}) {
  return (
    <TakeFrame title={title} organization={organization} assessment={assessment}>
      <Card withBorder padding="xl" maw={560}>
        <Stack gap="sm">
          <Title order={1} size="h2">
            {title}
          </Title>
          {children}
        </Stack>
      </Card>
    </TakeFrame>
  );
}

function LinkProblem({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
    return (
      <Message title="This link doesn’t work">
        <Text>
          The invitation may have expired or been withdrawn, or the link may be incomplete: some email
          programs split long links over two lines, so check that you opened all of it.
        </Text>
        <Text>If it still doesn’t work, reply to the invitation email and ask for a new link.</Text>
      </Message>
    );
  }
  return (
    <Message title="We couldn’t load your invitation">
      <Text>{errorMessage(error)}</Text>
      <Group>
        <Button onClick={onRetry}>Try again</Button>
      </Group>
    </Message>
  );
}

function StartModal({
  landing,
  opened,
  onClose,
  onStarted,
}: {
  landing: Landing;
  opened: boolean;
  onClose: () => void;
  onStarted: () => void;
}) {
  const { token = '' } = useParams();
  const start = useMutation({ mutationFn: () => take.start(token) });
  const [error, setError] = useState<string | null>(null);
  const first = landing.sections[0];
  const continuing = landing.state === 'in_progress';
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={continuing ? 'Continue your test?' : 'Start the test?'}
      closeOnClickOutside={!start.isPending}
    >
      <Stack gap="md">
        <FormAlert message={error} title="The test didn’t start" />
        {continuing ? (
          <Text size="sm">
            You continue where you left off, with the time you had left. If the test is open in another
            window, that window stops saving.
          </Text>
        ) : (
          <Text size="sm">
            The timer of the first section
            {first ? (
              <>
                {' '}
                (<strong>{first.title}</strong>, {minutesText(first.minutes)})
              </>
            ) : null}{' '}
            starts now and keeps running if you close the window. Each later section starts its own timer when
            you reach it.
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={start.isPending} data-autofocus>
            Not yet
          </Button>
          <Button
            loading={start.isPending}
            onClick={() => {
              setError(null);
              start.mutate(undefined, {
                onSuccess: onStarted,
                onError: (err) => setError(errorMessage(err)),
              });
            }}
          >
            {continuing ? 'Continue the test' : 'Start the test'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function Sections({ landing }: { landing: Landing }) {
  const total = landing.sections.reduce((sum, s) => sum + s.minutes, 0);
  return (
    <Table.ScrollContainer minWidth={300}>
      <Table verticalSpacing="xs" aria-labelledby="sections-heading">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Section</Table.Th>
            <Table.Th scope="col">Type</Table.Th>
            <Table.Th scope="col" ta="right">
              Time
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {landing.sections.map((s, i) => (
            <Table.Tr key={i}>
              <Table.Td>
                {i + 1}. {s.title}
              </Table.Td>
              <Table.Td>
                {s.kind === 'quiz'
                  ? s.questionCount
                    ? `${s.questionCount} multiple-choice questions`
                    : 'Multiple choice'
                  : 'File upload'}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {minutesText(s.minutes)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th scope="row" colSpan={2}>
              Total
            </Table.Th>
            <Table.Td ta="right" fw={600} style={{ whiteSpace: 'nowrap' }}>
              {minutesText(total)}
            </Table.Td>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
    </Table.ScrollContainer>
  );
}

function Rules({ landing }: { landing: Landing }) {
  const signals = landing.integritySignals.filter((s) => s in signalWords);
  const extra = landing.extraTime && landing.extraTime > 1 ? landing.extraTime : null;
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        How the test works
      </Title>
      <List spacing={4} size="sm">
        <List.Item>
          Each section has its own timer. When it runs out, the section is submitted for you.
        </List.Item>
        <List.Item>
          Your answers are saved as you go. If your connection drops, they are kept on this device and sent
          when it returns; if your computer restarts, open your link again to continue.
        </List.Item>
        <List.Item>Once you submit a section you can’t go back to it.</List.Item>
        {extra && (
          <List.Item>
            Your time limits include the extra time you were given ({Math.round((extra - 1) * 100)}% more).
          </List.Item>
        )}
      </List>
      {signals.length > 0 ? (
        <Alert color="gray" variant="light" title="What is recorded">
          <Text size="sm">
            To keep the test fair, {signals.length === 1 ? 'one thing is' : 'a few things are'} noted while
            you work:
          </Text>
          <List size="sm" mt={4} spacing={2}>
            {signals.map((s) => (
              <List.Item key={s}>{signalWords[s]}</List.Item>
            ))}
          </List>
          <Text size="sm" mt="xs">
            These are signals, never verdicts: the hiring team sees them next to your results and nothing
            happens automatically. Nothing is recorded from your camera, microphone or screen.
          </Text>
        </Alert>
      ) : (
        <Text size="sm">Nothing is recorded about how you work, only your answers.</Text>
      )}
    </Stack>
  );
}

function Ready({ landing }: { landing: Landing }) {
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const continuing = landing.state === 'in_progress';
  return (
    <TakeFrame
      title={landing.assessmentName}
      organization={landing.organizationName}
      assessment={landing.assessmentName}
    >
      <Stack gap="lg">
        <div>
          <Title order={1} size="h2">
            {landing.assessmentName}
          </Title>
          <Text c="dimmed" mt={4}>
            {landing.candidateName ? `${landing.candidateName}, ` : ''}
            {landing.organizationName} invited you to take this assessment
            {continuing ? '. You’ve started it already.' : '.'}
          </Text>
        </div>
        {landing.intro.trim() && (
          <Card withBorder padding="lg">
            <Markdown className="take-markdown">{landing.intro}</Markdown>
          </Card>
        )}
        <Card withBorder padding="lg">
          <Stack gap="md">
            <Title order={2} size="h4" id="sections-heading">
              Sections
            </Title>
            <Sections landing={landing} />
            <Rules landing={landing} />
          </Stack>
        </Card>
        <Card withBorder padding="lg">
          <Stack gap="sm">
            <Text size="sm">
              {continuing ? (
                <>
                  Continue where you left off. The clock of a running section kept going while you were away;
                  the next section starts only when you’re ready.
                </>
              ) : (
                <>
                  Start whenever you are ready, before <strong>{formatDateTime(landing.expiresAt)}</strong>.
                  Set aside {minutesText(landing.sections.reduce((sum, s) => sum + s.minutes, 0))} in a quiet
                  place.
                </>
              )}
            </Text>
            <Group>
              <Button size="md" onClick={() => setConfirming(true)}>
                {continuing ? 'Continue the test' : 'Start the test'}
              </Button>
            </Group>
          </Stack>
        </Card>
        <Stack gap="xs">
          <Title order={2} size="h5">
            Your privacy
          </Title>
          <Text size="sm" c="dimmed" className="pre-wrap">
            {landing.privacyNotice}
          </Text>
          {landing.accommodationsContact && (
            <>
              <Title order={2} size="h5" mt="xs">
                Need adjustments?
              </Title>
              <Text size="sm" c="dimmed">
                If you need extra time or another adjustment, ask before you start:{' '}
                <ContactText contact={landing.accommodationsContact} />
              </Text>
            </>
          )}
        </Stack>
      </Stack>
      <StartModal
        landing={landing}
        opened={confirming}
        onClose={() => setConfirming(false)}
        // The token must not stay in the address bar or the history once the test runs.
        onStarted={() => navigate('/take', { replace: true })}
      />
    </TakeFrame>
  );
}

/** An email address becomes a mailto link; anything else is shown as written. */
function ContactText({ contact }: { contact: string }) {
  const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact.trim());
  return email ? (
    <Anchor href={`mailto:${contact.trim()}`} underline="always">
      {contact.trim()}
    </Anchor>
  ) : (
    <span>{contact}</span>
  );
}

export function LandingPage() {
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const landing = useQuery({ queryKey: ['take', 'landing', token], queryFn: () => take.landing(token) });
  const openedFor = useRef<string | null>(null);
  const state = landing.data?.state;

  useEffect(() => {
    if (!state || openedFor.current === token) return;
    openedFor.current = token;
    void take.opened(token).catch(() => undefined);
  }, [state, token]);

  if (landing.isPending) {
    return (
      <TakeFrame title="Your invitation">
        <LoadingState label="Loading your invitation" />
      </TakeFrame>
    );
  }
  if (landing.isError) return <LinkProblem error={landing.error} onRetry={() => void landing.refetch()} />;

  const data = landing.data;
  const org = data.organizationName;
  const name = data.assessmentName;
  switch (data.state) {
    case 'closed':
      return (
        <Message title="This assessment is closed" organization={org} assessment={name}>
          <Text>
            {org} isn’t taking new attempts at {name} right now. If you think you should still be able to take
            it, reply to the invitation email.
          </Text>
        </Message>
      );
    case 'completed':
      return (
        <Message title="You’ve already taken this test" organization={org} assessment={name}>
          <Text>Your answers were submitted. Thank you!</Text>
          <Group>
            <Button variant="light" onClick={() => navigate('/take/result')}>
              See your result
            </Button>
          </Group>
        </Message>
      );
    default:
      return <Ready landing={data} />;
  }
}
