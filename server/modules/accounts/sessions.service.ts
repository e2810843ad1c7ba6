// Staff sessions: an opaque random token in an HttpOnly cookie, only its hash in the database.
// 14 days idle, 30 days absolute; the CSRF token is derived from the session, so nothing more is stored.
import { createHmac } from 'node:crypto';
import type { Ctx } from '../../context.js';
import { hashToken, randomToken } from '../../crypto.js';
import type { DbOrTrx } from '../../db/database.js';
import type { RequestMeta } from '../../http/access.js';
import { newId } from '../../ids.js';
import { findSessionByTokenHash } from './accounts.repository.js';

export const SESSION_COOKIE = 'assay_session';
export const SESSION_IDLE_MS = 14 * 24 * 3600_000;
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600_000;
// Writing last_seen_at on every request would turn each read into a write; once a minute is enough.
const TOUCH_EVERY_MS = 60_000;

export async function createSession(
  ctx: Ctx,
  trx: DbOrTrx,
  userId: string,
  orgId: string | null,
  meta: RequestMeta,
) {
  const token = randomToken(32);
  const now = ctx.clock.now();
  const id = newId(now);
  await trx
    .insertInto('sessions')
    .values({
      id,
      token_hash: hashToken(token),
      user_id: userId,
      org_id: orgId,
      ip: meta.ip,
      user_agent: meta.userAgent,
      created_at: now,
      last_seen_at: now,
      expires_at: now + SESSION_ABSOLUTE_MS,
    })
    .execute();
  return { id, token };
}

export type ResolvedSession = {
  id: string;
  userId: string;
  orgId: string | null;
  mustChangePassword: boolean;
};

/** The live session for a cookie token, sliding its idle expiry; undefined when unknown or expired. */
export async function resolveSession(ctx: Ctx, token: string): Promise<ResolvedSession | undefined> {
  const s = await findSessionByTokenHash(ctx.db, hashToken(token));
  if (!s) return undefined;
  const now = ctx.clock.now();
  if (s.expires_at <= now || s.last_seen_at + SESSION_IDLE_MS <= now) {
    await ctx.db.deleteFrom('sessions').where('id', '=', s.id).execute();
    return undefined;
  }
  if (now - s.last_seen_at > TOUCH_EVERY_MS) {
    await ctx.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', s.id).execute();
  }
  return { id: s.id, userId: s.user_id, orgId: s.org_id, mustChangePassword: s.must_change_password === 1 };
}

export function csrfTokenFor(ctx: Pick<Ctx, 'instanceKey'>, sessionId: string): string {
  return createHmac('sha256', ctx.instanceKey).update(`csrf:${sessionId}`).digest('base64url');
}
