// The one way the web app talks to the API: typed paths from the OpenAPI contract, the session cookie,
// the CSRF header on every state-changing request, and errors turned into ApiError.
import createClient from 'openapi-fetch';
import type { paths } from './schema';

/** An error reply from the API, or a network failure (code NETWORK, status 0). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Field errors keyed as the server sends them, e.g. "body.email". */
    readonly fields: Record<string, string>,
    readonly status: number,
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// The token of the current session. Whatever reads a Session from the API stores its token here.
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

function withCsrf(request: Request): Request {
  if (SAFE_METHODS.has(request.method) || !csrfToken) return request;
  request.headers.set('X-CSRF-Token', csrfToken);
  return request;
}

async function refreshCsrfToken(): Promise<boolean> {
  const res = await fetch('/api/v1/auth/session', {
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  });
  if (!res.ok) return false;
  const body = (await res.json().catch(() => null)) as { csrfToken?: unknown } | null;
  if (typeof body?.csrfToken !== 'string') return false;
  setCsrfToken(body.csrfToken);
  return true;
}

async function errorCodeOf(res: Response): Promise<string | undefined> {
  const body = (await res
    .clone()
    .json()
    .catch(() => null)) as { error?: { code?: unknown } } | null;
  return typeof body?.error?.code === 'string' ? body.error.code : undefined;
}

// Another tab may have signed in again, which rotates the session and its token. A stale token gets
// CSRF_FAILED: fetch the current one and retry the request once.
async function apiFetch(request: Request): Promise<Response> {
  const retry = SAFE_METHODS.has(request.method) ? null : request.clone();
  const res = await fetch(withCsrf(request));
  if (
    retry &&
    res.status === 403 &&
    (await errorCodeOf(res)) === 'CSRF_FAILED' &&
    (await refreshCsrfToken())
  ) {
    return fetch(withCsrf(retry));
  }
  return res;
}

export const client = createClient<paths>({
  baseUrl: '',
  credentials: 'same-origin',
  headers: { accept: 'application/json' },
  fetch: apiFetch,
});

type ErrorBody = {
  error?: { code?: unknown; message?: unknown; details?: { fields?: unknown } };
  requestId?: unknown;
};

function toApiError(body: unknown, response: Response): ApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as ErrorBody;
  const code = typeof b.error?.code === 'string' ? b.error.code : `HTTP_${response.status}`;
  const message =
    typeof b.error?.message === 'string'
      ? b.error.message
      : response.status >= 500
        ? 'Something went wrong on our side. Try again in a moment.'
        : `The request failed (${response.status}).`;
  const fields: Record<string, string> = {};
  const raw = b.error?.details?.fields;
  if (raw && typeof raw === 'object') {
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value === 'string') fields[key] = value;
    }
  }
  return new ApiError(
    code,
    message,
    fields,
    response.status,
    typeof b.requestId === 'string' ? b.requestId : null,
  );
}

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** Awaits an openapi-fetch call and returns its data, or throws ApiError. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError('NETWORK', "Couldn't reach Assay. Check your connection and try again.", {}, 0);
  }
  if (!result.response.ok) throw toApiError(result.error, result.response);
  return result.data as T;
}

/** Field errors with the request part dropped: "body.email" becomes "email". */
export function fieldErrorsOf(err: ApiError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(err.fields)) {
    out[key.replace(/^(body|querystring|query|params)\./, '')] = message;
  }
  return out;
}
