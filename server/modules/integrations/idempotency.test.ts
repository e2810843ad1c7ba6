import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffOf } from '../../http/access.js';
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

describe.each(dialects)('idempotent writes (%s)', (dialect) => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof orgWithTeam>>;
  let key: string;
  // A POST route the test controls, to hold a request "in flight" for as long as it needs.
  let release: () => void = () => {};
  let slowCalls = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect, {
      beforeReady(app) {
        app.post(
          '/api/v1/test-only/slow',
          { config: { access: { kind: 'staff', permission: 'bank.write' } } },
          async (req, reply) => {
            staffOf(req);
            slowCalls++;
            await new Promise<void>((resolve) => {
              release = resolve;
            });
            return reply.status(201).send({ n: slowCalls });
          },
        );
      },
    });
    a = await orgWithTeam(t.app, t.ctx);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: a.agents.admin.headers,
      payload: { name: 'Integration', scope: 'write' },
    });
    key = res.json().key;
  });
  afterAll(() => t.close());

  const countQuestions = async (stem: string) =>
    (await t.ctx.db.selectFrom('question_versions').select('id').where('stem', '=', stem).execute()).length;

  const post = (
    idem: string,
    body: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${key}` },
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/questions',
      headers: { ...headers, 'idempotency-key': idem },
      payload: body as object,
      remoteAddress: nextIp(),
    });

  it('replays the stored response for the same key and body, creating nothing new', async () => {
    const first = await post('create-q-1', question('Idempotent one'));
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post('create-q-1', question('Idempotent one'));
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await countQuestions('Idempotent one')).toBe(1);
  });

  it('refuses the same key with a different body (422) and leaves the first result in place', async () => {
    const first = await post('create-q-2', question('Original body'));
    expect(first.statusCode).toBe(201);
    const other = await post('create-q-2', question('Different body'));
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countQuestions('Different body')).toBe(0);
    // A different caller with the same key and body is a different request, never a replay.
    const asSession = await post('create-q-2', question('Original body'), a.agents.owner.headers);
    expect(asSession.statusCode).toBe(422);
  });

  it('answers 409 to a duplicate while the first request is still running', async () => {
    const headers = { authorization: `Bearer ${key}`, 'idempotency-key': 'slow-1' };
    const first = t.app.inject({ method: 'POST', url: '/api/v1/test-only/slow', headers, payload: {} });
    // Wait until the first request is inside its handler, holding the key.
    for (let i = 0; i < 200 && slowCalls === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(slowCalls).toBe(1);
    const dup = await t.app.inject({ method: 'POST', url: '/api/v1/test-only/slow', headers, payload: {} });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    release();
    expect((await first).statusCode).toBe(201);
    const replay = await t.app.inject({
      method: 'POST',
      url: '/api/v1/test-only/slow',
      headers,
      payload: {},
    });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual({ n: 1 });
    expect(slowCalls).toBe(1);
  });

  it('runs concurrent duplicates once', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => post('create-q-burst', question('Burst question'))),
    );
    const created = results.filter((r) => r.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of results) expect([201, 409]).toContain(r.statusCode);
    expect(created.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    expect(await countQuestions('Burst question')).toBe(1);
  });

  it('works for signed-in people too, and ignores requests without a key', async () => {
    const first = await post('session-1', question('From the app'), a.agents.recruiter.headers);
    const again = await post('session-1', question('From the app'), a.agents.recruiter.headers);
    expect(first.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await countQuestions('From the app')).toBe(1);
    for (let i = 0; i < 2; i++) {
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/questions',
        headers: { authorization: `Bearer ${key}` },
        payload: question('No key given'),
      });
    }
    expect(await countQuestions('No key given')).toBe(2);
  });

  it('replays errors from the service too, but validation errors claim nothing', async () => {
    const bad = await post('bad-1', { ...question('Bad'), options: [] });
    expect(bad.statusCode).toBe(400);
    const fixed = await post('bad-1', question('Fixed after a 400'));
    expect(fixed.statusCode).toBe(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();

    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/questions/00000000-0000-7000-8000-000000000000/retire',
      headers: { authorization: `Bearer ${key}`, 'idempotency-key': 'missing-1' },
    });
    const missingAgain = await t.app.inject({
      method: 'POST',
      url: '/api/v1/questions/00000000-0000-7000-8000-000000000000/retire',
      headers: { authorization: `Bearer ${key}`, 'idempotency-key': 'missing-1' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missingAgain.statusCode).toBe(404);
    expect(missingAgain.headers['idempotent-replayed']).toBe('true');
  });

  it('rejects a malformed key', async () => {
    const res = await post('x'.repeat(256), question('Too long a key'));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.fields).toHaveProperty(['headers.idempotency-key']);
  });

  it('stores responses sealed, and forgets keys after 24 hours', async () => {
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { ...a.agents.owner.headers, 'idempotency-key': 'new-key-1' },
      payload: { name: 'Sealed', scope: 'read' },
    });
    expect(made.statusCode).toBe(201);
    const secret = made.json().key as string;
    const stored = await t.ctx.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('key', '=', 'new-key-1')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(secret);

    t.clock.advance(24 * 3600_000 + 60_000);
    const later = await post('create-q-1', question('Idempotent one'));
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(await countQuestions('Idempotent one')).toBe(2);

    t.clock.advance(2 * 3600_000);
    await t.runJobs();
    const left = await t.ctx.db
      .selectFrom('idempotency_keys')
      .select('key')
      .where('created_at', '<', t.clock.now() - 24 * 3600_000)
      .execute();
    expect(left).toEqual([]);
  });
});
