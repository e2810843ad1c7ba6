// The audit log: an append-only record of security-relevant actions. Entries name people by user id
// and carry no secrets; nothing in the app updates or deletes them.
import type { Ctx } from '../../context.js';
import type { DbOrTrx } from '../../db/database.js';
import type { RequestMeta } from '../../http/access.js';
import { toIso } from '../../http/schemas.js';
import { newId } from '../../ids.js';

export type AuditEntry = {
  orgId: string | null;
  actorUserId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  meta?: RequestMeta;
};

export async function recordAudit(ctx: Pick<Ctx, 'clock'>, trx: DbOrTrx, e: AuditEntry): Promise<void> {
  const now = ctx.clock.now();
  await trx
    .insertInto('audit_log')
    .values({
      id: newId(now),
      org_id: e.orgId,
      actor_user_id: e.actorUserId,
      action: e.action,
      target_type: e.targetType ?? null,
      target_id: e.targetId ?? null,
      ip: e.meta?.ip ?? null,
      request_id: e.meta?.requestId ?? null,
      details: JSON.stringify(e.details ?? {}),
      created_at: now,
    })
    .execute();
}

/** Actions taken with an API key name the key (`api-key:<id>`); a missing user was deleted. */
function actorFallbackName(actorUserId: string): string {
  return actorUserId.startsWith('api-key:')
    ? `API key ${actorUserId.slice('api-key:'.length, 'api-key:'.length + 8)}…`
    : '(deleted user)';
}

export async function listAudit(
  ctx: Ctx,
  orgId: string,
  q: { action?: string; actorUserId?: string; cursor?: string; limit: number },
) {
  let query = ctx.db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .select([
      'a.id',
      'a.action',
      'a.actor_user_id',
      'u.name as actor_name',
      'a.target_type',
      'a.target_id',
      'a.ip',
      'a.request_id',
      'a.details',
      'a.created_at',
    ])
    .where('a.org_id', '=', orgId)
    .orderBy('a.id', 'desc')
    .limit(q.limit + 1);
  if (q.action) query = query.where('a.action', '=', q.action);
  if (q.actorUserId) query = query.where('a.actor_user_id', '=', q.actorUserId);
  if (q.cursor) query = query.where('a.id', '<', q.cursor);
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      action: r.action,
      actor: r.actor_user_id
        ? { userId: r.actor_user_id, name: r.actor_name ?? actorFallbackName(r.actor_user_id) }
        : null,
      targetType: r.target_type,
      targetId: r.target_id,
      ip: r.ip,
      requestId: r.request_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
      createdAt: toIso(r.created_at),
    })),
    nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
