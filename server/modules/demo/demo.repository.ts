// Typed SQL for the demo data. The generator writes candidates, invitations, attempts, answers,
// uploads, integrity events and reviews as rows directly (as the test factories do): it simulates a
// history that the other modules' services only ever produce one request at a time. Everything it
// writes carries is_demo = 1 (or hangs off a row that does), so removing it is one sweep.
import type { Insertable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { Database } from '../../db/schema.js';

const CHUNK = 200;

export async function insertRows<T extends keyof Database>(
  db: DbOrTrx,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    // biome-ignore lint/suspicious/noExplicitAny: the table is generic here; each call site is typed
    const chunk = rows.slice(i, i + CHUNK) as any;
    await db.insertInto(table).values(chunk).execute();
  }
}

export function findDemoAssessment(db: DbOrTrx, orgId: string) {
  return db
    .selectFrom('assessments')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .where('is_demo', '=', 1)
    .orderBy('id')
    .executeTakeFirst();
}

export async function countDemoCandidates(db: DbOrTrx, orgId: string): Promise<number> {
  const r = await db
    .selectFrom('candidates')
    .select(db.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('is_demo', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function markAssessmentDemo(db: DbOrTrx, orgId: string, assessmentId: string): Promise<void> {
  await db
    .updateTable('assessments')
    .set({ is_demo: 1 })
    .where('org_id', '=', orgId)
    .where('id', '=', assessmentId)
    .execute();
}

/** The stored files of the organization's demo attempts (deleted from the blob store after the rows). */
export async function listDemoBlobKeys(db: DbOrTrx, orgId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('uploads as u')
    .innerJoin('attempts as a', 'a.id', 'u.attempt_id')
    .innerJoin('assessments as s', 's.id', 'a.assessment_id')
    .select('u.blob_key')
    .where('u.org_id', '=', orgId)
    .where((eb) => eb.or([eb('a.is_demo', '=', 1), eb('s.is_demo', '=', 1)]))
    .execute();
  return rows.map((r) => r.blob_key);
}

/**
 * Deletes every demo row of an organization. Assessments take their invitations, attempts (with
 * answers, uploads, integrity events, sessions, review items and reviews), notes and statistics
 * with them through their foreign keys; demo candidates take any other invitation of theirs.
 */
export async function deleteDemoRows(db: DbOrTrx, orgId: string) {
  const assessments = (
    await db
      .selectFrom('assessments')
      .select('id')
      .where('org_id', '=', orgId)
      .where('is_demo', '=', 1)
      .execute()
  ).map((r) => r.id);
  const attempts = await db
    .deleteFrom('attempts')
    .where('org_id', '=', orgId)
    .where((eb) =>
      eb.or([eb('is_demo', '=', 1), ...(assessments.length ? [eb('assessment_id', 'in', assessments)] : [])]),
    )
    .executeTakeFirst();
  if (assessments.length) {
    await db
      .deleteFrom('saved_views')
      .where('org_id', '=', orgId)
      .where('assessment_id', 'in', assessments)
      .execute();
  }
  const removedAssessments = await db
    .deleteFrom('assessments')
    .where('org_id', '=', orgId)
    .where('is_demo', '=', 1)
    .executeTakeFirst();
  const candidates = await db
    .deleteFrom('candidates')
    .where('org_id', '=', orgId)
    .where('is_demo', '=', 1)
    .executeTakeFirst();
  await db.deleteFrom('role_benchmarks').where('org_id', '=', orgId).where('cohort', '=', 'demo').execute();
  return {
    assessments: Number(removedAssessments.numDeletedRows),
    candidates: Number(candidates.numDeletedRows),
    attempts: Number(attempts.numDeletedRows),
  };
}

/** The organization's demo organization, for the CLI: the one created at first start. */
export function findDemoOrganization(db: DbOrTrx) {
  return db
    .selectFrom('organizations')
    .select(['id', 'name'])
    .where('is_demo', '=', 1)
    .orderBy('created_at')
    .executeTakeFirst();
}

export function findOwner(db: DbOrTrx, orgId: string) {
  return db
    .selectFrom('memberships')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('role', '=', 'owner')
    .orderBy('created_at')
    .executeTakeFirst();
}

export function findOrganization(db: DbOrTrx, orgId: string) {
  return db.selectFrom('organizations').select(['id', 'name']).where('id', '=', orgId).executeTakeFirst();
}
