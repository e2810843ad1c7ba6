// Typed SQL for review items and reviews. Every query takes the organization id.
import type { Insertable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { ReviewItemsTable, ReviewsTable } from './reviews.table.js';

/** Inserts the items that don't exist yet (one per attempt and upload section). */
export async function insertReviewItemsIfAbsent(db: DbOrTrx, rows: Insertable<ReviewItemsTable>[]) {
  if (!rows.length) return [];
  return db
    .insertInto('review_items')
    .values(rows)
    .onConflict((oc) => oc.columns(['attempt_id', 'section_key']).doNothing())
    .returning('id')
    .execute();
}

export function findReviewItem(db: DbOrTrx, orgId: string, reviewItemId: string) {
  return db
    .selectFrom('review_items')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', reviewItemId)
    .executeTakeFirst();
}

export function listReviewItemsOfAttempt(db: DbOrTrx, orgId: string, attemptId: string) {
  return db
    .selectFrom('review_items')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('attempt_id', '=', attemptId)
    .orderBy('id')
    .execute();
}

export async function updateReviewItem(
  db: DbOrTrx,
  orgId: string,
  reviewItemId: string,
  set: Updateable<ReviewItemsTable>,
): Promise<void> {
  await db
    .updateTable('review_items')
    .set(set)
    .where('org_id', '=', orgId)
    .where('id', '=', reviewItemId)
    .execute();
}

/**
 * The queue: open items of the organization, oldest submission first, without those this reviewer
 * already reviewed. Open items always lack reviews (an item closes when its last one lands).
 * Index: review_items (org_id, state, submitted_at, id).
 */
export function listQueue(
  db: DbOrTrx,
  f: {
    orgId: string;
    reviewerId: string;
    after?: { submittedAt: number; id: string };
    limit: number;
  },
) {
  let q = db
    .selectFrom('review_items as ri')
    .innerJoin('assessments as s', 's.id', 'ri.assessment_id')
    .select([
      'ri.id',
      'ri.section_title',
      'ri.reviewers_required',
      'ri.reviews_done',
      'ri.submitted_at',
      'ri.is_demo',
      's.name as assessment_name',
    ])
    .where('ri.org_id', '=', f.orgId)
    .where('ri.state', '=', 'open')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('reviews as r')
            .select('r.id')
            .whereRef('r.review_item_id', '=', 'ri.id')
            .where('r.reviewer_user_id', '=', f.reviewerId),
        ),
      ),
    )
    .orderBy('ri.submitted_at')
    .orderBy('ri.id')
    .limit(f.limit + 1);
  if (f.after) q = q.where(sql`(ri.submitted_at, ri.id)`, '>', sql`(${f.after.submittedAt}, ${f.after.id})`);
  return q.execute();
}

export async function insertReview(db: DbOrTrx, row: Insertable<ReviewsTable>): Promise<void> {
  await db.insertInto('reviews').values(row).execute();
}

export function findReviewBy(db: DbOrTrx, orgId: string, reviewItemId: string, reviewerId: string) {
  return db
    .selectFrom('reviews')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('review_item_id', '=', reviewItemId)
    .where('reviewer_user_id', '=', reviewerId)
    .executeTakeFirst();
}

export function listReviewsOfItem(db: DbOrTrx, orgId: string, reviewItemId: string) {
  return db
    .selectFrom('reviews')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('review_item_id', '=', reviewItemId)
    .orderBy('id')
    .execute();
}

export async function updateReview(
  db: DbOrTrx,
  orgId: string,
  reviewId: string,
  set: Updateable<ReviewsTable>,
): Promise<void> {
  await db.updateTable('reviews').set(set).where('org_id', '=', orgId).where('id', '=', reviewId).execute();
}

/** Every review of an attempt's items, with the reviewer's name (staff report). */
export function listReviewsOfAttempt(db: DbOrTrx, orgId: string, attemptId: string) {
  return db
    .selectFrom('reviews as r')
    .innerJoin('review_items as ri', 'ri.id', 'r.review_item_id')
    .leftJoin('users as u', 'u.id', 'r.reviewer_user_id')
    .select([
      'r.id',
      'r.review_item_id',
      'ri.section_key',
      'r.reviewer_user_id',
      'u.name as reviewer_name',
      'r.scores',
      'r.total',
      'r.comment',
      'r.created_at',
      'r.updated_at',
    ])
    .where('r.org_id', '=', orgId)
    .where('ri.attempt_id', '=', attemptId)
    .orderBy('r.id')
    .execute();
}

/** A reviewer's own reviews, newest first. Index: reviews (org_id, reviewer_user_id, id). */
export function listReviewsBy(
  db: DbOrTrx,
  f: { orgId: string; reviewerId: string; cursor?: string; limit: number },
) {
  let q = db
    .selectFrom('reviews as r')
    .innerJoin('review_items as ri', 'ri.id', 'r.review_item_id')
    .innerJoin('assessments as s', 's.id', 'ri.assessment_id')
    .select([
      'r.id',
      'r.review_item_id',
      'r.total',
      'r.created_at',
      'r.updated_at',
      'ri.section_title',
      'ri.state',
      's.name as assessment_name',
    ])
    .where('r.org_id', '=', f.orgId)
    .where('r.reviewer_user_id', '=', f.reviewerId)
    .orderBy('r.id', 'desc')
    .limit(f.limit + 1);
  if (f.cursor) q = q.where('r.id', '<', f.cursor);
  return q.execute();
}

/** One review with its item and reviewer's name (staff and integrations). */
export function findReviewWithItem(db: DbOrTrx, orgId: string, reviewId: string) {
  return db
    .selectFrom('reviews as r')
    .innerJoin('review_items as ri', 'ri.id', 'r.review_item_id')
    .leftJoin('users as u', 'u.id', 'r.reviewer_user_id')
    .select([
      'r.id',
      'r.review_item_id',
      'r.reviewer_user_id',
      'u.name as reviewer_name',
      'r.scores',
      'r.total',
      'r.comment',
      'r.created_at',
      'r.updated_at',
      'ri.attempt_id',
      'ri.assessment_id',
      'ri.section_key',
      'ri.state',
      'ri.reviewers_required',
      'ri.reviews_done',
      'ri.score',
      'ri.disagreement',
    ])
    .where('r.org_id', '=', orgId)
    .where('r.id', '=', reviewId)
    .executeTakeFirst();
}
