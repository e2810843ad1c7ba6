import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgWithTeam } from '../../test/factories.js';
import { createTestApp, dialects, type TestApp } from '../../test/harness.js';

describe.each(dialects)('API rate limits (%s)', (dialect) => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof orgWithTeam>>;
  let b: Awaited<ReturnType<typeof orgWithTeam>>;

  beforeAll(async () => {
    t = await createTestApp(dialect, { env: { API_RATE_LIMIT_PER_KEY: '3', API_RATE_LIMIT_PER_ORG: '5' } });
    a = await orgWithTeam(t.app, t.ctx);
    b = await orgWithTeam(t.app, t.ctx);
  });
  afterAll(() => t.close());

  async function keyOf(org: typeof a) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: org.agents.owner.headers,
      payload: { name: 'Busy', scope: 'read' },
    });
    return res.json().key as string;
  }
  const call = (key: string) =>
    t.app.inject({ method: 'GET', url: '/api/v1/team/members', headers: { authorization: `Bearer ${key}` } });

  it('limits each key and each organization, without touching other tenants', async () => {
    const [a1, a2, b1] = [await keyOf(a), await keyOf(a), await keyOf(b)];
    for (let i = 0; i < 3; i++) expect((await call(a1)).statusCode).toBe(200);
    const limited = await call(a1);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);

    // A second key of the same organization has its own allowance, up to the organization's.
    expect((await call(a2)).statusCode).toBe(200);
    expect((await call(a2)).statusCode).toBe(200);
    const orgLimited = await call(a2);
    expect(orgLimited.statusCode).toBe(429);
    expect(orgLimited.json().error.code).toBe('RATE_LIMITED');

    // Organization B is untouched by A's noise.
    const other = await call(b1);
    expect(other.statusCode).toBe(200);
    expect(other.headers['x-ratelimit-remaining']).toBe('2');

    // People in the app are not counted against the API allowance.
    const person = await t.app.inject({
      method: 'GET',
      url: '/api/v1/team/members',
      headers: a.agents.owner.headers,
    });
    expect(person.statusCode).toBe(200);
  });
});
