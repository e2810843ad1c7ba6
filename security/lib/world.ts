// The in-process world most checks start from: the real app on a real database (SQLite, or a fresh
// PostgreSQL schema), two organizations with a member of every role, API keys of every scope, and
// one of everything an id can point at: an assessment with a quiz and an upload section, a candidate
// with a started attempt, an answer and an uploaded file.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Dialect } from '../../server/db/database.js';
import type { StaffActor } from '../../server/http/access.js';
import { newId } from '../../server/ids.js';
import type { MemberRole } from '../../server/modules/accounts/accounts.table.js';
import {
  asCandidate,
  type Browser,
  createTestAssessment,
  createTestInvitation,
  createTestQuestion,
  createTestUploadTask,
  quizSection,
  startBrowser,
  uploadSection,
} from '../../server/modules/attempts/attempts.factories.js';
import { orgWithTeam } from '../../server/test/factories.js';
import { type Agent, createTestApp, nextIp, type TestApp } from '../../server/test/harness.js';

export type Scale = 'test' | 'quick' | 'full';

export type CheckContext = {
  dialect: Dialect;
  scale: Scale;
  /** Seeds fast-check and any random schedule, so a failure replays. */
  seed: number;
  log: (message: string) => void;
};

/** Chooses a size by scale: `npm test`, `scorecard --quick` (CI) or the full scorecard. */
export function pick<T>(scale: Scale, sizes: { test: T; quick: T; full: T }): T {
  return sizes[scale];
}

export type ApiKeys = { read: string; write: string; admin: string };

export type OrgFixture = Awaited<ReturnType<typeof orgWithTeam>> & {
  actor: StaffActor;
  keys: ApiKeys;
  keyIds: Record<keyof ApiKeys, string>;
  assessmentId: string;
  taskId: string;
  questionIds: string[];
  invitation: { token: string; invitationId: string; candidateId: string; email: string };
  browser: Browser;
  attemptId: string;
  uploadId: string;
  endpointId: string;
};

export type World = { t: TestApp; a: OrgFixture; b: OrgFixture; close(): Promise<void> };

export const ROLES: MemberRole[] = ['owner', 'admin', 'recruiter', 'reviewer'];

/** Fires one request at the app with a fresh client address (per-address limits stay out of the way). */
export function call(
  app: FastifyInstance,
  opts: InjectOptions & { ip?: string },
): Promise<LightMyRequestResponse> {
  const { ip, ...rest } = opts;
  return app.inject({ remoteAddress: ip ?? nextIp(), ...rest });
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function createKey(t: TestApp, owner: Agent, scope: keyof ApiKeys) {
  const res = await call(t.app, {
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: owner.headers,
    payload: { name: `${scope} key`, scope },
  });
  if (res.statusCode !== 201 && res.statusCode !== 200)
    throw new Error(`api key: ${res.statusCode} ${res.body}`);
  const body = res.json() as { key: string; apiKey: { id: string } };
  return { key: body.key, id: body.apiKey.id };
}

export async function seedOrg(t: TestApp, org: Awaited<ReturnType<typeof orgWithTeam>>): Promise<OrgFixture> {
  const actor: StaffActor = {
    kind: 'staff',
    userId: org.userId,
    orgId: org.orgId,
    role: 'owner',
    via: 'session',
    sessionId: null,
    apiKeyId: null,
    mustChangePassword: false,
  };
  const testOrg = { ...org, actor };
  const questionIds: string[] = [];
  for (const kind of ['single', 'multiple', 'single', 'single'] as const)
    questionIds.push((await createTestQuestion(t.ctx, testOrg, { kind })).id);
  const task = await createTestUploadTask(t.ctx, testOrg, {
    accept: ['.sql', '.pdf', '.png', '.txt', '.md'],
    maxSizeMb: 1,
    maxFiles: 3,
    allowZip: true,
  });
  const assessmentId = await createTestAssessment(
    t.ctx,
    testOrg,
    [
      quizSection('quiz', 4, { minutes: 480 }),
      uploadSection('work', task.id, {
        minutes: 480,
        accept: ['.sql', '.pdf', '.png', '.txt', '.md'],
        maxSizeMb: 1,
        maxFiles: 3,
        allowZip: true,
      }),
    ],
    { feedbackPolicy: 'by-subtopic' },
  );
  const invitation = await createTestInvitation(t.ctx, testOrg, assessmentId);
  const browser = await startBrowser(t, invitation.token);
  const cand = asCandidate(t, browser);
  const state = (await cand.state()) as {
    current: { items: Array<{ key: string; options: Array<{ id: string }> }> };
  };
  const first = state.current.items[0];
  if (first) await cand.answer(first.key, [first.options[0]?.id ?? 'a'], 1);
  const attempt = await t.ctx.db
    .selectFrom('attempts')
    .select('id')
    .where('invitation_id', '=', invitation.invitationId)
    .executeTakeFirstOrThrow();
  // Move to the upload section and hand in one file, so uploads have an id too.
  await cand.post('/api/v1/take/sections/quiz/submit', {});
  const up = await cand.upload('work', 'work.sql', 'select 1;\n');
  if (up.statusCode !== 201) throw new Error(`seed upload: ${up.statusCode} ${up.body}`);
  const keys = {
    read: await createKey(t, org.agents.owner, 'read'),
    write: await createKey(t, org.agents.owner, 'write'),
    admin: await createKey(t, org.agents.owner, 'admin'),
  };
  const endpoint = await call(t.app, {
    method: 'POST',
    url: '/api/v1/webhook-endpoints',
    headers: org.agents.owner.headers,
    payload: { url: 'https://hooks.example.com/assay', eventTypes: ['attempt.graded'] },
  });
  return {
    ...org,
    actor,
    keys: { read: keys.read.key, write: keys.write.key, admin: keys.admin.key },
    keyIds: { read: keys.read.id, write: keys.write.id, admin: keys.admin.id },
    assessmentId,
    taskId: task.id,
    questionIds,
    invitation,
    browser,
    attemptId: attempt.id,
    uploadId: (up.json() as { id: string }).id,
    endpointId: (endpoint.json() as { endpoint: { id: string } }).endpoint.id,
  };
}

export async function createWorld(
  dialect: Dialect,
  opts: Parameters<typeof createTestApp>[1] = {},
): Promise<World> {
  const t = await createTestApp(dialect, opts);
  const a = await seedOrg(t, await orgWithTeam(t.app, t.ctx));
  const b = await seedOrg(t, await orgWithTeam(t.app, t.ctx));
  return { t, a, b, close: () => t.close() };
}

/**
 * One id of each kind of object an organization owns, by route parameter name, so route-walking
 * checks can fill every `:param`. Objects the world lacks are made here: a team invitation and its
 * email, a CSV import, a webhook delivery, a submitted attempt with a review item and a review, a
 * saved view.
 */
export async function objectIds(t: TestApp, org: OrgFixture): Promise<Record<string, string>> {
  const owner = org.agents.owner;
  const teamInv = await call(t.app, {
    method: 'POST',
    url: '/api/v1/team/invitations',
    headers: owner.headers,
    payload: { email: `invitee-${org.orgId.slice(-8)}@example.com`, role: 'recruiter' },
  });
  const csv = `email,name\ncsv-${org.orgId.slice(-8)}@example.com,Csv Person\n`;
  const boundary = '----assaycsv';
  const csvBody = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`,
  );
  const imp = await call(t.app, {
    method: 'POST',
    url: `/api/v1/assessments/${org.assessmentId}/imports`,
    headers: { ...owner.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: csvBody,
  });
  // A second candidate who hands in a file and submits, so there is something to review.
  const inv = await createTestInvitation(t.ctx, org, org.assessmentId);
  const cand = asCandidate(t, await startBrowser(t, inv.token));
  await cand.post('/api/v1/take/sections/quiz/submit', {});
  await cand.upload('work', 'review-me.sql', 'select 2;\n');
  await cand.post('/api/v1/take/submit', {});
  await t.runJobs();
  const submitted = await t.ctx.db
    .selectFrom('attempts')
    .select('id')
    .where('invitation_id', '=', inv.invitationId)
    .executeTakeFirstOrThrow();
  const item = await t.ctx.db
    .selectFrom('review_items')
    .select('id')
    .where('attempt_id', '=', submitted.id)
    .executeTakeFirst();
  let reviewId = '';
  if (item) {
    await call(t.app, {
      method: 'POST',
      url: `/api/v1/reviews/items/${item.id}/review`,
      headers: owner.headers,
      payload: { scores: { model: 1, keys: 1, indexes: 1 }, comment: 'Fine.' },
    });
    const row = await t.ctx.db
      .selectFrom('reviews')
      .select('id')
      .where('review_item_id', '=', item.id)
      .executeTakeFirst();
    reviewId = row?.id ?? '';
  }
  const now = t.clock.now();
  const viewId = newId(now);
  await t.ctx.db
    .insertInto('saved_views')
    .values({
      id: viewId,
      org_id: org.orgId,
      user_id: org.userId,
      name: 'View',
      assessment_id: null,
      query: '{}',
      created_at: now,
      updated_at: now,
    })
    .execute();
  const deliveryId = newId(now);
  await t.ctx.db
    .insertInto('webhook_deliveries')
    .values({
      id: deliveryId,
      org_id: org.orgId,
      endpoint_id: org.endpointId,
      event_id: newId(now),
      event_type: 'attempt.graded',
      attempt: 1,
      outcome: 'failed',
      status_code: 500,
      duration_ms: 3,
      response_excerpt: null,
      error: 'HTTP 500',
      created_at: now,
    })
    .execute();
  const email = await t.ctx.db
    .selectFrom('emails')
    .select('id')
    .where('org_id', '=', org.orgId)
    .orderBy('id')
    .executeTakeFirst();
  const session = await t.ctx.db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', org.userId)
    .executeTakeFirstOrThrow();
  const reviewer = await t.ctx.db
    .selectFrom('memberships')
    .select('user_id')
    .where('org_id', '=', org.orgId)
    .where('role', '=', 'reviewer')
    .executeTakeFirstOrThrow();
  const plan = await t.ctx.db
    .selectFrom('attempts')
    .select('plan')
    .where('id', '=', org.attemptId)
    .executeTakeFirstOrThrow();
  const firstItem = (JSON.parse(plan.plan) as { sections: Array<{ items?: Array<{ key: string }> }> })
    .sections[0]?.items?.[0]?.key;
  return {
    orgId: org.orgId,
    userId: reviewer.user_id,
    teamInvitationId: (teamInv.json() as { id: string }).id,
    emailId: email?.id ?? '',
    sessionId: session.id,
    questionId: org.questionIds[0] ?? '',
    taskId: org.taskId,
    assessmentId: org.assessmentId,
    invitationId: org.invitation.invitationId,
    importId: (imp.json() as { id: string }).id,
    apiKeyId: org.keyIds.read,
    endpointId: org.endpointId,
    deliveryId,
    attemptId: submitted.id,
    uploadId: org.uploadId,
    candidateId: org.invitation.candidateId,
    reviewItemId: item?.id ?? '',
    reviewId,
    viewId,
    itemKey: firstItem ?? 'x',
    sectionKey: 'work',
  };
}

/** Runs `fn` in batches of `size` concurrent calls. */
export async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}
