// Invitations through the API: inviting (idempotently), the secret link (never stored or logged in
// plain text), landing without side effects, opened once, reminders, resend/revoke/extend, the list,
// and public-link self-registration with verification and a cap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../crypto.js';
import { orgWithTeam } from '../../test/factories.js';
import { createTestApp, dialects, nextIp, type TestApp } from '../../test/harness.js';
import {
  findCandidateContact,
  findLiveInvitationByToken,
  markInvitationStarted,
} from './invitations.service.js';
import { type Api, apiFor, type Json, linkTokenIn, mailTo, ok, openAssessment } from './test-helpers.js';

const DAY = 24 * 3600_000;
const HOUR = 3600_000;

describe.each(dialects)('invitations (%s)', (dialect) => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof orgWithTeam>>;
  let api: Api;
  let assessmentId: string;
  let n = 0;
  const email = (tag: string) => `${tag}.${++n}@candidates.example`;

  beforeAll(async () => {
    t = await createTestApp(dialect, { loadContent: true });
    a = await orgWithTeam(t.app, t.ctx);
    api = apiFor(t, a.agents.recruiter);
    assessmentId = await openAssessment(api, 'backend-engineer', 'Backend hiring');
  });
  afterAll(() => t.close());

  const invite = async (body: Record<string, unknown>, id = assessmentId) =>
    api.post(`/api/v1/assessments/${id}/invitations`, body);
  const pub = (url: string, payload: object, ip = nextIp()) =>
    t.app.inject({ method: 'POST', url, payload, remoteAddress: ip });
  const eventsOf = (subjectId: string) =>
    t.ctx.db.selectFrom('events').selectAll().where('subject_id', '=', subjectId).orderBy('id').execute();
  const invitationRow = (id: string) =>
    t.ctx.db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  async function invited(tag: string, extra: Record<string, unknown> = {}) {
    const to = email(tag);
    const r = ok(await invite({ email: to, name: `Cand ${tag}`, ...extra }), 201);
    return { to, id: r.invitation.id as string, token: await linkTokenIn(t, to, '/i/') };
  }

  it('invites one candidate: an email with the link, an event with ids only, and an idempotent repeat', async () => {
    const to = email('ada');
    const res = await invite({
      email: to.toUpperCase(),
      name: 'Ada Lovelace',
      externalId: 'ATS-1',
      extraTime: 1.5,
    });
    const body = ok(res, 201);
    expect(body.created).toBe(true);
    expect(body.invitation).toMatchObject({
      status: 'invited',
      stage: 'new',
      source: 'single',
      extraTime: 1.5,
      candidate: { name: 'Ada Lovelace', email: to, externalId: 'ATS-1' },
    });
    const expires = Date.parse(body.invitation.expiresAt);
    expect(expires).toBe(t.clock.now() + 14 * DAY);

    const mails = await mailTo(t, to);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.subject).toContain('Backend hiring');
    const org = await t.ctx.db
      .selectFrom('organizations')
      .select('name')
      .where('id', '=', a.orgId)
      .executeTakeFirstOrThrow();
    for (const part of [mail!.text, mail!.html]) {
      expect(part).toContain(org.name);
      expect(part).toContain('Backend hiring');
      expect(part).toContain(new Date(expires).toUTCString());
      expect(part).toMatch(/http:\/\/assay\.test\/i\/[A-Za-z0-9_-]{43}/);
    }

    const events = await eventsOf(body.invitation.id);
    expect(events.map((e) => e.type)).toEqual(['invitation.created']);
    expect(JSON.parse(events[0]!.data)).toEqual({
      assessmentId,
      candidateId: body.invitation.candidate.id,
      invitationId: body.invitation.id,
      status: 'invited',
    });

    // Again, with a new name: the same candidate and invitation, updated name, nothing sent.
    const again = ok(await invite({ email: to, name: 'Ada King' }), 200);
    expect(again.created).toBe(false);
    expect(again.invitation.id).toBe(body.invitation.id);
    expect(again.invitation.candidate).toMatchObject({ name: 'Ada King', externalId: 'ATS-1' });
    expect(await mailTo(t, to)).toHaveLength(1);
    expect(await eventsOf(body.invitation.id)).toHaveLength(1);
    expect(await findCandidateContact(t.ctx.db, a.orgId, body.invitation.candidate.id)).toEqual({
      email: to,
      name: 'Ada King',
    });
    const other = await orgWithTeam(t.app, t.ctx);
    expect(await findCandidateContact(t.ctx.db, other.orgId, body.invitation.candidate.id)).toBeUndefined();
  });

  it('refuses invitations to an assessment that is not open, and extra time over the maximum', async () => {
    const draft = ok(await api.post('/api/v1/assessments', { roleTemplateId: 'backend-engineer' }), 201);
    const r = await invite({ email: email('d'), name: 'D' }, draft.id);
    expect(r.statusCode).toBe(409);
    const tooLong = await invite({ email: email('e'), name: 'E', extraTime: 2.5 });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.details.fields).toHaveProperty(['body.extraTime']);
    expect((await invite({ email: 'not-an-email', name: 'F' })).statusCode).toBe(400);
  });

  it('never stores or logs a link token in plain text', async () => {
    const { id, token } = await invited('secret');
    ok(await pub('/api/v1/take/landing', { token }));
    ok(await pub('/api/v1/take/opened', { token }), 204);
    await t.runJobs();
    const tables = [
      'invitations',
      'candidates',
      'emails',
      'jobs',
      'events',
      'audit_log',
      'assessments',
      'candidate_imports',
      'public_registrations',
    ] as const;
    for (const table of tables) {
      const rows = await t.ctx.db.selectFrom(table).selectAll().execute();
      expect(JSON.stringify(rows), table).not.toContain(token);
    }
    expect(t.logs.join('\n')).not.toContain(token);
    expect((await invitationRow(id)).token_hash).toBe(hashToken(token));
  });

  it('shows the landing without side effects, and records opened once', async () => {
    const { id, token } = await invited('land', { extraTime: 1.5 });
    const before = await invitationRow(id);
    const eventsBefore = await eventsOf(id);
    const landing = ok(await pub('/api/v1/take/landing', { token }));
    const assessment = ok(await api.get(`/api/v1/assessments/${assessmentId}`));
    expect(landing).toMatchObject({
      assessmentName: 'Backend hiring',
      state: 'ready',
      extraTime: 1.5,
      integritySignals: assessment.settings.integritySignals,
      expiresAt: new Date(before.expires_at).toISOString(),
    });
    expect(landing.sections).toEqual(
      assessment.sections.map((s: Json) => ({
        title: s.title,
        kind: s.kind,
        minutes: Math.ceil(s.minutes * 1.5),
        questionCount: s.kind === 'quiz' ? s.questionCount : null,
      })),
    );
    expect(landing.privacyNotice).toContain(landing.organizationName);
    expect(JSON.stringify(landing)).not.toMatch(/correct|explanation|rubric|score/i);
    ok(await pub('/api/v1/take/landing', { token }));
    expect(await invitationRow(id)).toEqual(before);
    expect(await eventsOf(id)).toEqual(eventsBefore);

    t.clock.advance(60_000);
    ok(await pub('/api/v1/take/opened', { token }), 204);
    const opened = await invitationRow(id);
    expect(opened).toMatchObject({ status: 'opened', opened_at: t.clock.now() });
    t.clock.advance(60_000);
    ok(await pub('/api/v1/take/opened', { token }), 204);
    expect((await invitationRow(id)).opened_at).toBe(opened.opened_at);
    const events = await eventsOf(id);
    expect(events.map((e) => e.type)).toEqual(['invitation.created', 'invitation.opened']);
    expect(JSON.parse(events[1]!.data)).toMatchObject({ invitationId: id, status: 'opened' });
  });

  it('answers unknown, expired and revoked links with the same 404', async () => {
    const revoked = await invited('rev');
    ok(await api.post(`/api/v1/invitations/${revoked.id}/revoke`));
    const expiring = await invited('exp');
    await t.ctx.db
      .updateTable('invitations')
      .set({ expires_at: t.clock.now() - 1 })
      .where('id', '=', expiring.id)
      .execute();
    const bodies = [];
    for (const token of ['A'.repeat(43), revoked.token, expiring.token]) {
      for (const url of ['/api/v1/take/landing', '/api/v1/take/opened']) {
        const r = await pub(url, { token });
        expect(r.statusCode).toBe(404);
        bodies.push(r.json().error);
      }
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(bodies[0]).toMatchObject({ code: 'NOT_FOUND' });
    // The attempts module still sees them, to explain nothing and decide for itself.
    expect((await findLiveInvitationByToken(t.ctx.db, revoked.token))?.invitation.status).toBe('revoked');
    expect(await findLiveInvitationByToken(t.ctx.db, 'A'.repeat(43))).toBeUndefined();
  });

  it('rate-limits the landing per address', async () => {
    const ip = nextIp();
    const codes: number[] = [];
    for (let i = 0; i < 32; i++)
      codes.push((await pub('/api/v1/take/landing', { token: `x${i}`.repeat(10) }, ip)).statusCode);
    expect(codes.slice(0, 30).every((c) => c === 404)).toBe(true);
    expect(codes.at(-1)).toBe(429);
  });

  it('sends reminders 72 h and 24 h before expiry, and not after a revoke or a start', async () => {
    const waiting = await invited('remind');
    const revoked = await invited('remind-rev');
    const started = await invited('remind-start');
    ok(await api.post(`/api/v1/invitations/${revoked.id}/revoke`));
    await t.ctx.db.transaction().execute((trx) => markInvitationStarted(t.ctx, trx, started.id));
    const expiresAt = (await invitationRow(waiting.id)).expires_at;
    const start = t.clock.now();
    try {
      await t.runJobs();
      expect(await mailTo(t, waiting.to, 'candidate-reminder')).toHaveLength(0);
      t.clock.set(expiresAt - 72 * HOUR + 1000);
      await t.runJobs();
      const first = await mailTo(t, waiting.to, 'candidate-reminder');
      expect(first).toHaveLength(1);
      expect(first[0]!.text).toContain(`/i/${waiting.token}`);
      t.clock.set(expiresAt - 24 * HOUR + 1000);
      await t.runJobs();
      expect(await mailTo(t, waiting.to, 'candidate-reminder')).toHaveLength(2);
      expect((await invitationRow(waiting.id)).reminders_sent).toBe(2);
      expect(await mailTo(t, revoked.to, 'candidate-reminder')).toHaveLength(0);
      expect(await mailTo(t, started.to, 'candidate-reminder')).toHaveLength(0);

      // Past the expiry the sweep marks it expired, and the list says so.
      t.clock.set(expiresAt + 11 * 60_000);
      await t.runJobs();
      expect((await invitationRow(waiting.id)).status).toBe('expired');
    } finally {
      t.clock.set(start);
    }
  });

  it('moves the reminders with an extended expiry', async () => {
    const { id, to } = await invited('remind-ext');
    const oldExpiry = (await invitationRow(id)).expires_at;
    ok(await api.post(`/api/v1/invitations/${id}/extend`, { days: 5 }));
    const start = t.clock.now();
    try {
      t.clock.set(oldExpiry - 72 * HOUR + 1000);
      await t.runJobs();
      expect(await mailTo(t, to, 'candidate-reminder')).toHaveLength(0);
      t.clock.set(oldExpiry + 5 * DAY - 72 * HOUR + 1000);
      await t.runJobs();
      const mails = await mailTo(t, to, 'candidate-reminder');
      expect(mails).toHaveLength(1);
      expect(mails[0]!.text).toContain(new Date(oldExpiry + 5 * DAY).toUTCString());
    } finally {
      t.clock.set(start);
    }
  });

  it('resend rotates the link: the old one stops working, the new one works', async () => {
    const { id, to, token } = await invited('resend');
    const r = ok(await api.post(`/api/v1/invitations/${id}/resend`));
    expect(r.status).toBe('invited');
    const mails = await mailTo(t, to, 'candidate-invitation');
    expect(mails).toHaveLength(2);
    const fresh = await linkTokenIn(t, to, '/i/');
    expect(fresh).not.toBe(token);
    expect((await pub('/api/v1/take/landing', { token })).statusCode).toBe(404);
    expect(ok(await pub('/api/v1/take/landing', { token: fresh })).state).toBe('ready');
  });

  it('extends the expiry, reviving an expired invitation, and refuses to touch a started one', async () => {
    const { id, token } = await invited('extend');
    const row = await invitationRow(id);
    const extended = ok(await api.post(`/api/v1/invitations/${id}/extend`, { days: 3 }));
    expect(Date.parse(extended.expiresAt)).toBe(row.expires_at + 3 * DAY);

    await t.ctx.db
      .updateTable('invitations')
      .set({ expires_at: t.clock.now() - 1000 })
      .where('id', '=', id)
      .execute();
    expect(ok(await api.get(`/api/v1/invitations/${id}`)).status).toBe('expired');
    const revived = ok(await api.post(`/api/v1/invitations/${id}/extend`, { days: 2 }));
    expect(revived.status).toBe('invited');
    expect(Date.parse(revived.expiresAt)).toBe(t.clock.now() + 2 * DAY);
    ok(await pub('/api/v1/take/landing', { token }));

    await t.ctx.db.transaction().execute((trx) => markInvitationStarted(t.ctx, trx, id));
    expect(ok(await pub('/api/v1/take/landing', { token })).state).toBe('in_progress');
    for (const action of ['resend', 'revoke'])
      expect((await api.post(`/api/v1/invitations/${id}/${action}`)).statusCode).toBe(409);
    expect((await api.post(`/api/v1/invitations/${id}/extend`, { days: 1 })).statusCode).toBe(409);
  });

  it('revokes in bulk with one result per id, and writes invitation.revoked', async () => {
    const one = await invited('bulk1');
    const two = await invited('bulk2');
    const res = ok(
      await api.post(`/api/v1/assessments/${assessmentId}/invitations/bulk`, {
        action: 'revoke',
        invitationIds: [one.id, two.id, 'missing'],
      }),
    );
    expect(res.results).toEqual([
      { invitationId: one.id, ok: true, error: null },
      { invitationId: two.id, ok: true, error: null },
      { invitationId: 'missing', ok: false, error: { code: 'NOT_FOUND', message: 'Invitation not found' } },
    ]);
    const events = await eventsOf(one.id);
    expect(events.map((e) => e.type)).toEqual(['invitation.created', 'invitation.revoked']);
    expect(JSON.parse(events[1]!.data)).toMatchObject({ invitationId: one.id, status: 'revoked' });
    const again = ok(
      await api.post(`/api/v1/assessments/${assessmentId}/invitations/bulk`, {
        action: 'extend',
        invitationIds: [one.id],
        days: 2,
      }),
    );
    expect(again.results[0]).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('lists invitations with status filters, search and keyset pages', async () => {
    const id = await openAssessment(api, 'sql-developer', 'List test');
    const made = [];
    for (const [name, ext] of [
      ['Grace Hopper', 'G-1'],
      ['Alan Turing', 'T-2'],
      ['Barbara Liskov', 'L-3'],
    ] as const) {
      made.push(
        ok(await invite({ email: email(name.split(' ')[0]!.toLowerCase()), name, externalId: ext }, id), 201)
          .invitation,
      );
    }
    ok(await api.post(`/api/v1/invitations/${made[1].id}/revoke`));
    const base = `/api/v1/assessments/${id}/invitations`;
    const page1 = ok(await api.get(`${base}?limit=2`));
    expect(page1.items.map((i: Json) => i.candidate.name)).toEqual(['Barbara Liskov', 'Alan Turing']);
    const page2 = ok(await api.get(`${base}?limit=2&cursor=${page1.nextCursor}`));
    expect(page2.items.map((i: Json) => i.candidate.name)).toEqual(['Grace Hopper']);
    expect(page2.nextCursor).toBeNull();
    expect(ok(await api.get(`${base}?status=revoked`)).items.map((i: Json) => i.id)).toEqual([made[1].id]);
    expect(ok(await api.get(`${base}?status=invited`)).items).toHaveLength(2);
    for (const q of ['hopper', 'GRACE', 'g-1', 'grace.'])
      expect(
        ok(await api.get(`${base}?q=${encodeURIComponent(q)}`)).items.map((i: Json) => i.id),
        q,
      ).toEqual([made[0].id]);
    expect(ok(await api.get(`${base}?q=%25`)).items).toEqual([]);
  });

  describe('public link', () => {
    let linkToken: string;
    let linkAssessment: string;

    beforeAll(async () => {
      linkAssessment = await openAssessment(api, 'backend-engineer', 'Open application');
      ok(
        await api.patch(`/api/v1/assessments/${linkAssessment}`, {
          settings: {
            ...ok(await api.get(`/api/v1/assessments/${linkAssessment}`)).settings,
            intro: 'Hi all',
          },
        }),
      );
      const link = ok(await api.post(`/api/v1/assessments/${linkAssessment}/public-link`, { cap: 2 }));
      expect(link).toMatchObject({ enabled: true, cap: 2 });
      linkToken = link.url.split('/join-assessment/')[1];
      expect(link.url).toBe(`http://assay.test/join-assessment/${linkToken}`);
    });

    it('looks up, registers, verifies once and hands over the personal link', async () => {
      expect(ok(await pub('/api/v1/public-links/lookup', { token: linkToken }))).toEqual({
        organizationName: expect.any(String),
        assessmentName: 'Open application',
        intro: 'Hi all',
      });
      const to = email('walkin');
      const reg = await pub('/api/v1/public-links/register', {
        token: linkToken,
        name: 'Walk In',
        email: to,
      });
      expect(reg.statusCode).toBe(202);
      expect(reg.json()).toEqual({ status: 'sent' });
      const verifyToken = await linkTokenIn(t, to, '/verify-registration/', 'public-registration');
      // Registering again answers the same and sends nothing new for a while.
      const again = await pub('/api/v1/public-links/register', {
        token: linkToken,
        name: 'Walk In',
        email: to,
      });
      expect([again.statusCode, again.body]).toEqual([reg.statusCode, reg.body]);
      expect(await mailTo(t, to, 'public-registration')).toHaveLength(1);

      const verified = ok(await pub('/api/v1/public-links/verify', { token: verifyToken }));
      expect(verified.invitationUrl).toMatch(/^http:\/\/assay\.test\/i\/[A-Za-z0-9_-]{43}$/);
      const personal = verified.invitationUrl.split('/i/')[1];
      const landing = ok(await pub('/api/v1/take/landing', { token: personal }));
      expect(landing).toMatchObject({
        assessmentName: 'Open application',
        candidateName: 'Walk In',
        state: 'ready',
      });
      const inv = (await findLiveInvitationByToken(t.ctx.db, personal))!.invitation;
      expect(inv.source).toBe('public');
      expect((await eventsOf(inv.id)).map((e) => e.type)).toEqual(['invitation.created']);
      expect(await mailTo(t, to, 'candidate-invitation')).toHaveLength(1);
      expect((await pub('/api/v1/public-links/verify', { token: verifyToken })).statusCode).toBe(404);
    });

    it('answers the same for unknown links and sends nothing', async () => {
      const to = email('ghost');
      const r = await pub('/api/v1/public-links/register', {
        token: 'B'.repeat(43),
        name: 'Ghost',
        email: to,
      });
      expect([r.statusCode, r.json()]).toEqual([202, { status: 'sent' }]);
      expect(await mailTo(t, to)).toHaveLength(0);
      expect((await pub('/api/v1/public-links/lookup', { token: 'B'.repeat(43) })).statusCode).toBe(404);
    });

    it('enforces the cap at verification', async () => {
      // One public invitation exists from the first test (cap 2): one more fits, the next does not.
      const tokens = [];
      for (const tag of ['cap1', 'cap2']) {
        const to = email(tag);
        await pub('/api/v1/public-links/register', { token: linkToken, name: tag, email: to });
        tokens.push(await linkTokenIn(t, to, '/verify-registration/', 'public-registration'));
      }
      ok(await pub('/api/v1/public-links/verify', { token: tokens[0]! }));
      const full = await pub('/api/v1/public-links/verify', { token: tokens[1]! });
      expect(full.statusCode).toBe(409);
      // Raising the cap lets the same verification through.
      ok(await api.post(`/api/v1/assessments/${linkAssessment}/public-link`, { cap: 10 }));
      ok(await pub('/api/v1/public-links/verify', { token: tokens[1]! }));
    });

    it('rate-limits registration per address', async () => {
      const ip = nextIp();
      const codes = [];
      for (let i = 0; i < 6; i++)
        codes.push(
          (
            await pub(
              '/api/v1/public-links/register',
              { token: 'C'.repeat(43), name: 'R', email: email('rl') },
              ip,
            )
          ).statusCode,
        );
      expect(codes).toEqual([202, 202, 202, 202, 202, 429]);
    });

    it('stops working when disabled or rotated', async () => {
      const id = await openAssessment(api, 'backend-engineer', 'Rotating');
      const first = ok(await api.post(`/api/v1/assessments/${id}/public-link`)).url.split(
        '/join-assessment/',
      )[1];
      const second = ok(await api.post(`/api/v1/assessments/${id}/public-link`)).url.split(
        '/join-assessment/',
      )[1];
      expect((await pub('/api/v1/public-links/lookup', { token: first })).statusCode).toBe(404);
      ok(await pub('/api/v1/public-links/lookup', { token: second }));
      ok(await api.delete(`/api/v1/assessments/${id}/public-link`), 204);
      expect((await pub('/api/v1/public-links/lookup', { token: second })).statusCode).toBe(404);
      const stored = await t.ctx.db
        .selectFrom('assessments')
        .select('public_link_hash')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(stored.public_link_hash).toBeNull();
    });
  });
});
