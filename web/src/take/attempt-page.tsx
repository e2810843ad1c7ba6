// /take — the test itself. The server owns the clock and the attempt; this page shows the current
// section, keeps every answer safe on its way to the server (see autosave.ts), submits when the
// candidate is done or the time runs out, and hands over to the result page at the end.
import { Alert, Button, Card, Group, List, Loader, Modal, Stack, Text, Title } from '@mantine/core';
import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../api/client';
import {
  type AttemptState,
  attemptKey,
  type CurrentQuiz,
  isTransient,
  type SectionSummary,
  take,
} from '../api/take';
import { LoadingState } from '../components/query-state';
import { errorMessage } from '../lib/form-errors';
import { AnswerQueue, sectionScope } from './autosave';
import { Countdown, useRemaining } from './countdown';
import { QuizSection } from './quiz-section';
import { SaveStatusIndicator } from './save-status';
import { TakeFrame } from './take-layout';
import { UploadSection } from './upload-section';
import { useIntegritySignals } from './use-integrity-signals';

type SubmitPhase =
  | { phase: 'idle' }
  | { phase: 'submitting'; reason: 'candidate' | 'deadline' }
  | { phase: 'waiting'; message: string }
  | { phase: 'failed'; message: string };

type Confirm = { kind: 'quiz'; unanswered: number } | { kind: 'upload'; files: number };

const UPLOAD_WAIT_MS = 30_000;

/** Resolves after `ms`, or as soon as the browser is back online. */
function waitForRetry(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    window.addEventListener('online', done);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function lastSeqOf(section: CurrentQuiz): number {
  return section.items.reduce((max, item) => Math.max(max, item.seq), 0);
}

function minutesText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

function forgetPositions(): void {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (key?.startsWith('assay.take.position.')) localStorage.removeItem(key);
    }
  } catch {
    // ignore
  }
}

function NotHere({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const noSession = error instanceof ApiError && (error.status === 401 || error.status === 404);
  const offline = error instanceof ApiError && error.status === 0;
  const title = noSession ? 'Open your invitation link' : 'Your test couldn’t be loaded';
  return (
    <TakeFrame title={title}>
      <Card withBorder padding="xl" maw={560}>
        <Stack gap="sm">
          <Title order={1} size="h2">
            {title}
          </Title>
          {noSession ? (
            <Text>
              This browser isn’t holding a test. To start or continue, open the link from your invitation
              email again.
            </Text>
          ) : offline ? (
            <Text>
              You’re offline. Any answers you gave are kept on this device and are saved when the connection
              returns. This page tries again on its own.
            </Text>
          ) : (
            <Text>{errorMessage(error)}</Text>
          )}
          {!noSession && (
            <Group>
              <Button onClick={onRetry}>Try again</Button>
            </Group>
          )}
        </Stack>
      </Card>
    </TakeFrame>
  );
}

function SessionMovedModal({
  opened,
  onClaimed,
}: {
  opened: boolean;
  onClaimed: (state: AttemptState) => void;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      opened={opened}
      onClose={() => undefined}
      withCloseButton={false}
      closeOnClickOutside={false}
      closeOnEscape={false}
      title="This test was opened in another window"
    >
      <Stack gap="md">
        <Text size="sm">
          You can work on the test in one window at a time. Your saved answers are safe. Continue here to take
          the test back; the other window then stops saving.
        </Text>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button
            loading={pending}
            data-autofocus
            onClick={async () => {
              setPending(true);
              setError(null);
              try {
                onClaimed(await take.claim());
              } catch (err) {
                setError(errorMessage(err));
              } finally {
                setPending(false);
              }
            }}
          >
            Continue here
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function ConfirmSubmitModal({
  confirm,
  isLast,
  onCancel,
  onConfirm,
}: {
  confirm: Confirm | null;
  isLast: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  return (
    <Modal
      opened={confirm !== null}
      onClose={onCancel}
      title={isLast ? 'Submit your test?' : 'Submit this section?'}
    >
      {confirm && (
        <Stack gap="md">
          {confirm.kind === 'quiz' ? (
            <Text size="sm">
              {confirm.unanswered === 0 ? (
                'You’ve answered every question.'
              ) : (
                <>
                  <strong>
                    {confirm.unanswered} {confirm.unanswered === 1 ? 'question is' : 'questions are'}{' '}
                    unanswered.
                  </strong>{' '}
                  Unanswered questions score nothing.
                </>
              )}
            </Text>
          ) : (
            <Text size="sm">
              {confirm.files === 0 ? (
                <strong>You haven’t uploaded anything for this task.</strong>
              ) : (
                `You’re handing in ${confirm.files === 1 ? 'one file' : `${confirm.files} files`}.`
              )}
            </Text>
          )}
          <Text size="sm">
            {isLast
              ? 'This ends your test. You can’t change your answers afterwards.'
              : 'You can’t come back to this section afterwards. The next section’s timer starts straight away.'}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel} data-autofocus>
              Keep working
            </Button>
            <Button onClick={onConfirm}>{isLast ? 'Submit test' : 'Submit section'}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function SubmitBanner({
  submit,
  timeUp,
  onRetry,
}: {
  submit: SubmitPhase;
  timeUp: boolean;
  onRetry: () => void;
}) {
  return (
    <div aria-live="polite" aria-atomic="true">
      {submit.phase === 'submitting' && (
        <Alert color={submit.reason === 'deadline' ? 'orange' : 'assay'} role="presentation">
          <Group gap="sm" wrap="nowrap">
            <Loader size="sm" aria-hidden />
            <Text size="sm" c="dark.7">
              {submit.reason === 'deadline'
                ? 'Time’s up for this section. Saving your last answers…'
                : 'Submitting your answers…'}
            </Text>
          </Group>
        </Alert>
      )}
      {submit.phase === 'waiting' && (
        <Alert color="orange" title="Not submitted yet" role="presentation">
          <Text size="sm" c="dark.7">
            {submit.message}
          </Text>
        </Alert>
      )}
      {submit.phase === 'failed' && (
        <Alert color="red" title="Your answers weren’t submitted" role="presentation">
          <Text size="sm">{submit.message}</Text>
          <Button size="xs" mt="sm" color="red" variant="light" onClick={onRetry}>
            Try again
          </Button>
        </Alert>
      )}
      {submit.phase === 'idle' && timeUp && (
        <Alert color="orange" role="presentation">
          <Text size="sm" c="dark.7">
            Time’s up for this section.
          </Text>
        </Alert>
      )}
    </div>
  );
}

/** Between two sections: the next one starts when the candidate is ready. */
function NextSection({
  state,
  onStarted,
  onConflict,
}: {
  state: AttemptState;
  onStarted: (state: AttemptState) => void;
  onConflict: (err: ApiError) => void;
}) {
  const index = state.currentSectionIndex ?? 0;
  const next = state.sections[index] as SectionSummary;
  const previous = state.sections[index - 1];
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <Stack gap="md">
      {previous && (
        <Alert color="assay" role="presentation">
          <Text size="sm" c="dark.7">
            “{previous.title}” is over and your answers are in.
          </Text>
        </Alert>
      )}
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Next: section {index + 1} of {state.sections.length}
          </Text>
          <Title order={1} size="h2" ref={heading} tabIndex={-1} style={{ outline: 'none' }}>
            {next.title}
          </Title>
          <List size="sm" spacing={2}>
            <List.Item>
              {next.kind === 'quiz'
                ? `${next.itemCount ?? 'Several'} multiple-choice questions`
                : 'A task where you upload your work'}
            </List.Item>
            <List.Item>{minutesText(next.timeLimitMs)}, starting when you press Start</List.Item>
          </List>
          <Text size="sm">
            Take a short break if you need one. The next timer only starts when you’re ready.
          </Text>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group>
            <Button
              size="md"
              loading={pending}
              onClick={async () => {
                setPending(true);
                setError(null);
                try {
                  onStarted(await take.startSection(next.key));
                } catch (err) {
                  if (err instanceof ApiError && err.status === 409) onConflict(err);
                  else setError(errorMessage(err));
                } finally {
                  setPending(false);
                }
              }}
            >
              Start section {index + 1}
            </Button>
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}

function useSetAttempt(queryClient: QueryClient) {
  return useCallback((state: AttemptState) => queryClient.setQueryData(attemptKey, state), [queryClient]);
}

function InProgress({ state, refetch }: { state: AttemptState; refetch: () => Promise<unknown> }) {
  const queryClient = useQueryClient();
  const setAttempt = useSetAttempt(queryClient);
  // The clock restarts from every server read, computed during render so that a new section never
  // shows for a moment with the previous section's time.
  const deadline = useMemo(
    () => (state.remainingMs === null ? null : performance.now() + state.remainingMs),
    [state],
  );
  const remaining = useRemaining(deadline);
  const [sessionMoved, setSessionMoved] = useState(!state.writer);
  const [generation, setGeneration] = useState(0);
  const [submit, setSubmit] = useState<SubmitPhase>({ phase: 'idle' });
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const uploads = useRef(new Set<Promise<unknown>>());
  const deadlineHandled = useRef<string | null>(null);
  const mounted = useRef(true);
  const heading = useRef<HTMLHeadingElement>(null);

  const current = state.phase === 'section' ? state.current : null;
  const index = state.currentSectionIndex ?? 0;
  const summary = state.sections[index];
  const isLast = index === state.sections.length - 1;
  const org = state.organization.name;
  const assessment = state.assessment.name;
  const quiz = current?.kind === 'quiz' ? current : null;
  const scope = useMemo(() => (quiz ? sectionScope(org, assessment, quiz) : null), [quiz, org, assessment]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  useEffect(() => {
    if (!state.writer) setSessionMoved(true);
  }, [state.writer]);

  const onConflict = useCallback(
    (err: ApiError) => {
      if (err.code === 'SESSION_MOVED') setSessionMoved(true);
      // ATTEMPT_CLOSED or a section that closed under us: read where things stand. A finished attempt
      // moves on to the result page; a closed section to the next one.
      else void refetch();
    },
    [refetch],
  );

  // One queue per quiz section of the attempt; a re-read of the same section keeps it.
  const onStale = () => {
    void refetch().then(() => setGeneration((g) => g + 1));
  };
  const handlers = useRef({ onConflict, onStale });
  handlers.current = { onConflict, onStale };
  const [queueOf, setQueueOf] = useState<{ scope: string; queue: AnswerQueue } | null>(null);
  const queue = queueOf && queueOf.scope === scope ? queueOf.queue : null;
  const firstLastSeq = useRef(0);
  firstLastSeq.current = quiz ? lastSeqOf(quiz) : 0;
  useEffect(() => {
    if (!scope) return;
    const q = new AnswerQueue(scope, firstLastSeq.current, {
      onConflict: (err) => handlers.current.onConflict(err),
      onStale: () => handlers.current.onStale(),
    });
    setQueueOf({ scope, queue: q });
    const onExit = () => q.sendOnExit();
    window.addEventListener('pagehide', onExit);
    return () => {
      window.removeEventListener('pagehide', onExit);
      q.dispose();
    };
  }, [scope]);

  useEffect(() => {
    queue?.setDeadline(deadline);
  }, [queue, deadline]);

  useEffect(() => {
    if (sessionMoved) queue?.block();
  }, [sessionMoved, queue]);

  useIntegritySignals(state.integritySignals, current !== null);

  const applyState = useCallback(
    (next: AttemptState) => {
      setAttempt(next);
      if (next.status !== 'in_progress') forgetPositions();
    },
    [setAttempt],
  );

  /**
   * The candidate submits (the section, or the test after the last one), or the time ran out.
   * Unsaved answers travel with the submit. When time runs out before the last section, the last
   * answers are saved and the next section waits for the candidate to start it.
   */
  const submitCurrent = useCallback(
    async (reason: 'candidate' | 'deadline') => {
      if (!current) return;
      setSubmit({ phase: 'submitting', reason });
      await queue?.hold();
      // An upload finishing in the last seconds still counts.
      if (uploads.current.size > 0) {
        await Promise.race([Promise.allSettled([...uploads.current]), sleep(UPLOAD_WAIT_MS)]);
      }
      const timeUpBeforeLast = reason === 'deadline' && !isLast;
      for (let tries = 0; mounted.current; tries++) {
        const answers = queue?.drain() ?? [];
        try {
          if (timeUpBeforeLast) {
            if (answers.length > 0) await take.saveAnswers(answers);
            queue?.acknowledge(answers);
            // The server closes the section once its grace period is over; then the next one waits.
            await sleep(Math.max(0, (deadline ?? 0) + state.graceMs + 500 - performance.now()));
            for (let reads = 0; reads < 10 && mounted.current; reads++) {
              const fresh = await take.attempt();
              if (fresh.phase !== 'section' || fresh.current?.key !== current.key) {
                applyState(fresh);
                break;
              }
              await sleep(1000);
            }
          } else {
            const next = isLast ? await take.submit(answers) : await take.submitSection(current.key, answers);
            queue?.acknowledge(answers);
            queue?.clear();
            applyState(next);
          }
          if (!mounted.current) return;
          setSubmit({ phase: 'idle' });
          heading.current?.focus();
          return;
        } catch (err) {
          if (isTransient(err)) {
            setSubmit({
              phase: 'waiting',
              message: navigator.onLine
                ? 'Assay can’t be reached right now. Your answers are kept on this device; we keep trying to submit them.'
                : 'You’re offline. Your answers are kept on this device and are submitted as soon as the connection returns.',
            });
            await waitForRetry(Math.min(30_000, 1000 * 2 ** tries));
            continue;
          }
          queue?.resume();
          if (err instanceof ApiError && err.code === 'SESSION_MOVED') {
            setSessionMoved(true);
            setSubmit({ phase: 'idle' });
          } else if (err instanceof ApiError && err.status === 409) {
            // Closed already (the server's clock got there first, or another window submitted).
            queue?.clear();
            await refetch();
            if (mounted.current) setSubmit({ phase: 'idle' });
          } else {
            setSubmit({ phase: 'failed', message: errorMessage(err) });
          }
          return;
        }
      }
    },
    [current, queue, isLast, deadline, state.graceMs, applyState, refetch],
  );

  // Time's up: hand in what there is, once per section.
  const timeUp = current !== null && remaining !== null && remaining <= 0;
  useEffect(() => {
    if (!current || !timeUp || submit.phase !== 'idle' || sessionMoved) return;
    if (deadlineHandled.current === current.key) return;
    deadlineHandled.current = current.key;
    setConfirm(null);
    void submitCurrent('deadline');
  }, [current, timeUp, submit.phase, sessionMoved, submitCurrent]);

  const sessionModal = (
    <SessionMovedModal
      opened={sessionMoved}
      onClaimed={(fresh) => {
        setSessionMoved(false);
        const q = fresh.current?.kind === 'quiz' ? lastSeqOf(fresh.current) : 0;
        queue?.unblock(q);
        applyState(fresh);
        // Show the answers as the other window left them, with this window's unsaved ones on top.
        setGeneration((g) => g + 1);
      }}
    />
  );

  if (state.phase === 'between-sections') {
    return (
      <TakeFrame title="Next section" organization={org} assessment={assessment}>
        <NextSection state={state} onStarted={applyState} onConflict={onConflict} />
        {sessionModal}
      </TakeFrame>
    );
  }

  if (!current || !summary || (quiz && !queue)) {
    return (
      <TakeFrame title="Your test" organization={org} assessment={assessment}>
        <LoadingState label="Loading your test" />
      </TakeFrame>
    );
  }

  const locked = timeUp || submit.phase !== 'idle' || sessionMoved;
  const aside = (
    <Group gap="md" wrap="wrap" justify="flex-end">
      {queue && <SaveStatusIndicator queue={queue} />}
      <Countdown remaining={remaining} sectionKey={current.key} />
    </Group>
  );

  return (
    <TakeFrame title={summary.title} organization={org} assessment={assessment} aside={aside}>
      <Stack gap="md">
        <div>
          <Text size="sm" c="dimmed">
            Section {index + 1} of {state.sections.length}
          </Text>
          <Title order={1} size="h2" ref={heading} tabIndex={-1} style={{ outline: 'none' }}>
            {summary.title}
          </Title>
        </div>
        <SubmitBanner submit={submit} timeUp={timeUp} onRetry={() => void submitCurrent('candidate')} />
        {current.kind === 'quiz' && queue && scope ? (
          <QuizSection
            key={`${scope}:${generation}`}
            scope={scope}
            section={current}
            queue={queue}
            isLast={isLast}
            locked={locked}
            onSubmit={(unanswered) => setConfirm({ kind: 'quiz', unanswered })}
          />
        ) : current.kind === 'upload' ? (
          <UploadSection
            key={`${current.key}:${generation}`}
            section={current}
            isLast={isLast}
            locked={locked}
            onConflict={onConflict}
            trackUpload={(p) => {
              uploads.current.add(p);
              void p.finally(() => uploads.current.delete(p));
            }}
            onSubmit={(files) => setConfirm({ kind: 'upload', files })}
          />
        ) : null}
      </Stack>
      <ConfirmSubmitModal
        confirm={confirm}
        isLast={isLast}
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          setConfirm(null);
          void submitCurrent('candidate');
        }}
      />
      {sessionModal}
    </TakeFrame>
  );
}

export function AttemptPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const attempt = useQuery({ queryKey: attemptKey, queryFn: take.attempt });
  const status = attempt.data?.status;
  const failedOffline = attempt.isError && isTransient(attempt.error);
  const { refetch } = attempt;

  useEffect(() => {
    if (status && status !== 'in_progress') navigate('/take/result', { replace: true });
  }, [status, navigate]);

  // Opened while offline: try again as soon as the connection returns.
  useEffect(() => {
    if (!failedOffline) return;
    const retry = () => void refetch();
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
  }, [failedOffline, refetch]);

  if (attempt.isPending) {
    return (
      <TakeFrame title="Your test">
        <LoadingState label="Loading your test" />
      </TakeFrame>
    );
  }
  if (attempt.isError) return <NotHere error={attempt.error} onRetry={() => void refetch()} />;
  if (attempt.data.status !== 'in_progress') {
    return (
      <TakeFrame title="Your test">
        <LoadingState label="Opening your result" />
      </TakeFrame>
    );
  }
  return (
    <InProgress
      state={attempt.data}
      refetch={() => queryClient.refetchQueries({ queryKey: attemptKey, exact: true })}
    />
  );
}
