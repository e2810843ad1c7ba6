// Organization API keys: created with a name and a scope, shown once, stored only as a SHA-256 hash.
// A key acts with the permissions of a role derived from its scope; revoking it stops the very next
// request, because every request looks the key up.
import type { Ctx } from '../../context.js';
import { hashToken, randomToken } from '../../crypto.js';
import { forbidden, notFound } from '../../errors.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { toIso, toIsoOrNull } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { authorize } from '../accounts/accounts.service.js';
import type { MemberRole } from '../accounts/accounts.table.js';
import { recordAudit } from '../audit/audit.service.js';
import {
  findApiKey,
  findApiKeyByHash,
  insertApiKey,
  listApiKeysOfOrg,
  revokeApiKey as revokeApiKeyRow,
  touchApiKey,
} from './api-keys.repository.js';
import type { ApiKeyScope } from './integrations.table.js';

/** Every key starts with this, so secret scanners (and people) recognise a leaked one. */
export const API_KEY_PREFIX = 'assay_live_';
// Writing last_used_at on every request would turn each read into a write; once a minute is enough.
const TOUCH_EVERY_MS = 60_000;
const DISPLAY_CHARS = 6;

/**
 * The role a key acts as. `read` and `write` act as a recruiter (read: GET and HEAD only, enforced
 * by the access hook); `admin` acts as an admin (bank export, team management, integrations).
 */
export function roleOfScope(scope: ApiKeyScope): MemberRole {
  return scope === 'admin' ? 'admin' : 'recruiter';
}

/** The user id an API-key actor carries: audit rows and `created_by` columns name the key. */
export function apiKeyActorId(apiKeyId: string): string {
  return `api-key:${apiKeyId}`;
}

export type ResolvedApiKey = { id: string; orgId: string; scope: ApiKeyScope };

/** The live key for a bearer token; undefined when unknown, malformed or revoked. */
export async function resolveApiKey(ctx: Ctx, token: string): Promise<ResolvedApiKey | undefined> {
  if (!token.startsWith(API_KEY_PREFIX) || token.length > 200) return undefined;
  const k = await findApiKeyByHash(ctx.db, hashToken(token));
  if (!k || k.revoked_at !== null) return undefined;
  const now = ctx.clock.now();
  if (k.last_used_at === null || now - k.last_used_at > TOUCH_EVERY_MS) {
    await touchApiKey(ctx.db, k.id, now);
  }
  return { id: k.id, orgId: k.org_id, scope: k.scope };
}

/** A StaffActor for a resolved key. */
export function apiKeyActor(key: ResolvedApiKey): StaffActor {
  return {
    kind: 'staff',
    userId: apiKeyActorId(key.id),
    orgId: key.orgId,
    role: roleOfScope(key.scope),
    via: 'api-key',
    sessionId: null,
    apiKeyId: key.id,
    mustChangePassword: false,
  };
}

/**
 * Keys are managed by people in the app. A key that could mint keys would let a leaked key outlive
 * its own revocation.
 */
function assertManagedByPerson(actor: StaffActor) {
  if (actor.via === 'api-key') throw forbidden('API keys are created and revoked in the app, not with a key');
}

type KeyListRow = Awaited<ReturnType<typeof listApiKeysOfOrg>>[number];

async function toApiKey(ctx: Ctx, rows: KeyListRow[]) {
  const creatorIds = [...new Set(rows.map((r) => r.created_by).filter((x): x is string => !!x))];
  const creators = creatorIds.length
    ? await ctx.db.selectFrom('users').select(['id', 'name']).where('id', 'in', creatorIds).execute()
    : [];
  const names = new Map(creators.map((c) => [c.id, c.name]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    scope: r.scope,
    prefix: r.prefix,
    createdBy: r.created_by ? { userId: r.created_by, name: names.get(r.created_by) ?? null } : null,
    createdAt: toIso(r.created_at),
    lastUsedAt: toIsoOrNull(r.last_used_at),
    revokedAt: toIsoOrNull(r.revoked_at),
  }));
}

export async function listApiKeys(
  ctx: Ctx,
  actor: StaffActor,
  q: { cursor?: string; limit: number; includeRevoked?: boolean },
) {
  authorize(actor, 'integrations.manage');
  const rows = await listApiKeysOfOrg(ctx.db, actor.orgId, { ...q, includeRevoked: !!q.includeRevoked });
  const page = rows.slice(0, q.limit);
  return {
    items: await toApiKey(ctx, page),
    nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function createApiKey(
  ctx: Ctx,
  actor: StaffActor,
  input: { name: string; scope: ApiKeyScope },
  meta: RequestMeta,
) {
  authorize(actor, 'integrations.manage');
  assertManagedByPerson(actor);
  const now = ctx.clock.now();
  const key = `${API_KEY_PREFIX}${randomToken(32)}`;
  const row = {
    id: newId(now),
    org_id: actor.orgId,
    name: input.name,
    scope: input.scope,
    prefix: key.slice(0, API_KEY_PREFIX.length + DISPLAY_CHARS),
    key_hash: hashToken(key),
    created_by: actor.userId,
    created_at: now,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await insertApiKey(trx, row);
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: row.id,
      details: { name: row.name, scope: row.scope, prefix: row.prefix },
      meta,
    });
  });
  const [apiKey] = await toApiKey(ctx, [{ ...row, last_used_at: null, revoked_at: null }]);
  return { apiKey: apiKey as NonNullable<typeof apiKey>, key };
}

export async function revokeApiKey(ctx: Ctx, actor: StaffActor, apiKeyId: string, meta: RequestMeta) {
  authorize(actor, 'integrations.manage');
  assertManagedByPerson(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const existing = await findApiKey(trx, actor.orgId, apiKeyId);
    if (!existing) throw notFound('API key');
    // Revoking twice is a no-op that still answers 204: the caller's intent holds.
    if (existing.revoked_at !== null) return;
    await revokeApiKeyRow(trx, actor.orgId, apiKeyId, actor.userId, ctx.clock.now());
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'api_key.revoked',
      targetType: 'api_key',
      targetId: apiKeyId,
      details: { name: existing.name, prefix: existing.prefix },
      meta,
    });
  });
}
