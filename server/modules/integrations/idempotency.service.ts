// Idempotent writes: a POST with an `Idempotency-Key` header runs once. The first request claims the
// key with a pending row; its response is stored (sealed) and replayed to any repeat within 24 hours.
// The same key with a different request is refused, and so is a repeat while the first is running.
import type { Ctx } from '../../context.js';
import { sha256Hex } from '../../crypto.js';
import { AppError } from '../../errors.js';
import { newId } from '../../ids.js';
import {
  completeKey,
  deleteKey,
  findKey,
  insertPendingKey,
  takeOverPendingKey,
} from './idempotency.repository.js';

/** Keys are remembered this long; the prune job forgets them after. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** A pending claim this old belongs to a request whose process died; a repeat may take it over. */
const STALE_PENDING_MS = 5 * 60_000;

export type IdempotencyOutcome =
  | { kind: 'claimed'; id: string }
  | { kind: 'replay'; statusCode: number; contentType: string | null; body: string };

/** Binds the key to who asked and what they asked: caller, method, path and body. */
export function requestHash(principal: string, method: string, url: string, body: unknown): string {
  return sha256Hex(JSON.stringify([principal, method, url, body ?? null]));
}

export async function claimIdempotencyKey(
  ctx: Ctx,
  orgId: string,
  key: string,
  hash: string,
): Promise<IdempotencyOutcome> {
  for (let round = 0; round < 3; round++) {
    const now = ctx.clock.now();
    const id = newId(now);
    if (await insertPendingKey(ctx.db, { id, org_id: orgId, key, request_hash: hash, now })) {
      return { kind: 'claimed', id };
    }
    const existing = await findKey(ctx.db, orgId, key);
    if (!existing) continue; // pruned between the two statements: claim again
    if (existing.created_at <= now - IDEMPOTENCY_TTL_MS) {
      // Expired but not yet pruned: the key is free again.
      await deleteKey(ctx.db, existing.id);
      continue;
    }
    if (existing.request_hash !== hash) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used for a different request; use a new key',
      );
    }
    if (existing.state === 'pending') {
      if (
        existing.updated_at <= now - STALE_PENDING_MS &&
        (await takeOverPendingKey(ctx.db, existing.id, existing.updated_at, now))
      ) {
        return { kind: 'claimed', id: existing.id };
      }
      throw new AppError(
        'IDEMPOTENCY_IN_PROGRESS',
        'A request with this Idempotency-Key is still in progress; retry shortly',
      );
    }
    return {
      kind: 'replay',
      statusCode: existing.status_code ?? 200,
      contentType: existing.content_type,
      body: existing.response_sealed ? ctx.sealer.open(existing.response_sealed) : '',
    };
  }
  throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'The Idempotency-Key is busy; retry shortly');
}

/** Stores the response of a claimed request, or frees the key when the outcome is worth retrying. */
export async function finishIdempotencyKey(
  ctx: Ctx,
  id: string,
  r: { statusCode: number; contentType: string | null; body: string | null },
): Promise<void> {
  // A 5xx rolled its transaction back, and a 429 did nothing: a retry with the same key should run.
  if (r.body === null || r.statusCode >= 500 || r.statusCode === 429) {
    await deleteKey(ctx.db, id);
    return;
  }
  await completeKey(ctx.db, id, {
    statusCode: r.statusCode,
    contentType: r.contentType,
    responseSealed: ctx.sealer.seal(r.body),
    now: ctx.clock.now(),
  });
}

export async function releaseIdempotencyKey(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.deleteFrom('idempotency_keys').where('id', '=', id).where('state', '=', 'pending').execute();
}
