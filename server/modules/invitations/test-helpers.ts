// Shared steps for the assessments and invitations tests: requests as a signed-in member, an open
// assessment from a role template, reading sent mail, and multipart uploads.
import type { LightMyRequestResponse } from 'fastify';
import { openEmailBody } from '../../mail/mailer.js';
import { type Agent, nextIp, type TestApp } from '../../test/harness.js';

export type Api = ReturnType<typeof apiFor>;

export function apiFor(t: TestApp, agent: Agent) {
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: agent.headers,
      remoteAddress: nextIp(),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload?: unknown) => call('POST', url, payload),
    patch: (url: string, payload?: unknown) => call('PATCH', url, payload),
    delete: (url: string) => call('DELETE', url),
  };
}

/** A parsed JSON value, loosely typed as `res.json()` is. */
export type Json = ReturnType<typeof JSON.parse>;

/** The JSON body of a response that must have `status` (loosely typed, like `res.json()`). */
export function ok(res: LightMyRequestResponse, status = 200): Json {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.body ? res.json() : null;
}

export async function openAssessment(api: Api, roleTemplateId = 'backend-engineer', name?: string) {
  const created = ok(await api.post('/api/v1/assessments', { roleTemplateId, name }), 201);
  ok(await api.post(`/api/v1/assessments/${created.id}/open`));
  return created.id as string;
}

export async function mailTo(t: TestApp, to: string, kind?: string) {
  let q = t.ctx.db.selectFrom('emails').selectAll().where('to_address', '=', to.toLowerCase()).orderBy('id');
  if (kind) q = q.where('kind', '=', kind);
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, ...openEmailBody(t.ctx, r) }));
}

/** The token of the last link of `path` (e.g. '/i/') in the newest email to `to`. */
export async function linkTokenIn(t: TestApp, to: string, path: string, kind?: string) {
  const mails = await mailTo(t, to, kind);
  const last = mails.at(-1);
  if (!last) throw new Error(`no mail to ${to}`);
  const m = last.text.match(new RegExp(`${path.replace(/\//g, '\\/')}([A-Za-z0-9_-]+)`));
  if (!m?.[1]) throw new Error(`no ${path} link in mail to ${to}`);
  return m[1];
}

export function multipart(fieldName: string, filename: string, content: Buffer | string) {
  const boundary = `----assay${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${fieldName}"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    payload: Buffer.concat([head, Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

export async function uploadCsv(t: TestApp, agent: Agent, assessmentId: string, csv: string | Buffer) {
  const body = multipart('file', 'candidates.csv', csv);
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/assessments/${assessmentId}/imports`,
    headers: { ...agent.headers, 'content-type': body.contentType },
    payload: body.payload,
    remoteAddress: nextIp(),
  });
}
