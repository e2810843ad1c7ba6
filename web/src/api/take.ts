// The candidate's side of the API: the invitation landing, the attempt, autosave, uploads, submit and
// the result. It has its own client and never touches the staff session: no CSRF token, no session
// query. Candidate writes carry the header the server requires of them, which a cross-site form can't
// send; the candidate cookie is HttpOnly and SameSite=Strict.
import createClient from 'openapi-fetch';
import { ApiError, unwrap } from './client';
import type { components, paths } from './schema';

export const CANDIDATE_HEADER = 'X-Assay-Candidate';

const candidateClient = createClient<paths>({
  baseUrl: '',
  credentials: 'same-origin',
  cache: 'no-store',
  headers: { accept: 'application/json', [CANDIDATE_HEADER]: '1' },
});

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Reply<
  P extends keyof paths,
  M extends 'get' | 'post' | 'put',
  S extends number = 200,
> = paths[P][M] extends {
  responses: infer R;
}
  ? S extends keyof R
    ? JsonOf<R[S]>
    : never
  : never;

/** What the invitation link shows before anything starts. */
export type Landing = components['schemas']['CandidateLanding'];
export type LandingSignal = Landing['integritySignals'][number];

export type AttemptState = Reply<'/api/v1/take/attempt', 'get'>;
export type AttemptStatus = AttemptState['status'];
export type SectionSummary = AttemptState['sections'][number];
/** What the candidate's browser may report (the assessment enables a subset). */
export type ClientSignal = AttemptState['integritySignals'][number];
type Current = NonNullable<AttemptState['current']>;
export type CurrentQuiz = Extract<Current, { kind: 'quiz' }>;
export type CurrentUpload = Extract<Current, { kind: 'upload' }>;
export type QuizItem = CurrentQuiz['items'][number];
export type UploadedFile = Reply<'/api/v1/take/uploads/{sectionKey}', 'post', 201>;
export type AnswerWrite = NonNullable<
  paths['/api/v1/take/answers']['put']['requestBody']
>['content']['application/json']['answers'][number];
export type SaveOutcome = Reply<'/api/v1/take/answers', 'put'>['results'][number];
export type TakeResult = Reply<'/api/v1/take/result', 'get'>;

/** The candidate's attempt, as the test and result pages read it. */
export const attemptKey = ['take', 'attempt'] as const;

/** A network failure or a server that is briefly unavailable: worth retrying the same request. */
export function isTransient(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    (err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500)
  );
}

const c = candidateClient;
const sectionPath = (sectionKey: string) => ({ params: { path: { sectionKey } } });

export const take = {
  /** What the invitation is for. No side effects on the server. */
  landing: (token: string) => unwrap(c.POST('/api/v1/take/landing', { body: { token } })),
  /** Records that the candidate opened the link (the first time only). */
  opened: (token: string) => unwrap(c.POST('/api/v1/take/opened', { body: { token } })),
  /** Starts the attempt, or continues it, and sets this browser's candidate cookie. */
  start: (token: string) => unwrap(c.POST('/api/v1/take/start', { body: { token } })),
  attempt: () => unwrap(c.GET('/api/v1/take/attempt')),
  saveAnswers: (answers: AnswerWrite[]) => unwrap(c.PUT('/api/v1/take/answers', { body: { answers } })),
  startSection: (sectionKey: string) =>
    unwrap(c.POST('/api/v1/take/sections/{sectionKey}/start', sectionPath(sectionKey))),
  submitSection: (sectionKey: string, answers: AnswerWrite[]) =>
    unwrap(
      c.POST('/api/v1/take/sections/{sectionKey}/submit', { ...sectionPath(sectionKey), body: { answers } }),
    ),
  submit: (answers: AnswerWrite[]) => unwrap(c.POST('/api/v1/take/submit', { body: { answers } })),
  claim: () => unwrap(c.POST('/api/v1/take/session/claim')),
  deleteUpload: (uploadId: string) =>
    unwrap(c.DELETE('/api/v1/take/uploads/{uploadId}', { params: { path: { uploadId } } })),
  result: () => unwrap(c.GET('/api/v1/take/result')),
};

/** Fire and forget: a lost signal never disturbs the candidate. */
export function sendIntegritySignal(type: ClientSignal): void {
  void c.POST('/api/v1/take/integrity', { body: { type }, keepalive: true }).catch(() => undefined);
}

export type UploadHandle = { promise: Promise<UploadedFile>; abort: () => void };

const NETWORK_MESSAGE = 'You’re offline or Assay can’t be reached. Check your connection and try again.';

/**
 * Uploads one file with progress (fetch can't report upload progress). Resolves with the stored file;
 * rejects with ApiError: code NETWORK when the connection dropped, ABORTED when cancelled, and the
 * server's error (413 too large, 415 wrong type) otherwise.
 */
export function uploadFile(
  sectionKey: string,
  file: File,
  onProgress: (fraction: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<UploadedFile>((resolve, reject) => {
    xhr.open('POST', `/api/v1/take/uploads/${encodeURIComponent(sectionKey)}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader(CANDIDATE_HEADER, '1');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => reject(new ApiError('NETWORK', NETWORK_MESSAGE, {}, 0));
    xhr.onabort = () => reject(new ApiError('ABORTED', 'The upload was cancelled.', {}, 0));
    xhr.onload = () => {
      const response = new Response(xhr.responseText || null, {
        status: xhr.status,
        headers: { 'content-type': 'application/json' },
      });
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      // unwrap turns an error reply into ApiError, exactly as for the other calls.
      unwrap(
        Promise.resolve(response.ok ? { data: body as UploadedFile, response } : { error: body, response }),
      )
        .then(resolve)
        .catch(reject);
    };
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
