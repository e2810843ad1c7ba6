import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../crypto.js';
import { orgWithTeam } from '../../test/factories.js';
import { createTestApp, dialects, nextIp, type TestApp } from '../../test/harness.js';

const question = (stem: string) => ({
  kind: 'single',
  subtopic: 'databases',
  difficulty: 'easy',
  seconds: 30,
  stem,
  options: [
    { id: 'a', text: 'Yes' },
    { id: 'b', text: 'No' },
  ],
  correct: ['a'],
  explanation: 'Because.',
});

describe.each(dialects)('API keys (%s)', (dialect) => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof orgWithTeam>>;
  let b: Awaited<ReturnType<typeof orgWithTeam>>;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    a = await orgWithTeam(t.app, t.ctx);
    b = await orgWithTeam(t.app, t.ctx);
  });
  afterAll(() => t.close());

  async function createKey(org: typeof a, scope: 'read' | 'write' | 'admin', name = `${scope} key`) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: org.agents.admin.headers,
      payload: { name, scope },
      remoteAddress: nextIp(),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { apiKey: { id: string; prefix: string; scope: string }; key: string };
  }

  const withKey = (key: string) => ({ authorization: `Bearer ${key}` });

  it('creates a key shown once, stores only its hash, and lists it without the secret', async () => {
    const { apiKey, key } = await createKey(a, 'write', 'ATS sync');
    expect(key).toMatch(/^assay_live_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    const row = await t.ctx.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashToken(key));
    expect(JSON.stringify(row)).not.toContain(key);

    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/api-keys',
      headers: a.agents.owner.headers,
    });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(key);
    expect(list.json().items.map((k: { id: string }) => k.id)).toContain(apiKey.id);

    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('target_id', '=', apiKey.id)
      .execute();
    expect(audit.map((r) => r.action)).toEqual(['api_key.created']);
    expect(audit[0]?.details).not.toContain(key);
  });

  it('works as a bearer token without CSRF, records use, and stops on the next request after revoking', async () => {
    const { apiKey, key } = await createKey(a, 'write');
    const ok = await t.app.inject({ method: 'GET', url: '/api/v1/team/members', headers: withKey(key) });
    expect(ok.statusCode, ok.body).toBe(200);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/questions',
      headers: withKey(key),
      payload: question('Made with a key'),
    });
    expect(created.statusCode, created.body).toBe(201);
    const used = await t.ctx.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    expect(used.last_used_at).not.toBeNull();

    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${apiKey.id}`,
      headers: a.agents.admin.headers,
    });
    expect(revoke.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/team/members', headers: withKey(key) });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('UNAUTHENTICATED');
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', apiKey.id)
      .orderBy('id')
      .execute();
    expect(audit.map((r) => r.action)).toEqual(['api_key.created', 'api_key.revoked']);
  });

  it('refuses unknown and malformed keys, and keys in the address', async () => {
    const { key } = await createKey(a, 'read');
    for (const authorization of ['Bearer assay_live_nope', 'Bearer ', 'Bearer x y']) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/v1/team/members',
        headers: { authorization },
      });
      expect(res.statusCode, authorization).toBe(401);
    }
    for (const url of [
      `/api/v1/team/members?api_key=${key}`,
      `/api/v1/team/members?access_token=${key}`,
      `/api/v1/team/members?key=${key}`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message).toMatch(/Authorization header/);
    }
  });

  it("keeps organizations apart: B's key gets 404 for A's objects and never sees them in lists", async () => {
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/questions',
      headers: a.agents.owner.headers,
      payload: question("A's private question"),
    });
    const questionId = made.json().id as string;
    const { key: bKey } = await createKey(b, 'admin');
    const get = await t.app.inject({
      method: 'GET',
      url: `/api/v1/questions/${questionId}`,
      headers: withKey(bKey),
    });
    expect(get.statusCode).toBe(404);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/questions/${questionId}`,
      headers: withKey(bKey),
      payload: { stem: 'Hijacked' },
    });
    expect(patch.statusCode).toBe(404);
    const team = await t.app.inject({ method: 'GET', url: '/api/v1/team/members', headers: withKey(bKey) });
    expect(team.body).not.toContain(a.email);
    const aKey = (await createKey(a, 'read')).apiKey.id;
    const revokeForeign = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${aKey}`,
      headers: b.agents.owner.headers,
    });
    expect(revokeForeign.statusCode).toBe(404);
  });

  it('limits a read key to GET, and scopes act as recruiter or admin', async () => {
    const { key: readKey } = await createKey(a, 'read');
    const post = await t.app.inject({
      method: 'POST',
      url: '/api/v1/questions',
      headers: withKey(readKey),
      payload: question('Not allowed'),
    });
    expect(post.statusCode).toBe(403);
    expect(post.json().error.message).toMatch(/read-only/);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/questions', headers: withKey(readKey) })).statusCode,
    ).toBe(200);

    // write acts as a recruiter: no team management, no audit log.
    const { key: writeKey } = await createKey(a, 'write');
    const invite = { email: 'new.colleague@example.com', role: 'reviewer' };
    const asWrite = await t.app.inject({
      method: 'POST',
      url: '/api/v1/team/invitations',
      headers: withKey(writeKey),
      payload: invite,
    });
    expect(asWrite.statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/audit-log', headers: withKey(writeKey) }))
        .statusCode,
    ).toBe(403);

    // admin acts as an admin, and the audit log names the key.
    const { apiKey, key: adminKey } = await createKey(a, 'admin');
    const asAdmin = await t.app.inject({
      method: 'POST',
      url: '/api/v1/team/invitations',
      headers: withKey(adminKey),
      payload: invite,
    });
    expect(asAdmin.statusCode, asAdmin.body).toBe(201);
    const row = await t.ctx.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'action'])
      .where('org_id', '=', a.orgId)
      .where('action', '=', 'member.invited')
      .executeTakeFirstOrThrow();
    expect(row.actor_user_id).toBe(`api-key:${apiKey.id}`);
  });

  it('keeps account routes and key management to people', async () => {
    const { apiKey, key } = await createKey(a, 'admin');
    const session = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: withKey(key) });
    expect(session.statusCode).toBe(403);
    const mint = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: withKey(key),
      payload: { name: 'Sneaky', scope: 'admin' },
    });
    expect(mint.statusCode).toBe(403);
    const revokeSelf = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${apiKey.id}`,
      headers: withKey(key),
    });
    expect(revokeSelf.statusCode).toBe(403);
  });

  it('refuses key management to recruiters and reviewers', async () => {
    for (const role of ['recruiter', 'reviewer'] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: a.agents[role].headers,
        payload: { name: 'Mine', scope: 'read' },
      });
      expect(res.statusCode, role).toBe(403);
    }
  });
});

describe('audit entries made with an API key', () => {
  it('name the key in the audit log', async () => {
    const t = await createTestApp('sqlite');
    const org = await orgWithTeam(t.app, t.ctx);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: org.agents.admin.headers,
      payload: { name: 'ATS sync', scope: 'write' },
      remoteAddress: nextIp(),
    });
    const { key } = created.json() as { key: string };
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/questions',
      headers: { authorization: `Bearer ${key}` },
      payload: question('Is a key an actor?'),
    });
    expect(res.statusCode, res.body).toBe(201);
    const audit = await t.app.inject({
      url: '/api/v1/audit-log?action=question.created',
      headers: org.agents.owner.headers,
    });
    const entry = audit.json().items[0];
    expect(entry.actor.name).toMatch(/^API key /);
    await t.close();
  });
});
