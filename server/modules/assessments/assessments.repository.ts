// Typed SQL for assessments. Every query takes the organization id.
import { type Insertable, sql, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { AssessmentState, AssessmentsTable } from './assessments.table.js';

export function insertAssessment(db: DbOrTrx, row: Insertable<AssessmentsTable>) {
  return db.insertInto('assessments').values(row).execute();
}

export function findAssessment(db: DbOrTrx, orgId: string, id: string) {
  return db
    .selectFrom('assessments')
    .selectAll()
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
}

/** With the organization's display name, for what candidates see. */
export function findAssessmentWithOrganizationName(db: DbOrTrx, orgId: string, id: string) {
  return db
    .selectFrom('assessments as a')
    .innerJoin('organizations as o', 'o.id', 'a.org_id')
    .select(['a.id', 'a.name', 'a.state', 'a.settings', 'o.name as org_name'])
    .where('a.id', '=', id)
    .where('a.org_id', '=', orgId)
    .executeTakeFirst();
}

export function findAssessmentByPublicLinkHash(db: DbOrTrx, hash: string) {
  return db.selectFrom('assessments').selectAll().where('public_link_hash', '=', hash).executeTakeFirst();
}

/** Updates one assessment if it is (still) in one of `fromStates`; returns how many rows changed. */
export async function updateAssessment(
  db: DbOrTrx,
  orgId: string,
  id: string,
  set: Updateable<AssessmentsTable>,
  guard: { fromStates?: readonly AssessmentState[]; revision?: number } = {},
): Promise<number> {
  let q = db.updateTable('assessments').set(set).where('id', '=', id).where('org_id', '=', orgId);
  if (guard.fromStates) q = q.where('state', 'in', [...guard.fromStates]);
  if (guard.revision !== undefined) q = q.where('revision', '=', guard.revision);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export function listAssessments(
  db: DbOrTrx,
  f: { orgId: string; q?: string; state?: AssessmentState | 'all'; cursor?: string; limit: number },
) {
  let query = db
    .selectFrom('assessments')
    .selectAll()
    .where('org_id', '=', f.orgId)
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (!f.state) query = query.where('state', '!=', 'archived');
  else if (f.state !== 'all') query = query.where('state', '=', f.state);
  if (f.q) {
    const pattern = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`);
  }
  if (f.cursor) query = query.where('id', '<', f.cursor);
  return query.execute();
}
