// J1: requests generated with fast-check from the OpenAPI document, against every operation, as each
// principal (four roles, three key scopes, a candidate, nobody). Bodies come from each operation's
// request schema, mostly valid and sometimes hostile (huge numbers, long and odd strings, wrong
// types, __proto__), plus whole-request mutations: invalid UTF-8, deep nesting, wrong content types,
// duplicated query parameters, broken JSON. The figure is 5xx per 10,000 requests (must be 0), and
// every reply must be a documented status whose JSON body conforms to the documented schema.
import fc from 'fast-check';
import type { RouteRecord } from '../../server/app.js';
import { routesOf } from '../../server/app.js';
import { PASSWORD } from '../../server/test/factories.js';
import { signInAgent } from '../../server/test/harness.js';
import { type Figure, fmt, zero } from '../lib/figures.js';
import {
  arbitraryFor,
  bodySchema,
  type Doc,
  type Operation,
  operationFor,
  responseSchema,
  sampleValid,
  specOf,
  validate,
} from '../lib/openapi.js';
import { bearer, type CheckContext, call, createWorld, objectIds, pick } from '../lib/world.js';

const MUTATIONS = [
  'valid',
  'valid',
  'valid',
  'hostile-fields',
  'extra-fields',
  '__proto__',
  'invalid-utf8',
  'deep-nesting',
  'wrong-content-type',
  'broken-json',
  'duplicate-query',
  'no-body',
  'huge-number',
] as const;
type Mutation = (typeof MUTATIONS)[number];

function queryOf(doc: Doc, op: Operation | undefined, hostile: boolean, dup: boolean): string {
  const params = (op?.parameters ?? []).filter((p) => p.in === 'query');
  const parts: string[] = [];
  for (const p of params) {
    const v = hostile
      ? ["'", '-1', '1e999', '%00', 'x'.repeat(300)][Math.floor(Math.random() * 5)]
      : sampleValid(doc, p.schema);
    if (v === undefined || (typeof v === 'object' && v !== null)) continue;
    parts.push(`${p.name}=${encodeURIComponent(String(v))}`);
    if (dup) parts.push(`${p.name}=${encodeURIComponent(String(v))}x`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export async function openApiFuzz(c: CheckContext): Promise<Figure[]> {
  const total = pick(c.scale, { test: 300, quick: 1_000, full: 10_000 });
  const w = await createWorld(c.dialect, {
    env: { API_RATE_LIMIT_PER_KEY: '1000000', API_RATE_LIMIT_PER_ORG: '1000000' },
  });
  const { t, a } = w;
  try {
    const doc = specOf(t.app);
    const ids = await objectIds(t, a);
    const routes = routesOf(t.app).filter(
      (r) =>
        r.method !== 'HEAD' &&
        r.method !== 'OPTIONS' &&
        (r.url.startsWith('/api/') || r.url === '/healthz' || r.url === '/readyz'),
    );
    const emails = Object.fromEntries(
      (
        await t.ctx.db
          .selectFrom('memberships as m')
          .innerJoin('users as u', 'u.id', 'm.user_id')
          .select(['u.email', 'm.role'])
          .where('m.org_id', '=', a.orgId)
          .execute()
      ).map((r) => [r.role, r.email]),
    );
    const sessions = new Map<string, Record<string, string>>();
    const principals: Array<{ name: string; headers: () => Promise<Record<string, string>> }> = [
      ...(['owner', 'admin', 'recruiter', 'reviewer'] as const).map((role) => ({
        name: role,
        headers: async () => {
          let h = sessions.get(role);
          if (!h) {
            h = (await signInAgent(t.app, emails[role] as string, PASSWORD)).headers;
            sessions.set(role, h);
          }
          return h;
        },
      })),
      ...(['read', 'write', 'admin'] as const).map((scope) => ({
        name: `${scope} key`,
        headers: async () => bearer(a.keys[scope]),
      })),
      { name: 'candidate', headers: async () => a.browser.headers },
      { name: 'anonymous', headers: async () => ({}) },
    ];
    const fives: string[] = [];
    const violations: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    const covered = new Set<string>();
    const requestArb = fc
      .tuple(
        fc.nat(routes.length - 1),
        fc.nat(principals.length - 1),
        fc.constantFrom(...MUTATIONS),
        fc.boolean(),
      )
      .chain(([ri, pi, mutation, realIds]) => {
        const r = routes[ri] as RouteRecord;
        const op = operationFor(doc, r.method, r.url);
        const schema = bodySchema(doc, op);
        const body = schema ? arbitraryFor(doc, schema) : fc.constant(undefined);
        return fc.tuple(
          fc.constant(r),
          fc.constant(op),
          fc.constant(pi),
          fc.constant(mutation as Mutation),
          fc.constant(realIds),
          body,
          fc.string({ maxLength: 60 }),
        );
      });
    await fc
      .assert(
        fc.asyncProperty(requestArb, async ([r, op, pi, mutation, realIds, body, junk]) => {
          const p = principals[pi] as (typeof principals)[number];
          const url =
            r.url.replace(/:(\w+)/g, (_, name: string) =>
              encodeURIComponent(realIds ? (ids[name] ?? junk) || 'x' : junk || 'x'),
            ) + queryOf(doc, op, mutation === 'hostile-fields', mutation === 'duplicate-query');
          const headers: Record<string, string> = { ...(await p.headers()) };
          let payload: string | Buffer | undefined;
          const withBody = r.method !== 'GET' && r.method !== 'DELETE';
          if (withBody) {
            headers['content-type'] = 'application/json';
            const valid = body === undefined ? {} : body;
            switch (mutation) {
              case 'extra-fields':
                payload = JSON.stringify(
                  valid && typeof valid === 'object' && !Array.isArray(valid)
                    ? { ...valid, orgId: 'x', role: 'owner', unexpected: [1, 2, 3] }
                    : valid,
                );
                break;
              case '__proto__':
                payload = `{"__proto__":{"isAdmin":true,"role":"owner"},"constructor":{"prototype":{"polluted":true}},${JSON.stringify(valid ?? {}).slice(1) || '}'}`;
                break;
              case 'invalid-utf8':
                payload = Buffer.concat([
                  Buffer.from('{"name":"'),
                  Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff]),
                  Buffer.from('"}'),
                ]);
                break;
              case 'deep-nesting':
                payload = `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`;
                break;
              case 'wrong-content-type':
                headers['content-type'] = [
                  'text/plain',
                  'application/xml',
                  'application/x-www-form-urlencoded',
                  'multipart/form-data',
                  'application/json; charset=latin1',
                ][sent % 5] as string;
                payload = JSON.stringify(valid ?? {});
                break;
              case 'broken-json':
                payload = `${JSON.stringify(valid ?? {}).slice(0, -1)},`;
                break;
              case 'no-body':
                payload = undefined;
                delete headers['content-type'];
                break;
              case 'huge-number':
                payload = JSON.stringify(valid ?? {})
                  .replace(/:(\d+)/g, ':1e400')
                  .replace(/^\{\}$/, '{"n":1e400}');
                break;
              default:
                payload = JSON.stringify(valid ?? {});
            }
          }
          const res = await call(t.app, { method: r.method as 'POST', url, headers, payload });
          sent++;
          covered.add(`${r.method} ${r.url}`);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const label = `${p.name} ${r.method} ${r.url} [${mutation}]`;
          if (res.statusCode >= 500) fives.push(`${label} → ${res.statusCode} ${res.body.slice(0, 160)}`);
          // Sign-out and password changes end sessions: sign in again next time.
          if (r.access?.kind === 'user' && r.method !== 'GET') sessions.clear();
          const documented = responseSchema(doc, op, res.statusCode);
          if (!documented) {
            violations.push(`${label} → ${res.statusCode}, a status the operation does not document`);
            return;
          }
          const ct = String(res.headers['content-type'] ?? '');
          if (documented.schema && ct.includes('application/json') && res.body) {
            let json: unknown;
            try {
              json = JSON.parse(res.body);
            } catch {
              violations.push(`${label} → ${res.statusCode}: the body is not JSON`);
              return;
            }
            const errs = validate(doc, documented.schema, json);
            if (errs.length) violations.push(`${label} → ${res.statusCode}: ${errs.slice(0, 3).join('; ')}`);
          }
        }),
        { numRuns: total, seed: c.seed, endOnFailure: false, interruptAfterTimeLimit: 30 * 60_000 },
      )
      .catch(() => {});
    const per10k = sent ? (fives.length / sent) * 10_000 : 0;
    const spread = [...statuses.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([s, n]) => `${s}×${fmt(n)}`)
      .join(' ');
    return [
      zero(
        'J1',
        '5xx',
        fives,
        `per ${fmt(sent)} generated requests (${fmt(per10k, 1)} per 10,000) over ${covered.size}/${routes.length} operations × 9 principals; replies ${spread}`,
      ),
      zero(
        'J1',
        'schema violations',
        violations,
        `in ${fmt(sent)} replies (documented status, JSON body valid against its documented schema)`,
      ),
    ];
  } finally {
    await w.close();
  }
}
