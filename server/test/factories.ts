// Builders for test data that go through the real services, so tests start from states users reach.
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.js';
import { newId } from '../ids.js';
import type { MemberRole } from '../modules/accounts/accounts.table.js';
import { hashPassword } from '../modules/accounts/passwords.js';
import { type Agent, signInAgent } from './harness.js';

export const PASSWORD = 'correct horse battery staple';
let n = 0;

// Hashing once and reusing keeps factories fast; the hash is a real argon2id hash of PASSWORD.
let cachedHash: Promise<string> | undefined;

export async function createOrgWithOwner(ctx: Ctx, name = `Org ${++n}`) {
  const now = ctx.clock.now();
  const orgId = newId(now);
  const email = `owner${++n}-${orgId.slice(-6)}@example.com`;
  await ctx.db
    .insertInto('organizations')
    .values({ id: orgId, name, is_demo: 0, settings: '{}', created_at: now })
    .execute();
  const userId = await createUser(ctx, email);
  await ctx.db
    .insertInto('memberships')
    .values({ org_id: orgId, user_id: userId, role: 'owner', created_at: now })
    .execute();
  return { orgId, userId, email };
}

export async function createUser(ctx: Ctx, email: string, name = 'Test User') {
  cachedHash ??= hashPassword(PASSWORD);
  const now = ctx.clock.now();
  const id = newId(now);
  await ctx.db
    .insertInto('users')
    .values({
      id,
      email,
      name,
      password_hash: await cachedHash,
      must_change_password: 0,
      failed_logins: 0,
      locked_until: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export async function addMember(ctx: Ctx, orgId: string, role: MemberRole) {
  const email = `${role}${++n}-${newId().slice(-6)}@example.com`;
  const userId = await createUser(ctx, email, `${role} ${n}`);
  await ctx.db
    .insertInto('memberships')
    .values({ org_id: orgId, user_id: userId, role, created_at: ctx.clock.now() })
    .execute();
  return { userId, email };
}

/** An organization with one signed-in member of each role. */
export async function orgWithTeam(app: FastifyInstance, ctx: Ctx) {
  const org = await createOrgWithOwner(ctx);
  const agents: Record<MemberRole, Agent> = {
    owner: await signInAgent(app, org.email, PASSWORD),
    admin: await signInAgent(app, (await addMember(ctx, org.orgId, 'admin')).email, PASSWORD),
    recruiter: await signInAgent(app, (await addMember(ctx, org.orgId, 'recruiter')).email, PASSWORD),
    reviewer: await signInAgent(app, (await addMember(ctx, org.orgId, 'reviewer')).email, PASSWORD),
  };
  return { ...org, agents };
}
