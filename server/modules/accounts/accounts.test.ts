import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../crypto.js';
import { openEmailBody } from '../../mail/mailer.js';
import { addMember, createOrgWithOwner, PASSWORD } from '../../test/factories.js';
import {
  agentFromResponse,
  cookieFrom,
  createTestApp,
  dialects,
  nextIp,
  signInAgent,
  type TestApp,
} from '../../test/harness.js';
import { ARGON2, hashPassword } from './passwords.js';
import { SESSION_IDLE_MS } from './sessions.service.js';

const NEW_PASSWORD = 'a much better passphrase ✓';

describe.each(dialects)('staff accounts (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { env: { ASSAY_SIGNUP: 'open' } });
  });
  afterAll(() => t.close());

  const inject = (opts: InjectOptions) => t.app.inject({ remoteAddress: nextIp(), ...opts });
  const latestEmail = async (to: string) => {
    await t.runJobs();
    const row = await t.ctx.db
      .selectFrom('emails')
      .selectAll()
      .where('to_address', '=', to)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    return { row, body: openEmailBody(t.ctx, row) };
  };

  describe('sign up, sign in, sign out', () => {
    it('creates an organization and its owner, signed in with a hardened cookie', async () => {
      const res = await inject({
        method: 'POST',
        url: '/api/v1/auth/sign-up',
        payload: {
          name: 'Ada Lovelace',
          email: 'Ada@Example.com',
          password: PASSWORD,
          organizationName: 'Analytical Engines',
        },
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.user.email).toBe('ada@example.com');
      expect(body.organization).toMatchObject({ name: 'Analytical Engines', role: 'owner' });
      const setCookie = String(res.headers['set-cookie']);
      expect(setCookie).toMatch(/assay_session=/);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Lax/i);
      expect(setCookie).not.toMatch(/Secure/i); // plain http in this test
      const again = await inject({
        method: 'GET',
        url: '/api/v1/auth/session',
        headers: { cookie: cookieFrom(res) },
      });
      expect(again.json().user.name).toBe('Ada Lovelace');
    });

    it('stores the password as argon2id with m ≥ 19 MiB and t ≥ 2', async () => {
      const u = await t.ctx.db
        .selectFrom('users')
        .select('password_hash')
        .where('email', '=', 'ada@example.com')
        .executeTakeFirstOrThrow();
      const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(u.password_hash!);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(19_456);
      expect(Number(m![2])).toBeGreaterThanOrEqual(2);
    });

    it('refuses the same email twice without saying more than needed', async () => {
      const res = await inject({
        method: 'POST',
        url: '/api/v1/auth/sign-up',
        payload: { name: 'X', email: 'ada@example.com', password: PASSWORD, organizationName: 'X' },
      });
      expect(res.statusCode).toBe(400);
    });

    it('applies the password rules: length, not composition; common passwords refused; Unicode welcome', async () => {
      const attempt = (password: string) =>
        inject({
          method: 'POST',
          url: '/api/v1/auth/sign-up',
          payload: { name: 'P', email: `p${Math.random()}@example.com`, password, organizationName: 'P' },
        });
      expect((await attempt('short')).json().error.details.fields['body.password']).toMatch(/at least 10/);
      expect((await attempt('1234567890')).json().error.details.fields['body.password']).toMatch(
        /too common/,
      );
      expect((await attempt('x'.repeat(257))).statusCode).toBe(400);
      expect((await attempt('パスワードはとても長いです')).statusCode).toBe(201);
      expect((await attempt('all lowercase words no digits')).statusCode).toBe(201);
    });

    it('signs out, after which the cookie is worthless', async () => {
      const a = await signInAgent(t.app, 'ada@example.com', PASSWORD);
      const out = await inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: a.headers });
      expect(out.statusCode).toBe(204);
      const after = await inject({
        method: 'GET',
        url: '/api/v1/auth/session',
        headers: { cookie: a.cookie },
      });
      expect(after.statusCode).toBe(401);
    });

    it('marks the cookie Secure behind a trusted HTTPS proxy', async () => {
      const p = await createTestApp(dialect, { env: { TRUST_PROXY: 'true' } });
      const o = await createOrgWithOwner(p.ctx);
      const res = await p.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { email: o.email, password: PASSWORD },
      });
      expect(String(res.headers['set-cookie'])).toMatch(/Secure/);
      await p.close();
    });

    it('answers sign-up with 403 when the instance has sign-up closed', async () => {
      const closed = await createTestApp(dialect);
      const res = await closed.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-up',
        payload: { name: 'A', email: 'a@example.com', password: PASSWORD, organizationName: 'A' },
      });
      expect(res.statusCode).toBe(403);
      expect((await closed.app.inject('/api/v1/auth/config')).json()).toEqual({ signup: 'closed' });
      await closed.close();
    });
  });

  describe('abuse resistance', () => {
    it('gives the same answer for an unknown email and a wrong password', async () => {
      const o = await createOrgWithOwner(t.ctx);
      const wrong = await inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: o.email, password: 'not the password' },
      });
      const unknown = await inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: 'nobody@example.com', password: 'not the password' },
      });
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json().error).toEqual(unknown.json().error);
      const r1 = await inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/request',
        payload: { email: o.email },
      });
      const r2 = await inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/request',
        payload: { email: 'nobody@example.com' },
      });
      expect([r1.statusCode, r1.body]).toEqual([r2.statusCode, r2.body]);
    });

    it('throttles sign-in attempts per address', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          remoteAddress: '192.0.2.77',
          payload: { email: 'x@example.com', password: 'wrong password' },
        });
        codes.push(res.statusCode);
      }
      expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
      expect(codes.at(-1)).toBe(429);
    });

    it('locks an account after repeated failures, and a reset still gets its owner back in', async () => {
      const o = await createOrgWithOwner(t.ctx);
      for (let i = 0; i < 10; i++)
        await inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          payload: { email: o.email, password: 'wrong password' },
        });
      const locked = await inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: o.email, password: PASSWORD },
      });
      expect(locked.statusCode).toBe(401);
      await inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/request',
        payload: { email: o.email },
      });
      const { body, row } = await latestEmail(o.email);
      expect(row.private).toBe(1);
      const token = /reset-password\/([\w-]+)/.exec(body.text)![1]!;
      const reset = await inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/confirm',
        payload: { token, newPassword: NEW_PASSWORD },
      });
      expect(reset.statusCode).toBe(204);
      const ok = await inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: o.email, password: NEW_PASSWORD },
      });
      expect(ok.statusCode).toBe(200);
    });

    it('records failed sign-ins in the audit log without the password', async () => {
      const o = await createOrgWithOwner(t.ctx);
      await inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: o.email, password: 'guess number one' },
      });
      const rows = await t.ctx.db
        .selectFrom('audit_log')
        .selectAll()
        .where('target_id', '=', o.userId)
        .execute();
      expect(rows.map((r) => r.action)).toContain('auth.sign_in_failed');
      expect(JSON.stringify(rows)).not.toContain('guess number one');
    });
  });

  describe('password reset and change', () => {
    it('stores only the hash of the reset token; the link works once and expires after an hour', async () => {
      const o = await createOrgWithOwner(t.ctx);
      await inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/request',
        payload: { email: o.email },
      });
      const token = /reset-password\/([\w-]+)/.exec((await latestEmail(o.email)).body.text)![1]!;
      const stored = await t.ctx.db
        .selectFrom('password_resets')
        .selectAll()
        .where('user_id', '=', o.userId)
        .executeTakeFirstOrThrow();
      expect(stored.token_hash).toBe(hashToken(token));
      expect(JSON.stringify(stored)).not.toContain(token);
      expect(stored.expires_at - stored.created_at).toBe(3600_000);
      const first = await inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/confirm',
        payload: { token, newPassword: NEW_PASSWORD },
      });
      expect(first.statusCode).toBe(204);
      const second = await inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/confirm',
        payload: { token, newPassword: 'yet another passphrase' },
      });
      expect(second.statusCode).toBe(400);

      await inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/request',
        payload: { email: o.email },
      });
      const late = /reset-password\/([\w-]+)/.exec((await latestEmail(o.email)).body.text)![1]!;
      t.clock.advance(3600_001);
      const expired = await inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/confirm',
        payload: { token: late, newPassword: 'yet another passphrase' },
      });
      expect(expired.statusCode).toBe(400);
    });

    it('keeps the current session and ends the others when the password changes', async () => {
      const o = await createOrgWithOwner(t.ctx);
      const here = await signInAgent(t.app, o.email, PASSWORD);
      const elsewhere = await signInAgent(t.app, o.email, PASSWORD);
      const res = await inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: here.headers,
        payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      });
      expect(res.statusCode).toBe(204);
      expect(
        (await inject({ method: 'GET', url: '/api/v1/auth/session', headers: here.headers })).statusCode,
      ).toBe(200);
      expect(
        (await inject({ method: 'GET', url: '/api/v1/auth/session', headers: elsewhere.headers })).statusCode,
      ).toBe(401);
      const audit = await t.ctx.db
        .selectFrom('audit_log')
        .select('action')
        .where('target_id', '=', o.userId)
        .execute();
      expect(audit.map((a) => a.action)).toContain('auth.password_changed');
    });

    it('rehashes a password stored with weaker parameters at the next sign-in', async () => {
      const o = await createOrgWithOwner(t.ctx);
      const weak = await hashPassword(PASSWORD, { memoryCost: 4096, timeCost: 1, parallelism: 1 });
      await t.ctx.db.updateTable('users').set({ password_hash: weak }).where('id', '=', o.userId).execute();
      await signInAgent(t.app, o.email, PASSWORD);
      const u = await t.ctx.db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', o.userId)
        .executeTakeFirstOrThrow();
      expect(u.password_hash).toContain(`m=${ARGON2.memoryCost},t=${ARGON2.timeCost}`);
    });

    it('makes a user whose password must change do that first', async () => {
      const o = await createOrgWithOwner(t.ctx);
      await t.ctx.db
        .updateTable('users')
        .set({ must_change_password: 1 })
        .where('id', '=', o.userId)
        .execute();
      const a = await signInAgent(t.app, o.email, PASSWORD);
      expect(
        (await inject({ method: 'GET', url: '/api/v1/auth/session', headers: a.headers })).json().user
          .mustChangePassword,
      ).toBe(true);
      const blocked = await inject({ method: 'GET', url: '/api/v1/team/members', headers: a.headers });
      expect(blocked.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
      await inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: a.headers,
        payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      });
      expect(
        (await inject({ method: 'GET', url: '/api/v1/team/members', headers: a.headers })).statusCode,
      ).toBe(200);
    });
  });

  describe('sessions', () => {
    it('refuses a cookie-authenticated write without the CSRF token', async () => {
      const o = await createOrgWithOwner(t.ctx);
      const a = await signInAgent(t.app, o.email, PASSWORD);
      const none = await inject({
        method: 'PATCH',
        url: '/api/v1/organization',
        headers: { cookie: a.cookie },
        payload: { name: 'Renamed' },
      });
      expect(none.statusCode).toBe(403);
      expect(none.json().error.code).toBe('CSRF_FAILED');
      const forged = await inject({
        method: 'PATCH',
        url: '/api/v1/organization',
        headers: { cookie: a.cookie, 'x-csrf-token': 'forged' },
        payload: { name: 'Renamed' },
      });
      expect(forged.json().error.code).toBe('CSRF_FAILED');
      const ok = await inject({
        method: 'PATCH',
        url: '/api/v1/organization',
        headers: a.headers,
        payload: { name: 'Renamed' },
      });
      expect(ok.statusCode).toBe(200);
    });

    it('expires after 14 idle days, slides while used, and ends at 30 days regardless', async () => {
      const o = await createOrgWithOwner(t.ctx);
      const idle = await signInAgent(t.app, o.email, PASSWORD);
      const active = await signInAgent(t.app, o.email, PASSWORD);
      for (let day = 0; day < 4; day++) {
        t.clock.advance(SESSION_IDLE_MS / 2);
        const res = await inject({ method: 'GET', url: '/api/v1/auth/session', headers: active.headers });
        expect(res.statusCode, `day ${(day + 1) * 7}`).toBe(200);
      }
      expect(
        (await inject({ method: 'GET', url: '/api/v1/auth/session', headers: idle.headers })).statusCode,
      ).toBe(401);
      t.clock.advance(3 * 24 * 3600_000); // day 31, still active but past the absolute limit
      expect(
        (await inject({ method: 'GET', url: '/api/v1/auth/session', headers: active.headers })).statusCode,
      ).toBe(401);
    });

    it('lists and revokes your own sessions only', async () => {
      const o = await createOrgWithOwner(t.ctx);
      const a = await signInAgent(t.app, o.email, PASSWORD);
      const b = await signInAgent(t.app, o.email, PASSWORD);
      const list = (
        await inject({ method: 'GET', url: '/api/v1/account/sessions', headers: a.headers })
      ).json().items;
      expect(list).toHaveLength(2);
      const other = list.find((s: { current: boolean }) => !s.current);
      expect(
        (await inject({ method: 'DELETE', url: `/api/v1/account/sessions/${other.id}`, headers: a.headers }))
          .statusCode,
      ).toBe(204);
      expect(
        (await inject({ method: 'GET', url: '/api/v1/auth/session', headers: b.headers })).statusCode,
      ).toBe(401);
      const stranger = await createOrgWithOwner(t.ctx);
      const s = await signInAgent(t.app, stranger.email, PASSWORD);
      const theirs = (
        await inject({ method: 'GET', url: '/api/v1/account/sessions', headers: s.headers })
      ).json().items[0];
      expect(
        (await inject({ method: 'DELETE', url: `/api/v1/account/sessions/${theirs.id}`, headers: a.headers }))
          .statusCode,
      ).toBe(404);
    });
  });

  describe('teams', () => {
    it('invites by email; the invitee creates an account and joins with the role', async () => {
      const o = await createOrgWithOwner(t.ctx, 'Acme Hiring');
      const owner = await signInAgent(t.app, o.email, PASSWORD);
      const inv = await inject({
        method: 'POST',
        url: '/api/v1/team/invitations',
        headers: owner.headers,
        payload: { email: 'New.Recruiter@example.com', role: 'recruiter' },
      });
      expect(inv.statusCode).toBe(201);
      const { body } = await latestEmail('new.recruiter@example.com');
      expect(body.text).toContain('Acme Hiring');
      expect(body.html).toContain('Acme Hiring');
      const token = /join\/([\w-]+)/.exec(body.text)![1]!;
      const preview = await inject({
        method: 'POST',
        url: '/api/v1/team-invitations/preview',
        payload: { token },
      });
      expect(preview.json()).toEqual({
        organizationName: 'Acme Hiring',
        email: 'new.recruiter@example.com',
        role: 'recruiter',
        accountExists: false,
      });
      const accept = await inject({
        method: 'POST',
        url: '/api/v1/team-invitations/accept',
        payload: { token, name: 'Rita Recruiter', password: NEW_PASSWORD },
      });
      expect(accept.statusCode).toBe(200);
      expect(accept.json().organization).toMatchObject({ name: 'Acme Hiring', role: 'recruiter' });
      const rita = agentFromResponse(accept);
      expect(
        (await inject({ method: 'GET', url: '/api/v1/team/members', headers: rita.headers })).statusCode,
      ).toBe(200);
      expect(
        (await inject({ method: 'GET', url: '/api/v1/audit-log', headers: rita.headers })).statusCode,
      ).toBe(403);
      // The link is spent.
      expect(
        (await inject({ method: 'POST', url: '/api/v1/team-invitations/preview', payload: { token } }))
          .statusCode,
      ).toBe(404);
      const audit = (await inject({ method: 'GET', url: '/api/v1/audit-log', headers: owner.headers }))
        .json()
        .items.map((i: { action: string }) => i.action);
      expect(audit).toEqual(expect.arrayContaining(['member.invited', 'member.joined']));
    });

    it('lets an existing user join a second organization and switch between them', async () => {
      const a = await createOrgWithOwner(t.ctx, 'First Org');
      const b = await createOrgWithOwner(t.ctx, 'Second Org');
      const ownerB = await signInAgent(t.app, b.email, PASSWORD);
      await inject({
        method: 'POST',
        url: '/api/v1/team/invitations',
        headers: ownerB.headers,
        payload: { email: a.email, role: 'reviewer' },
      });
      const token = /join\/([\w-]+)/.exec((await latestEmail(a.email)).body.text)![1]!;
      expect(
        (await inject({ method: 'POST', url: '/api/v1/team-invitations/accept', payload: { token } }))
          .statusCode,
      ).toBe(401);
      const userA = await signInAgent(t.app, a.email, PASSWORD);
      const joined = await inject({
        method: 'POST',
        url: '/api/v1/team-invitations/accept',
        headers: userA.headers,
        payload: { token },
      });
      expect(joined.json().organization).toMatchObject({ name: 'Second Org', role: 'reviewer' });
      expect(joined.json().organizations).toHaveLength(2);
      const back = await inject({
        method: 'POST',
        url: '/api/v1/auth/switch-organization',
        headers: userA.headers,
        payload: { organizationId: a.orgId },
      });
      expect(back.json().organization).toMatchObject({ name: 'First Org', role: 'owner' });
      const foreign = await inject({
        method: 'POST',
        url: '/api/v1/auth/switch-organization',
        headers: userA.headers,
        payload: { organizationId: (await createOrgWithOwner(t.ctx)).orgId },
      });
      expect(foreign.statusCode).toBe(404);
    });

    it('changes roles, always keeps an owner, and ends a removed member’s sessions at once', async () => {
      const o = await createOrgWithOwner(t.ctx);
      const owner = await signInAgent(t.app, o.email, PASSWORD);
      const adminM = await addMember(t.ctx, o.orgId, 'admin');
      const admin = await signInAgent(t.app, adminM.email, PASSWORD);
      const rec = await addMember(t.ctx, o.orgId, 'recruiter');
      const recAgent = await signInAgent(t.app, rec.email, PASSWORD);

      const demoteLast = await inject({
        method: 'PATCH',
        url: `/api/v1/team/members/${o.userId}`,
        headers: owner.headers,
        payload: { role: 'admin' },
      });
      expect(demoteLast.statusCode).toBe(409);
      const removeLast = await inject({
        method: 'DELETE',
        url: `/api/v1/team/members/${o.userId}`,
        headers: owner.headers,
      });
      expect(removeLast.statusCode).toBe(409);
      const adminTouchesOwner = await inject({
        method: 'PATCH',
        url: `/api/v1/team/members/${o.userId}`,
        headers: admin.headers,
        payload: { role: 'reviewer' },
      });
      expect(adminTouchesOwner.statusCode).toBe(403);

      const promoted = await inject({
        method: 'PATCH',
        url: `/api/v1/team/members/${rec.userId}`,
        headers: admin.headers,
        payload: { role: 'reviewer' },
      });
      expect(promoted.json().role).toBe('reviewer');
      expect(
        (await inject({ method: 'GET', url: '/api/v1/team/members', headers: recAgent.headers })).statusCode,
      ).toBe(403); // reviewers can't list the team

      const removed = await inject({
        method: 'DELETE',
        url: `/api/v1/team/members/${rec.userId}`,
        headers: admin.headers,
      });
      expect(removed.statusCode).toBe(204);
      expect(
        (await inject({ method: 'GET', url: '/api/v1/auth/session', headers: recAgent.headers })).statusCode,
      ).toBe(401);
      const actions = (
        await t.ctx.db.selectFrom('audit_log').select('action').where('org_id', '=', o.orgId).execute()
      ).map((r) => r.action);
      expect(actions).toEqual(expect.arrayContaining(['member.role_changed', 'member.removed']));
    });

    it('revokes a pending invitation', async () => {
      const o = await createOrgWithOwner(t.ctx);
      const owner = await signInAgent(t.app, o.email, PASSWORD);
      const inv = (
        await inject({
          method: 'POST',
          url: '/api/v1/team/invitations',
          headers: owner.headers,
          payload: { email: 'revoke.me@example.com', role: 'reviewer' },
        })
      ).json();
      const token = /join\/([\w-]+)/.exec((await latestEmail('revoke.me@example.com')).body.text)![1]!;
      expect(
        (
          await inject({
            method: 'DELETE',
            url: `/api/v1/team/invitations/${inv.id}`,
            headers: owner.headers,
          })
        ).statusCode,
      ).toBe(204);
      expect(
        (await inject({ method: 'GET', url: '/api/v1/team/invitations', headers: owner.headers })).json()
          .items,
      ).toHaveLength(0);
      expect(
        (await inject({ method: 'POST', url: '/api/v1/team-invitations/preview', payload: { token } }))
          .statusCode,
      ).toBe(404);
    });
  });

  describe('audit log', () => {
    it('is readable by owners and admins, filtered and paginated, with actor, IP and request id', async () => {
      const o = await createOrgWithOwner(t.ctx);
      const owner = await signInAgent(t.app, o.email, PASSWORD);
      for (let i = 0; i < 3; i++)
        await inject({
          method: 'PATCH',
          url: '/api/v1/organization',
          headers: owner.headers,
          payload: { name: `Name ${i}` },
        });
      const page1 = (
        await inject({
          method: 'GET',
          url: '/api/v1/audit-log?action=organization.settings_changed&limit=2',
          headers: owner.headers,
        })
      ).json();
      expect(page1.items).toHaveLength(2);
      expect(page1.items[0].details.name.to).toBe('Name 2');
      expect(page1.items[0].actor.userId).toBe(o.userId);
      expect(page1.items[0].ip).toMatch(/^10\./);
      expect(page1.items[0].requestId).toBeTruthy();
      const page2 = (
        await inject({
          method: 'GET',
          url: `/api/v1/audit-log?action=organization.settings_changed&limit=2&cursor=${page1.nextCursor}`,
          headers: owner.headers,
        })
      ).json();
      expect(page2.items).toHaveLength(1);
      expect(page2.nextCursor).toBeNull();
    });
  });

  it('never writes a password, token or reset link to the logs', async () => {
    const all = t.logs.join('');
    expect(all.length).toBeGreaterThan(1000);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(NEW_PASSWORD);
    expect(all).not.toMatch(/reset-password\/[\w-]{20,}/);
    expect(all).not.toMatch(/join\/[\w-]{20,}/);
    expect(all).not.toMatch(/assay_session=[\w-]{20,}/);
  });
});
