// Typed SQL for API keys. Every query on an organization's keys filters by org_id.
import type { DbOrTrx } from '../../db/database.js';
import type { ApiKeyScope } from './integrations.table.js';

export function insertApiKey(
  db: DbOrTrx,
  row: {
    id: string;
    org_id: string;
    name: string;
    scope: ApiKeyScope;
    prefix: string;
    key_hash: string;
    created_by: string | null;
    created_at: number;
  },
) {
  return db
    .insertInto('api_keys')
    .values({ ...row, last_used_at: null, revoked_at: null, revoked_by: null })
    .execute();
}

export function listApiKeysOfOrg(
  db: DbOrTrx,
  orgId: string,
  q: { cursor?: string; limit: number; includeRevoked: boolean },
) {
  let query = db
    .selectFrom('api_keys')
    .select(['id', 'name', 'scope', 'prefix', 'created_by', 'created_at', 'last_used_at', 'revoked_at'])
    .where('org_id', '=', orgId)
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (!q.includeRevoked) query = query.where('revoked_at', 'is', null);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query.execute();
}

export function findApiKey(db: DbOrTrx, orgId: string, id: string) {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Lookup by hash: the only query not scoped by org, because the key is what names the organization. */
export function findApiKeyByHash(db: DbOrTrx, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'org_id', 'scope', 'revoked_at', 'last_used_at'])
    .where('key_hash', '=', keyHash)
    .executeTakeFirst();
}

export async function revokeApiKey(db: DbOrTrx, orgId: string, id: string, by: string, now: number) {
  const r = await db
    .updateTable('api_keys')
    .set({ revoked_at: now, revoked_by: by })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export function touchApiKey(db: DbOrTrx, id: string, now: number) {
  return db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}
