// Invitation emails go out once, whatever retries happen around them: a client retrying its POST
// (with an Idempotency-Key, or a repeat invite), an SMTP server refusing a few times, a send job
// enqueued or run twice. One emails row per invitation send, one dedupe-keyed send job, one message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpTransport, sendEmailJob } from '../../mail/mailer.js';
import { orgWithTeam } from '../../test/factories.js';
import { createTestApp, dialects, type TestApp } from '../../test/harness.js';
import { startSmtpServer } from '../../test/smtp.js';
import { apiFor, ok, openAssessment } from '../invitations/test-helpers.js';

describe.each(dialects)('invitation emails are sent once (%s)', (dialect) => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let t: TestApp;
  let a: Awaited<ReturnType<typeof orgWithTeam>>;
  let key: string;

  beforeAll(async () => {
    smtp = await startSmtpServer({ failFirst: 2 });
    t = await createTestApp(dialect, {
      loadContent: true,
      overrides: { mailTransport: createSmtpTransport(smtp.url) },
    });
    a = await orgWithTeam(t.app, t.ctx);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: a.agents.owner.headers,
      payload: { name: 'ATS', scope: 'admin' },
    });
    key = res.json().key;
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  /** Runs the workers across enough time for every retry of a failing SMTP server. */
  async function deliverAll() {
    for (let i = 0; i < 6; i++) {
      await t.runJobs();
      t.clock.advance(15 * 60_000);
    }
    await t.runJobs();
  }

  async function sendsTo(to: string, kind: string) {
    const rows = await t.ctx.db
      .selectFrom('emails')
      .select(['id', 'status'])
      .where('to_address', '=', to)
      .where('kind', '=', kind)
      .execute();
    const jobs = await t.ctx.db
      .selectFrom('jobs')
      .select(['dedupe_key', 'state'])
      .where('name', '=', sendEmailJob.name)
      .where(
        'dedupe_key',
        'in',
        rows.map((r) => `mail:${r.id}`),
      )
      .execute();
    return { rows, jobs, received: smtp.received.filter((m) => m.to.includes(to)) };
  }

  async function runSendAgain(emailId: string) {
    // A second enqueue under the same key is a no-op; a duplicate run (a lost lease) sends nothing.
    expect(
      await t.ctx.jobs.enqueue(t.ctx.db, sendEmailJob, { emailId }, { key: `mail:${emailId}` }),
    ).toBeUndefined();
    await sendEmailJob.handler(t.ctx, { emailId }, { id: 'dup', attempt: 2, maxAttempts: 8 });
  }

  it('team invitation: a retried POST and a flaky SMTP server still make one message', async () => {
    const to = 'new.teammate@example.com';
    const post = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/team/invitations',
        headers: { authorization: `Bearer ${key}`, 'idempotency-key': 'team-invite-1' },
        payload: { email: to, role: 'reviewer' },
      });
    expect((await post()).statusCode).toBe(201);
    expect((await post()).headers['idempotent-replayed']).toBe('true');
    await deliverAll();
    const { rows, jobs, received } = await sendsTo(to, 'team-invitation');
    expect(rows).toMatchObject([{ status: 'sent' }]);
    expect(jobs).toMatchObject([{ state: 'succeeded' }]);
    expect(received).toHaveLength(1);
    await runSendAgain(rows[0]!.id);
    await deliverAll();
    expect((await sendsTo(to, 'team-invitation')).received).toHaveLength(1);
  });

  it('candidate invitation: inviting again and retrying the POST make one message', async () => {
    const api = apiFor(t, a.agents.recruiter);
    const assessmentId = await openAssessment(api);
    const to = 'candidate.once@example.com';
    const body = { email: to, name: 'Casey Once' };
    ok(await api.post(`/api/v1/assessments/${assessmentId}/invitations`, body), 201);
    ok(await api.post(`/api/v1/assessments/${assessmentId}/invitations`, body), 200);
    const viaKey = () =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/assessments/${assessmentId}/invitations`,
        headers: { authorization: `Bearer ${key}`, 'idempotency-key': 'cand-1' },
        payload: body,
      });
    expect((await viaKey()).statusCode).toBe(200);
    expect((await viaKey()).headers['idempotent-replayed']).toBe('true');
    await deliverAll();
    const { rows, jobs, received } = await sendsTo(to, 'candidate-invitation');
    expect(rows).toMatchObject([{ status: 'sent' }]);
    expect(jobs).toMatchObject([{ state: 'succeeded' }]);
    expect(received).toHaveLength(1);
    await runSendAgain(rows[0]!.id);
    expect((await sendsTo(to, 'candidate-invitation')).received).toHaveLength(1);
  });
});
