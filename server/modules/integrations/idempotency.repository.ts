// Typed SQL for stored idempotent responses. A unique (org_id, key) makes the claim atomic: of two
// concurrent requests with one key, exactly one inserts the pending row.
import type { DbOrTrx } from '../../db/database.js';
import type { IdempotencyKeyRow } from './integrations.table.js';

export async function insertPendingKey(
  db: DbOrTrx,
  row: { id: string; org_id: string; key: string; request_hash: string; now: number },
): Promise<boolean> {
  const r = await db
    .insertInto('idempotency_keys')
    .values({
      id: row.id,
      org_id: row.org_id,
      key: row.key,
      request_hash: row.request_hash,
      state: 'pending',
      status_code: null,
      content_type: null,
      response_sealed: null,
      created_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) => oc.columns(['org_id', 'key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

export function findKey(db: DbOrTrx, orgId: string, key: string): Promise<IdempotencyKeyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('key', '=', key)
    .executeTakeFirst();
}

/** Takes over a pending row whose request never finished (its process died), if still unchanged. */
export async function takeOverPendingKey(db: DbOrTrx, id: string, seenUpdatedAt: number, now: number) {
  const r = await db
    .updateTable('idempotency_keys')
    .set({ updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where('updated_at', '=', seenUpdatedAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export function deleteKey(db: DbOrTrx, id: string) {
  return db.deleteFrom('idempotency_keys').where('id', '=', id).execute();
}

export function completeKey(
  db: DbOrTrx,
  id: string,
  r: { statusCode: number; contentType: string | null; responseSealed: string; now: number },
) {
  return db
    .updateTable('idempotency_keys')
    .set({
      state: 'completed',
      status_code: r.statusCode,
      content_type: r.contentType,
      response_sealed: r.responseSealed,
      updated_at: r.now,
    })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .execute();
}
