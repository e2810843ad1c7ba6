// The privacy routes as an admin uses them: the export, erasure (idempotent, keeping scores), the
// retention setting and its job. The canary search over every store is in server/security/privacy.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgWithTeam } from '../../test/factories.js';
import { createTestApp, dialects, nextIp, type TestApp } from '../../test/harness.js';
import {
  asCandidate,
  createTestAssessment,
  createTestInvitation,
  createTestOrg,
  createTestQuestion,
  quizSection,
  startBrowser,
  type TestOrg,
} from '../attempts/attempts.factories.js';

const DAY = 24 * 3600_000;

describe.each(dialects)('privacy (%s)', (dialect) => {
  let t: TestApp;
  let team: Awaited<ReturnType<typeof orgWithTeam>>;
  let org: TestOrg;
  let assessmentId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    team = await orgWithTeam(t.app, t.ctx);
    org = {
      orgId: team.orgId,
      userId: team.userId,
      email: team.email,
      actor: {
        kind: 'staff',
        userId: team.userId,
        orgId: team.orgId,
        role: 'owner',
        via: 'session',
        sessionId: null,
        apiKeyId: null,
        mustChangePassword: false,
      },
    };
    await createTestQuestion(t.ctx, org);
    await createTestQuestion(t.ctx, org);
    assessmentId = await createTestAssessment(t.ctx, org, [quizSection('q', 2, { minutes: 30 })]);
  });
  afterAll(() => t.close());

  const as = (role: 'admin' | 'recruiter', method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: team.agents[role].headers, payload, remoteAddress: nextIp() });

  async function takenBy(email: string) {
    const inv = await createTestInvitation(t.ctx, org, assessmentId, { email });
    const cand = asCandidate(t, await startBrowser(t, inv.token));
    await cand.post('/api/v1/take/submit', {});
    await t.runJobs();
    return inv;
  }

  it('exports everything about a candidate, to admins only, and audits it', async () => {
    const inv = await takenBy('export.me@example.com');
    const res = await as('admin', 'GET', `/api/v1/candidates/${inv.candidateId}/export`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    const body = res.json();
    expect(body.candidate).toMatchObject({ id: inv.candidateId, email: 'export.me@example.com' });
    expect(body.invitations).toHaveLength(1);
    expect(body.attempts[0].status).toBe('graded');
    expect(body.attempts[0].sessions.length).toBeGreaterThan(0);
    expect((await as('recruiter', 'GET', `/api/v1/candidates/${inv.candidateId}/export`)).statusCode).toBe(
      403,
    );
    expect((await as('admin', 'GET', '/api/v1/candidates/nope/export')).statusCode).toBe(404);
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'target_id'])
      .where('action', '=', 'candidate.exported')
      .execute();
    expect(audit).toContainEqual({ action: 'candidate.exported', target_id: inv.candidateId });
  });

  it('erases personal data irreversibly, keeps the score, and is harmless to repeat', async () => {
    const inv = await takenBy('erase.me@example.com');
    const first = await as('admin', 'POST', `/api/v1/candidates/${inv.candidateId}/erase`);
    expect(first.statusCode).toBe(200);
    const again = await as('admin', 'POST', `/api/v1/candidates/${inv.candidateId}/erase`);
    expect(again.statusCode).toBe(200);
    const c = await t.ctx.db
      .selectFrom('candidates')
      .selectAll()
      .where('id', '=', inv.candidateId)
      .executeTakeFirstOrThrow();
    expect(c.name).toBe('Erased candidate');
    expect(c.email).not.toContain('erase.me');
    expect(c.erased_at).not.toBeNull();
    const attempt = await t.ctx.db
      .selectFrom('attempts')
      .select(['score', 'status'])
      .where('candidate_id', '=', inv.candidateId)
      .executeTakeFirstOrThrow();
    expect(attempt.score).not.toBeNull();
    expect(
      await t.ctx.db
        .selectFrom('emails')
        .select('id')
        .where('to_address', '=', 'erase.me@example.com')
        .execute(),
    ).toEqual([]);
  });

  it('validates the retention setting and enforces it from the decision on', async () => {
    expect((await as('admin', 'PUT', '/api/v1/privacy/settings', { retentionDays: 0 })).statusCode).toBe(400);
    expect((await as('admin', 'PUT', '/api/v1/privacy/settings', { retentionDays: 5000 })).statusCode).toBe(
      400,
    );
    expect((await as('recruiter', 'PUT', '/api/v1/privacy/settings', { retentionDays: 30 })).statusCode).toBe(
      403,
    );
    const set = await as('admin', 'PUT', '/api/v1/privacy/settings', { retentionDays: 10 });
    expect(set.json()).toMatchObject({ retentionDays: 10 });
    // A candidate rejected at the pipeline's stage is erased ten days later, not before.
    const inv = await takenBy('rejected.later@example.com');
    await t.ctx.db
      .updateTable('invitations')
      .set({ stage: 'rejected', updated_at: t.clock.now() })
      .where('id', '=', inv.invitationId)
      .execute();
    const erased = async () =>
      (
        await t.ctx.db
          .selectFrom('candidates')
          .select('erased_at')
          .where('id', '=', inv.candidateId)
          .executeTakeFirstOrThrow()
      ).erased_at !== null;
    t.clock.advance(9 * DAY);
    await t.runJobs();
    expect(await erased()).toBe(false);
    t.clock.advance(2 * DAY);
    await t.runJobs();
    expect(await erased()).toBe(true);
    expect(
      (await as('admin', 'PUT', '/api/v1/privacy/settings', { retentionDays: null })).json(),
    ).toMatchObject({
      retentionDays: null,
    });
  });

  it("keeps organizations apart: another organization's candidate is a 404", async () => {
    const other = await createTestOrg(t.ctx);
    const otherAssessment = await createTestAssessment(t.ctx, other, [quizSection('q', 1, { minutes: 30 })]);
    const theirs = await createTestInvitation(t.ctx, other, otherAssessment);
    expect((await as('admin', 'GET', `/api/v1/candidates/${theirs.candidateId}/export`)).statusCode).toBe(
      404,
    );
    expect((await as('admin', 'POST', `/api/v1/candidates/${theirs.candidateId}/erase`)).statusCode).toBe(
      404,
    );
  });
});
