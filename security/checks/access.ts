// D1, D2, D4 over every route the app registers (routesOf in server/app.ts), with sessions of every
// role, API keys of every scope, a candidate's cookie and no credentials at all.
// D1: organization A's principals call every id-bearing route with organization B's ids: the answer
//     must be exactly what a random id gets (404, no existence oracle), never B's data, and B's rows
//     must be unchanged afterwards.
// D2: each principal × route decision (refused with 401/403, or let through) matches the policy:
//     the permission table for roles, the scope rules for keys, cookies for candidates.
// D4: every write route with tenant and mass-assignment fields added (orgId, role, score, status,
//     started_at, …, an X-Tenant-ID header, ?orgId=): ignored or rejected, never applied.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { type RouteRecord, routesOf } from '../../server/app.js';
import type { Ctx } from '../../server/context.js';
import { can, type Permission } from '../../server/modules/accounts/permissions.js';
import { PASSWORD } from '../../server/test/factories.js';
import { signInAgent } from '../../server/test/harness.js';
import { listTables } from '../lib/dump.js';
import { atLeast, type Figure, fmt, zero } from '../lib/figures.js';
import { bodySchema, type Doc, operationFor, sampleValid, specOf } from '../lib/openapi.js';
import { bearer, type CheckContext, call, createWorld, type OrgFixture, objectIds } from '../lib/world.js';

const NO_SUCH_ID = '01900000-0000-7000-8000-000000000000';

type Principal = {
  name: string;
  kind: 'session' | 'key' | 'candidate' | 'anonymous';
  role?: 'owner' | 'admin' | 'recruiter' | 'reviewer';
  scope?: 'read' | 'write' | 'admin';
  headers: () => Promise<Record<string, string>>;
};

const apiRoutes = (app: FastifyInstance) =>
  routesOf(app).filter(
    (r) =>
      r.method !== 'HEAD' && r.method !== 'OPTIONS' && (r.url.startsWith('/api/') || r.url === '/readyz'),
  );

function fill(url: string, ids: Record<string, string>, missing?: Set<string>): string {
  return url.replace(/:(\w+)/g, (_, name: string) => {
    const id = ids[name];
    if (!id) {
      missing?.add(name);
      return NO_SUCH_ID;
    }
    return encodeURIComponent(id);
  });
}

function bodyFor(doc: Doc, r: RouteRecord): unknown {
  if (r.method === 'GET' || r.method === 'DELETE') return undefined;
  const schema = bodySchema(doc, operationFor(doc, r.method, r.url));
  return schema ? sampleValid(doc, schema) : undefined;
}

/** Everything an organization owns: every row of every table with an org_id column. */
export async function snapshotOrg(ctx: Ctx, orgId: string): Promise<string> {
  const parts: string[] = [];
  for (const table of await listTables(ctx)) {
    try {
      const rows = await ctx.db
        .selectFrom(table as 'jobs')
        .selectAll()
        .where('org_id' as 'id', '=', orgId)
        .execute();
      // Timestamps of use (last_seen_at, last_used_at) move when B itself is active; A's calls are not B.
      parts.push(
        `${table}:${JSON.stringify(rows.map((r) => ({ ...r, last_used_at: undefined, last_seen_at: undefined })).sort((x, y) => String(x.id).localeCompare(String(y.id))))}`,
      );
    } catch {
      // no org_id column
    }
  }
  return parts.join('\n');
}

/** Principals of one organization. `forget()` drops cached sign-ins (after a route that may end them). */
function principalsOf(app: FastifyInstance, org: OrgFixture, emails: Record<string, string>) {
  const agents = new Map<string, Record<string, string>>();
  const session = (role: 'owner' | 'admin' | 'recruiter' | 'reviewer'): Principal => ({
    name: `${role} session`,
    kind: 'session',
    role,
    headers: async () => {
      let h = agents.get(role);
      if (!h) {
        h = (await signInAgent(app, emails[role] as string, PASSWORD)).headers;
        agents.set(role, h);
      }
      return h;
    },
  });
  const key = (scope: 'read' | 'write' | 'admin'): Principal => ({
    name: `${scope} API key`,
    kind: 'key',
    scope,
    headers: async () => bearer(org.keys[scope]),
  });
  const list: Principal[] = [
    session('owner'),
    session('admin'),
    session('recruiter'),
    session('reviewer'),
    key('read'),
    key('write'),
    key('admin'),
    { name: 'candidate cookie', kind: 'candidate', headers: async () => org.browser.headers },
    { name: 'anonymous', kind: 'anonymous', headers: async () => ({}) },
  ];
  return Object.assign(list, { forget: () => agents.clear() });
}

/** The documented policy: who may get past access control for a route (docs/permissions.md). */
function expected(p: Principal, r: RouteRecord): boolean {
  const a = r.access;
  if (!a || a.kind === 'public') return true;
  if (a.kind === 'candidate') return p.kind === 'candidate';
  if (p.kind === 'candidate' || p.kind === 'anonymous') return false;
  if (a.kind === 'user') return p.kind === 'session';
  const permission = a.permission as Permission;
  if (p.kind === 'session') return can(p.role, permission);
  // Keys act as a recruiter (read, write) or an admin (admin); read keys only GET; keys never
  // create or revoke keys (a leaked key must not outlive its own revocation; docs/api.md).
  if (r.url.startsWith('/api/v1/api-keys') && r.method !== 'GET') return false;
  if (p.scope === 'read' && r.method !== 'GET') return false;
  return can(p.scope === 'admin' ? 'admin' : 'recruiter', permission);
}

const refused = (res: LightMyRequestResponse) => res.statusCode === 401 || res.statusCode === 403;

async function emailsOf(ctx: Ctx, orgId: string) {
  const rows = await ctx.db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.email', 'm.role'])
    .where('m.org_id', '=', orgId)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.role, r.email]));
}

export async function accessControl(c: CheckContext): Promise<Figure[]> {
  const w = await createWorld(c.dialect);
  const { t, a, b } = w;
  try {
    const doc = specOf(t.app);
    const aIds = await objectIds(t, a);
    const bIds = await objectIds(t, b);
    const routes = apiRoutes(t.app);
    const principals = principalsOf(t.app, a, await emailsOf(t.ctx, a.orgId));

    // D2: the role matrix, with ids that exist nowhere (nothing is changed, every check still runs).
    const mismatches: string[] = [];
    let pairs = 0;
    for (const r of routes) {
      for (const p of principals) {
        const res = await call(t.app, {
          method: r.method as 'GET',
          url: fill(r.url, {
            ...Object.fromEntries(Object.keys(aIds).map((k) => [k, NO_SUCH_ID])),
            itemKey: 'x',
            sectionKey: 'x',
          }),
          headers: await p.headers(),
          payload: bodyFor(doc, r) as object,
        });
        pairs++;
        // Sign-out, password changes and the like end the session they were called with.
        if (r.access?.kind === 'user' && r.method !== 'GET') principals.forget();
        const want = expected(p, r);
        if (want === refused(res))
          mismatches.push(
            `${p.name} ${r.method} ${r.url}: ${res.statusCode} (policy: ${want ? 'allowed' : 'refused'}) ${res.body.slice(0, 100)}`,
          );
      }
    }

    // D1: A's principals with B's ids, compared with a random id.
    const before = await snapshotOrg(t.ctx, b.orgId);
    const leaks: string[] = [];
    const missing = new Set<string>();
    // Candidate routes name their own attempt's items and sections; only a file id can point elsewhere.
    const idRoutes = routes.filter(
      (r) =>
        r.url.includes(':') &&
        r.access?.kind !== 'public' &&
        (r.access?.kind !== 'candidate' || r.url.includes(':uploadId')),
    );
    const bMarkers = Object.values(bIds).filter((v) => v.length > 20);
    let crossCalls = 0;
    for (const r of idRoutes) {
      const who =
        r.access?.kind === 'candidate'
          ? principals.filter((p) => p.kind === 'candidate')
          : principals.filter(
              (p) => (p.kind === 'session' && (p.role === 'owner' || p.role === 'admin')) || p.kind === 'key',
            );
      for (const p of who) {
        const url = fill(r.url, { ...bIds, itemKey: aIds.itemKey ?? 'x', sectionKey: 'work' }, missing);
        const payload = bodyFor(doc, r) as object;
        const res = await call(t.app, {
          method: r.method as 'GET',
          url,
          headers: await p.headers(),
          payload,
        });
        const ref = await call(t.app, {
          method: r.method as 'GET',
          url: fill(r.url, {
            ...Object.fromEntries(Object.keys(bIds).map((k) => [k, NO_SUCH_ID])),
            itemKey: aIds.itemKey ?? 'x',
            sectionKey: 'work',
          }),
          headers: await p.headers(),
          payload,
        });
        crossCalls++;
        if (r.access?.kind === 'user' && r.method !== 'GET') principals.forget();
        const code = (x: LightMyRequestResponse) =>
          `${x.statusCode} ${(x.json() as { error?: { code?: string } }).error?.code ?? ''}`;
        let same = true;
        try {
          same = code(res) === code(ref);
        } catch {
          same = res.statusCode === ref.statusCode;
        }
        if (res.statusCode < 300)
          leaks.push(`${p.name} ${r.method} ${r.url} with B's ids → ${res.statusCode}`);
        else if (!same)
          leaks.push(
            `${p.name} ${r.method} ${r.url}: B's id → ${res.statusCode}, unknown id → ${ref.statusCode} (an existence oracle)`,
          );
        for (const m of bMarkers)
          if (res.body.includes(m)) leaks.push(`${p.name} ${r.method} ${r.url} echoed B's id ${m}`);
      }
    }
    // Lists never show B's objects.
    for (const r of routes.filter(
      (x) => x.method === 'GET' && !x.url.includes(':') && x.access?.kind === 'staff',
    )) {
      const res = await call(t.app, { method: 'GET', url: r.url, headers: a.agents.owner.headers });
      for (const m of [b.orgId, b.email, ...bMarkers])
        if (res.body.includes(m)) leaks.push(`list ${r.url} shows B's ${m}`);
    }
    const after = await snapshotOrg(t.ctx, b.orgId);
    if (after !== before) leaks.push("B's rows changed during A's requests");
    const covered = idRoutes.length - [...missing].length;

    // D4: mass assignment and tenant injection on every write route, as A's owner and A's admin key.
    const beforeB = await snapshotOrg(t.ctx, b.orgId);
    const owners = async () =>
      (
        await t.ctx.db
          .selectFrom('memberships')
          .select('role')
          .where('org_id', '=', a.orgId)
          .where('role', '=', 'owner')
          .execute()
      ).length;
    const overrides: string[] = [];
    const writes = routes.filter(
      (r) =>
        ['POST', 'PUT', 'PATCH'].includes(r.method) &&
        r.access?.kind !== 'public' &&
        !r.url.includes('/auth/'),
    );
    const injected = {
      orgId: b.orgId,
      org_id: b.orgId,
      organizationId: b.orgId,
      tenantId: b.orgId,
      role: 'owner',
      score: 0.987654,
      is_correct: true,
      isCorrect: true,
      status: 'graded',
      started_at: 123456789,
      startedAt: '1973-11-29T21:33:09.000Z',
      userId: b.userId,
    };
    let injections = 0;
    for (const r of writes) {
      const base = bodyFor(doc, r);
      // Only fields the route does not document are injected: a documented `role` is the route's job.
      const documented = new Set(
        Object.keys((bodySchema(doc, operationFor(doc, r.method, r.url))?.properties ?? {}) as object),
      );
      const extra = Object.fromEntries(Object.entries(injected).filter(([k]) => !documented.has(k)));
      const payload =
        base && typeof base === 'object' && !Array.isArray(base) ? { ...extra, ...(base as object) } : extra;
      const ownersBeforeThis = await owners();
      for (const headers of [a.agents.owner.headers, bearer(a.keys.admin)]) {
        const res = await call(t.app, {
          method: r.method as 'POST',
          url: `${fill(r.url, { ...aIds, sectionKey: 'work' })}?orgId=${b.orgId}&org_id=${b.orgId}`,
          headers:
            r.access?.kind === 'candidate'
              ? { ...a.browser.headers, 'x-tenant-id': b.orgId }
              : { ...headers, 'x-tenant-id': b.orgId },
          payload: payload as object,
        });
        injections++;
        if (res.statusCode < 300 && res.body.includes(b.orgId))
          overrides.push(`${r.method} ${r.url}: the reply carries B's organization`);
        if (res.statusCode < 300 && /0\.987654|123456789|1973-11-29/.test(res.body))
          overrides.push(`${r.method} ${r.url}: an injected value came back`);
        if (r.access?.kind === 'candidate') break;
      }
      if ('role' in extra && (await owners()) !== ownersBeforeThis)
        overrides.push(`${r.method} ${r.url}: an injected role made someone an owner`);
    }
    const dump = await listTables(t.ctx);
    for (const table of dump) {
      const rows = await t.ctx.db
        .selectFrom(table as 'jobs')
        .selectAll()
        .execute();
      for (const row of rows) {
        const text = JSON.stringify(row);
        if (/0\.987654|123456789\b/.test(text))
          overrides.push(`table ${table}: an injected score or start time was stored`);
      }
    }
    if ((await snapshotOrg(t.ctx, b.orgId)) !== beforeB)
      overrides.push("B's rows changed: a tenant override was accepted");
    const attemptA = await t.ctx.db
      .selectFrom('attempts')
      .select(['status', 'score'])
      .where('id', '=', a.attemptId)
      .executeTakeFirstOrThrow();
    if (attemptA.score === 0.987654) overrides.push("an injected score was applied to A's attempt");

    return [
      zero(
        'D1',
        'cross-tenant leaks',
        leaks,
        `across ${fmt(crossCalls)} calls on ${covered}/${idRoutes.length} id-bearing route × method pairs (owner and admin sessions, read/write/admin keys, candidate cookie) plus every list`,
      ),
      atLeast(
        'D1',
        'id-bearing routes covered',
        (covered / idRoutes.length) * 100,
        100,
        `${covered}/${idRoutes.length} id-bearing routes had a fixture for every parameter`,
        {
          unit: '%',
          details: [...missing].map(
            (m) => `no fixture for :${m}; add one in objectIds (security/lib/world.ts)`,
          ),
        },
      ),
      zero(
        'D2',
        'policy mismatches',
        mismatches,
        `over ${fmt(pairs)} principal × route pairs (${routes.length} routes × ${principals.length} principals: 4 roles, 3 key scopes, candidate, anonymous)`,
      ),
      zero(
        'D4',
        'overrides accepted',
        overrides,
        `over ${fmt(injections)} write requests on ${writes.length} write routes carrying orgId/role/score/status/isCorrect/startedAt fields, X-Tenant-ID and ?orgId=`,
      ),
    ];
  } finally {
    await w.close();
  }
}
