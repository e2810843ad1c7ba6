// Test data for attempts: an organization's own questions and upload tasks (through the bank's
// service), an open assessment with exactly the sections a test needs, and invitations whose link
// token the test knows. Assessments and invitations are written as rows so each test controls every
// field (time limits, extra time, expiry) without going through the recruiter's screens.
import type { LightMyRequestResponse } from 'fastify';
import type { Ctx } from '../../context.js';
import { hashToken, randomToken } from '../../crypto.js';
import type { StaffActor } from '../../http/access.js';
import { newId } from '../../ids.js';
import { createOrgWithOwner } from '../../test/factories.js';
import { cookieFrom, nextIp, type TestApp } from '../../test/harness.js';
import {
  type AssessmentSettings,
  assessmentSettingsSchema,
  type Section,
  sectionSchema,
} from '../assessments/assessment.model.js';
import { type Difficulty, type QuestionKind, subtopicIds } from '../bank/bank.model.js';
import { createQuestion, createUploadTask } from '../bank/bank.service.js';

const meta = { ip: '127.0.0.1', requestId: 'factory', userAgent: 'factory' };

export type TestOrg = { orgId: string; userId: string; email: string; actor: StaffActor };

export async function createTestOrg(ctx: Ctx): Promise<TestOrg> {
  const org = await createOrgWithOwner(ctx);
  return {
    ...org,
    actor: {
      kind: 'staff',
      userId: org.userId,
      orgId: org.orgId,
      role: 'owner',
      via: 'session',
      sessionId: null,
      apiKeyId: null,
      mustChangePassword: false,
    },
  };
}

let questionNo = 0;

export type QuestionSpec = {
  subtopic?: string;
  difficulty?: Difficulty;
  kind?: QuestionKind;
  /** Default: single → ['a'], multiple → ['a', 'b'] among options a–d. */
  correct?: string[];
};

/** An organization's own question; its explanation text is unique, so leak checks can look for it. */
export async function createTestQuestion(ctx: Ctx, org: TestOrg, spec: QuestionSpec = {}) {
  const n = ++questionNo;
  const kind = spec.kind ?? 'single';
  const q = await createQuestion(
    ctx,
    org.actor,
    {
      kind,
      subtopic: spec.subtopic ?? 'databases',
      difficulty: spec.difficulty ?? 'easy',
      seconds: 60,
      tags: [],
      stem: `Question ${n}: which option is right?`,
      options: ['a', 'b', 'c', 'd'].map((id) => ({
        id,
        text: `Option ${id.toUpperCase()} of question ${n}`,
      })),
      correct: spec.correct ?? (kind === 'single' ? ['a'] : ['a', 'b']),
      explanation: `SECRET-EXPLANATION-${n}-${randomToken(6)}`,
    },
    meta,
  );
  return q as { id: string };
}

export async function createTestUploadTask(
  ctx: Ctx,
  org: TestOrg,
  spec: { accept?: string[]; maxSizeMb?: number; maxFiles?: number; allowZip?: boolean } = {},
) {
  const level = (score: number) => ({ score, descriptor: `SECRET-RUBRIC level ${score}` });
  const criterion = (id: string) => ({ id, name: `Criterion ${id}`, levels: [level(0), level(1), level(2)] });
  return (await createUploadTask(
    ctx,
    org.actor,
    {
      title: 'Design a schema',
      subtopics: ['databases'],
      minutes: 30,
      accept: spec.accept ?? ['.sql', '.pdf'],
      maxSizeMb: spec.maxSizeMb ?? 1,
      maxFiles: spec.maxFiles ?? 2,
      allowZip: spec.allowZip ?? false,
      prompt: 'Hand in a schema for the orders service.',
      rubric: [criterion('model'), criterion('keys'), criterion('indexes')],
      reviewerNotes: 'SECRET-REVIEWER-NOTES: look for a composite index.',
    },
    meta,
  )) as { id: string };
}

/** A quiz section that draws `count` of the organization's own easy questions of one subtopic. */
export function quizSection(
  key: string,
  count: number,
  extra: Partial<Section> & { subtopic?: string } = {},
): Section {
  const { subtopic = 'databases', ...rest } = extra;
  return sectionSchema.parse({
    key,
    kind: 'quiz',
    title: `Quiz ${key}`,
    minutes: 10,
    questionCount: count,
    subtopicWeights: Object.fromEntries(subtopicIds.map((id) => [id, id === subtopic ? 100 : 0])),
    difficulty: { easy: 100, medium: 0, hard: 0 },
    shuffleQuestions: false,
    shuffleOptions: true,
    ownQuestionsOnly: true,
    ...rest,
  });
}

export function uploadSection(key: string, taskId: string, extra: Partial<Section> = {}): Section {
  return sectionSchema.parse({
    key,
    kind: 'upload',
    title: `Upload ${key}`,
    minutes: 20,
    taskId,
    accept: ['.sql', '.pdf'],
    maxSizeMb: 1,
    maxFiles: 2,
    ...extra,
  });
}

export async function createTestAssessment(
  ctx: Ctx,
  org: TestOrg,
  sections: Section[],
  settings: Partial<AssessmentSettings> = {},
) {
  const now = ctx.clock.now();
  const id = newId(now);
  await ctx.db
    .insertInto('assessments')
    .values({
      id,
      org_id: org.orgId,
      name: `Assessment ${id.slice(-4)}`,
      role_template_id: null,
      state: 'open',
      settings: JSON.stringify(assessmentSettingsSchema.parse(settings)),
      sections: JSON.stringify(sections),
      revision: 1,
      public_link_hash: null,
      is_demo: 0,
      created_by: org.userId,
      created_at: now,
      updated_at: now,
      opened_at: now,
      closed_at: null,
    })
    .execute();
  return id;
}

export async function createTestInvitation(
  ctx: Ctx,
  org: Pick<TestOrg, 'orgId'>,
  assessmentId: string,
  opts: { extraTime?: number; expiresInMs?: number; email?: string } = {},
) {
  const now = ctx.clock.now();
  const candidateId = newId(now);
  const email = opts.email ?? `candidate-${candidateId.slice(-8)}@example.com`;
  await ctx.db
    .insertInto('candidates')
    .values({
      id: candidateId,
      org_id: org.orgId,
      email,
      name: 'Casey Candidate',
      external_id: null,
      is_demo: 0,
      erased_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const token = randomToken(32);
  const invitationId = newId(now);
  await ctx.db
    .insertInto('invitations')
    .values({
      id: invitationId,
      org_id: org.orgId,
      assessment_id: assessmentId,
      candidate_id: candidateId,
      token_hash: hashToken(token),
      source: 'single',
      status: 'invited',
      stage: 'new',
      extra_time: opts.extraTime ?? 1,
      reminders_sent: 0,
      created_at: now,
      sent_at: now,
      opened_at: null,
      started_at: null,
      completed_at: null,
      revoked_at: null,
      expires_at: now + (opts.expiresInMs ?? 14 * 24 * 3600_000),
      updated_at: now,
    })
    .execute();
  return { token, invitationId, candidateId, email };
}

/** One candidate browser: its cookie, the CSRF header, an address and a user agent. */
export type Browser = {
  headers: Record<string, string>;
  ip: string;
  cookie: string;
};

export async function startBrowser(t: TestApp, token: string, ua = 'TestBrowser/1.0'): Promise<Browser> {
  const ip = nextIp();
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/take/start',
    payload: { token },
    headers: { 'user-agent': ua },
    remoteAddress: ip,
  });
  if (res.statusCode !== 200) throw new Error(`start failed: ${res.statusCode} ${res.body}`);
  const cookie = cookieFrom(res);
  return { cookie, ip, headers: { cookie, 'x-assay-candidate': '1', 'user-agent': ua } };
}

export function asCandidate(t: TestApp, b: Browser) {
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: b.headers,
      remoteAddress: b.ip,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    browser: b,
    get: (url: string) => call('GET', url),
    post: (url: string, payload?: unknown) => call('POST', url, payload),
    put: (url: string, payload?: unknown) => call('PUT', url, payload),
    delete: (url: string) => call('DELETE', url),
    state: async () => json(await call('GET', '/api/v1/take/attempt')),
    answer: (itemKey: string, choice: string[], seq: number) =>
      call('PUT', `/api/v1/take/answers/${itemKey}`, { choice, seq }),
    upload: (
      sectionKey: string,
      filename: string,
      content: Buffer | string,
      opts: { filenameStar?: boolean } = {},
    ) => {
      const body = filePart(filename, content, opts);
      return t.app.inject({
        method: 'POST',
        url: `/api/v1/take/uploads/${sectionKey}`,
        headers: { ...b.headers, 'content-type': body.contentType },
        payload: body.payload,
        remoteAddress: b.ip,
      });
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read replies loosely
export function json<T = Record<string, any>>(res: LightMyRequestResponse, status = 200): T {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json() as T;
}

/** A multipart body with one file; `filenameStar` sends the name RFC 5987-encoded (for odd bytes). */
export function filePart(filename: string, content: Buffer | string, opts: { filenameStar?: boolean } = {}) {
  const boundary = `----assay${randomToken(8)}`;
  const disposition = opts.filenameStar
    ? `filename*=UTF-8''${encodeURIComponent(filename)}`
    : `filename="${filename}"`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; ${disposition}\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    payload: Buffer.concat([head, Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
