// Typed SQL for webhook endpoints, their delivery log, and the events the dispatcher fans out.
import type { Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from './integrations.table.js';

export function insertEndpoint(db: DbOrTrx, row: WebhookEndpointsTable) {
  return db.insertInto('webhook_endpoints').values(row).execute();
}

export function findEndpoint(db: DbOrTrx, orgId: string, id: string) {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function listEndpointsOfOrg(db: DbOrTrx, orgId: string, q: { cursor?: string; limit: number }) {
  let query = db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query.execute();
}

export async function updateEndpoint(
  db: DbOrTrx,
  orgId: string,
  id: string,
  set: Updateable<WebhookEndpointsTable>,
) {
  const r = await db
    .updateTable('webhook_endpoints')
    .set(set)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteEndpoint(db: DbOrTrx, orgId: string, id: string) {
  const r = await db
    .deleteFrom('webhook_endpoints')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Active endpoints of these organizations, for the dispatcher's fan-out. */
export function listActiveEndpointsOfOrgs(db: DbOrTrx, orgIds: string[]) {
  if (orgIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('webhook_endpoints')
    .select(['id', 'org_id', 'event_types', 'created_at'])
    .where('org_id', 'in', orgIds)
    .where('active', '=', 1)
    .execute();
}

export function insertDelivery(db: DbOrTrx, row: WebhookDeliveriesTable) {
  return db.insertInto('webhook_deliveries').values(row).execute();
}

export function findDelivery(db: DbOrTrx, orgId: string, id: string) {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function listDeliveriesOfEndpoint(
  db: DbOrTrx,
  orgId: string,
  endpointId: string,
  q: { cursor?: string; limit: number },
) {
  let query = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('endpoint_id', '=', endpointId)
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query.execute();
}

/** The oldest events not yet fanned out (the partial index events_undispatched_idx backs this). */
export function listUndispatchedEvents(db: DbOrTrx, limit: number) {
  return db
    .selectFrom('events')
    .select(['id', 'org_id', 'type', 'created_at'])
    .where('dispatched_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export function markEventsDispatched(db: DbOrTrx, ids: string[], now: number) {
  return db
    .updateTable('events')
    .set({ dispatched_at: now })
    .where('id', 'in', ids)
    .where('dispatched_at', 'is', null)
    .execute();
}

export function findEvent(db: DbOrTrx, orgId: string, id: string) {
  return db
    .selectFrom('events')
    .select(['id', 'org_id', 'type', 'subject_id', 'data', 'created_at'])
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function listOwnerEmails(db: DbOrTrx, orgId: string) {
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('u.email')
    .where('m.org_id', '=', orgId)
    .where('m.role', '=', 'owner')
    .execute();
}
