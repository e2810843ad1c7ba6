// Walks every route the app registers: each staff route refuses exactly the roles the permission
// matrix excludes, and no route lets organization A read or change organization B's data. New routes
// are covered automatically; a route with an id parameter this file can't fill fails the test.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteRecord, routesOf } from '../app.js';
import type { Ctx } from '../context.js';
import { newId } from '../ids.js';
import { can, type Permission } from '../modules/accounts/permissions.js';
import { asCandidate, createTestInvitation, startBrowser } from '../modules/attempts/attempts.factories.js';
import { uploadCsv } from '../modules/invitations/test-helpers.js';
import { orgWithTeam, PASSWORD } from '../test/factories.js';
import { type Agent, createTestApp, dialects, nextIp, signInAgent, type TestApp } from '../test/harness.js';

const staffRoutes = (app: FastifyInstance) =>
  routesOf(app).filter(
    (r) => r.method !== 'HEAD' && (r.access?.kind === 'staff' || r.access?.kind === 'user'),
  );

const fill = (url: string, ids: Record<string, string>) =>
  url.replace(/:([A-Za-z]\w*)/g, (_, name: string) => {
    const id = ids[name];
    if (!id)
      throw new Error(`No fixture for route parameter :${name} in ${url}; add one to access-matrix.test.ts`);
    return id;
  });

/** Bodies that pass validation, so a request reaches the service and its tenant check. */
const validBodies: Record<string, unknown> = {
  'PATCH /api/v1/team/members/:userId': { role: 'reviewer' },
  'PATCH /api/v1/organization': { name: 'Hijacked' },
  'POST /api/v1/team/invitations': { email: 'someone.new@example.com', role: 'reviewer' },
  'POST /api/v1/auth/switch-organization': { organizationId: ':orgId' },
  'POST /api/v1/auth/password': { currentPassword: PASSWORD, newPassword: PASSWORD },
  'PATCH /api/v1/webhook-endpoints/:endpointId': { description: 'Hijacked' },
  'PATCH /api/v1/questions/:questionId': { stem: 'Hijacked' },
  'PATCH /api/v1/upload-tasks/:taskId': { title: 'Hijacked' },
  'PATCH /api/v1/assessments/:assessmentId': { name: 'Hijacked' },
  'POST /api/v1/assessments/:assessmentId/invitations': { email: 'intruder@example.com', name: 'Intruder' },
  'POST /api/v1/assessments/:assessmentId/invitations/bulk': { action: 'revoke', invitationIds: ['x'] },
  'PUT /api/v1/privacy/settings': { retentionDays: 30 },
  'POST /api/v1/invitations/:invitationId/stage': { stage: 'rejected' },
  'POST /api/v1/invitations/:invitationId/notes': { body: 'Hijacked' },
  'POST /api/v1/attempts/:attemptId/extra-time': { minutes: 5 },
  'PATCH /api/v1/saved-views/:viewId': { name: 'Hijacked' },
  'POST /api/v1/reviews/items/:reviewItemId/review': { scores: { a: 1, b: 1, c: 1 } },
  'PATCH /api/v1/reviews/items/:reviewItemId/review': { scores: { a: 0, b: 0, c: 0 } },
};

function bodyFor(r: RouteRecord, ids: Record<string, string>) {
  const b = validBodies[`${r.method} ${r.url}`];
  return b === undefined ? undefined : JSON.parse(fill(JSON.stringify(b), ids));
}

/** Everything organization B owns, to compare before and after A's attempts. */
async function snapshotOrg(ctx: Ctx, orgId: string) {
  const memberIds = (
    await ctx.db.selectFrom('memberships').select('user_id').where('org_id', '=', orgId).execute()
  ).map((m) => m.user_id);
  return JSON.stringify({
    org: await ctx.db.selectFrom('organizations').selectAll().where('id', '=', orgId).execute(),
    members: await ctx.db
      .selectFrom('memberships')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('user_id')
      .execute(),
    invitations: await ctx.db
      .selectFrom('team_invitations')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
    emails: await ctx.db
      .selectFrom('emails')
      .select(['id', 'status', 'to_address'])
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
    sessions: await ctx.db
      .selectFrom('sessions')
      .select(['id', 'org_id'])
      .where('user_id', 'in', memberIds)
      .orderBy('id')
      .execute(),
    users: await ctx.db
      .selectFrom('users')
      .select(['id', 'email', 'password_hash'])
      .where('id', 'in', memberIds)
      .orderBy('id')
      .execute(),
    apiKeys: await ctx.db
      .selectFrom('api_keys')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
    webhookEndpoints: await ctx.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
    webhookJobs: await ctx.db
      .selectFrom('jobs')
      .select(['id', 'dedupe_key'])
      .where('name', '=', 'webhooks.deliver')
      .orderBy('id')
      .execute(),
    questions: await ctx.db
      .selectFrom('questions')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
    uploadTasks: await ctx.db
      .selectFrom('upload_tasks')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
    assessments: await ctx.db
      .selectFrom('assessments')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
    candidates: await ctx.db
      .selectFrom('candidates')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
    candidateInvitations: await ctx.db
      .selectFrom('invitations')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
    candidateImports: await ctx.db
      .selectFrom('candidate_imports')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
    attempts: await ctx.db
      .selectFrom('attempts')
      .select(['id', 'status', 'session_id', 'plan'])
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
    uploads: await ctx.db
      .selectFrom('uploads')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute(),
  });
}

describe.each(dialects)('access matrix (%s)', (dialect) => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof orgWithTeam>>;
  let b: Awaited<ReturnType<typeof orgWithTeam>>;
  let bIds: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    a = await orgWithTeam(t.app, t.ctx);
    b = await orgWithTeam(t.app, t.ctx);
    // Give B one of everything an id can point at.
    const inv = await t.app.inject({
      method: 'POST',
      url: '/api/v1/team/invitations',
      headers: b.agents.owner.headers,
      payload: { email: 'b.invitee@example.com', role: 'recruiter' },
      remoteAddress: nextIp(),
    });
    await t.runJobs();
    const email = await t.ctx.db
      .selectFrom('emails')
      .select('id')
      .where('org_id', '=', b.orgId)
      .executeTakeFirstOrThrow();
    const bSession = await t.ctx.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', b.userId)
      .executeTakeFirstOrThrow();
    const bReviewer = await t.ctx.db
      .selectFrom('memberships')
      .select('user_id')
      .where('org_id', '=', b.orgId)
      .where('role', '=', 'reviewer')
      .executeTakeFirstOrThrow();
    // B's own bank items (built-in ones are shared, so they prove nothing about isolation).
    const question = await t.app.inject({
      method: 'POST',
      url: '/api/v1/questions',
      headers: b.agents.owner.headers,
      payload: {
        kind: 'single',
        subtopic: 'databases',
        difficulty: 'easy',
        seconds: 30,
        stem: "B's own question",
        options: [
          { id: 'a', text: 'Yes' },
          { id: 'b', text: 'No' },
        ],
        correct: ['a'],
        explanation: 'Because.',
      },
      remoteAddress: nextIp(),
    });
    const level = (score: number) => ({ score, descriptor: `Level ${score}` });
    const criterion = (id: string) => ({ id, name: id, levels: [level(0), level(1), level(2)] });
    const task = await t.app.inject({
      method: 'POST',
      url: '/api/v1/upload-tasks',
      headers: b.agents.owner.headers,
      payload: {
        title: "B's own task",
        subtopics: ['databases'],
        minutes: 30,
        accept: ['.sql'],
        maxSizeMb: 1,
        prompt: 'Hand in a schema.',
        rubric: [criterion('a'), criterion('b'), criterion('c')],
        reviewerNotes: 'Notes.',
      },
      remoteAddress: nextIp(),
    });
    // B's assessment (upload-only, on B's own task, so no content is needed), an invitation to it and
    // a CSV import.
    const asB = (method: 'POST' | 'PATCH', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: b.agents.owner.headers, payload, remoteAddress: nextIp() });
    const bAssessment = (await asB('POST', '/api/v1/assessments', { name: "B's assessment" })).json();
    await asB('PATCH', `/api/v1/assessments/${bAssessment.id}`, {
      sections: [
        {
          key: 'upload-1',
          kind: 'upload',
          title: 'Schema',
          minutes: 30,
          taskId: task.json().id,
          accept: ['.sql'],
          maxSizeMb: 1,
        },
      ],
    });
    await asB('POST', `/api/v1/assessments/${bAssessment.id}/open`);
    const bInvitation = (
      await asB('POST', `/api/v1/assessments/${bAssessment.id}/invitations`, {
        email: 'b.candidate@example.com',
        name: 'B Candidate',
      })
    ).json();
    const bImport = (
      await uploadCsv(t, b.agents.owner, bAssessment.id, 'email,name\nb.csv@example.com,B Csv\n')
    ).json();
    // B's API key, webhook endpoint and one logged delivery to it.
    const bKey = (await asB('POST', '/api/v1/api-keys', { name: "B's key", scope: 'read' })).json();
    const bEndpoint = (
      await asB('POST', '/api/v1/webhook-endpoints', {
        url: 'https://hooks.example.com/b',
        eventTypes: ['attempt.graded'],
      })
    ).json();
    const bDeliveryId = newId();
    await t.ctx.db
      .insertInto('webhook_deliveries')
      .values({
        id: bDeliveryId,
        org_id: b.orgId,
        endpoint_id: bEndpoint.endpoint.id,
        event_id: newId(),
        event_type: 'attempt.graded',
        attempt: 1,
        outcome: 'failed',
        status_code: 500,
        duration_ms: 12,
        response_excerpt: null,
        error: 'HTTP 500',
        created_at: t.clock.now(),
      })
      .execute();
    // B's candidate attempt at that assessment, with one uploaded file.
    const bAttemptInvitation = await createTestInvitation(t.ctx, { orgId: b.orgId }, bAssessment.id);
    const bUpload = (
      await asCandidate(t, await startBrowser(t, bAttemptInvitation.token)).upload(
        'upload-1',
        'b.sql',
        'select 1;\n',
      )
    ).json();
    const bAttempt = await t.ctx.db
      .selectFrom('attempts')
      .select('id')
      .where('invitation_id', '=', bAttemptInvitation.invitationId)
      .executeTakeFirstOrThrow();
    // B's attempt submitted: its upload section in B's review queue, reviewed once; a saved view.
    await asCandidate(t, await startBrowser(t, bAttemptInvitation.token)).post('/api/v1/take/submit', {});
    await t.runJobs();
    const bReviewItem = await t.ctx.db
      .selectFrom('review_items')
      .select('id')
      .where('attempt_id', '=', bAttempt.id)
      .executeTakeFirstOrThrow();
    await asB('POST', `/api/v1/reviews/items/${bReviewItem.id}/review`, { scores: { a: 2, b: 1, c: 0 } });
    const bReview = await t.ctx.db
      .selectFrom('reviews')
      .select('id')
      .where('review_item_id', '=', bReviewItem.id)
      .executeTakeFirstOrThrow();
    const bView = (await asB('POST', '/api/v1/saved-views', { name: "B's view", query: {} })).json();
    bIds = {
      orgId: b.orgId,
      userId: bReviewer.user_id,
      teamInvitationId: inv.json().id,
      emailId: email.id,
      sessionId: bSession.id,
      questionId: question.json().id,
      taskId: task.json().id,
      assessmentId: bAssessment.id,
      invitationId: bInvitation.invitation.id,
      importId: bImport.id,
      apiKeyId: bKey.apiKey.id,
      endpointId: bEndpoint.endpoint.id,
      deliveryId: bDeliveryId,
      attemptId: bAttempt.id,
      uploadId: bUpload.id,
      candidateId: bInvitation.invitation.candidate.id,
      reviewItemId: bReviewItem.id,
      reviewId: bReview.id,
      viewId: bView.id,
    };
  });
  afterAll(() => t.close());

  it('refuses each staff route to exactly the roles its permission excludes', async () => {
    const mismatches: string[] = [];
    const routes = staffRoutes(t.app);
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) {
      for (const role of ['owner', 'admin', 'recruiter', 'reviewer'] as const) {
        // Fresh sign-in per call: some routes (sign-out, password change) end sessions.
        const agent: Agent = await signInAgent(
          t.app,
          role === 'owner' ? a.email : await emailOf(t.ctx, a.orgId, role),
          PASSWORD,
        );
        const url = fill(r.url, {
          ...bIds,
          userId: '00000000-0000-7000-8000-000000000000',
          teamInvitationId: 'x',
          emailId: 'x',
          sessionId: 'x',
          orgId: a.orgId,
        });
        const res = await t.app.inject({
          method: r.method as 'GET',
          url,
          headers: agent.headers,
          payload: bodyFor(r, { orgId: a.orgId }),
          remoteAddress: nextIp(),
        });
        const allowed =
          r.access?.kind === 'user' || can(role, (r.access as { permission: Permission }).permission);
        const refused = res.statusCode === 403 && res.json().error.code === 'FORBIDDEN';
        if (allowed === refused)
          mismatches.push(`${role} ${r.method} ${r.url}: ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it("never lets organization A read or change organization B's data", async () => {
    const before = await snapshotOrg(t.ctx, b.orgId);
    const leaks: string[] = [];
    const pointsAtSomething = (r: RouteRecord) =>
      r.url.includes(':') || /":":\w/.test(JSON.stringify(validBodies[`${r.method} ${r.url}`] ?? ''));
    for (const r of staffRoutes(t.app).filter(pointsAtSomething)) {
      for (const role of ['owner', 'admin'] as const) {
        const agent = await signInAgent(
          t.app,
          role === 'owner' ? a.email : await emailOf(t.ctx, a.orgId, role),
          PASSWORD,
        );
        const res = await t.app.inject({
          method: r.method as 'GET',
          url: fill(r.url, bIds),
          headers: agent.headers,
          payload: bodyFor(r, bIds),
          remoteAddress: nextIp(),
        });
        if (res.statusCode !== 404) leaks.push(`${role} ${r.method} ${r.url} → ${res.statusCode}`);
        for (const id of Object.values(bIds))
          if (res.body.includes(id)) leaks.push(`${r.method} ${r.url} echoed B's id ${id}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(await snapshotOrg(t.ctx, b.orgId)).toEqual(before);
  });

  it("keeps lists scoped to the caller's organization", async () => {
    const lists = staffRoutes(t.app).filter((r) => r.method === 'GET' && !r.url.includes(':'));
    const bMarkers = [b.email, b.orgId, bIds.teamInvitationId!, bIds.emailId!];
    for (const r of lists) {
      const res = await t.app.inject({
        method: 'GET',
        url: r.url,
        headers: a.agents.owner.headers,
        remoteAddress: nextIp(),
      });
      for (const m of bMarkers) expect(res.body, `${r.url} leaks ${m}`).not.toContain(m);
    }
  });
});

async function emailOf(ctx: Ctx, orgId: string, role: string) {
  const r = await ctx.db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('u.email')
    .where('m.org_id', '=', orgId)
    .where('m.role', '=', role as 'owner')
    .executeTakeFirstOrThrow();
  return r.email;
}
