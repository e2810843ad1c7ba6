// Typed SQL for the privacy module: reading everything about one candidate, wiping their personal
// data, and finding the candidates whose retention period has run out. Every query filters by the
// organization; the tables belong to other modules, which is why this file reads them only for the
// one cross-cutting duty the law gives it (access, erasure, retention).
import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';

export function findPrivacySettings(db: DbOrTrx, orgId: string) {
  return db.selectFrom('privacy_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

export async function upsertPrivacySettings(
  db: DbOrTrx,
  row: { org_id: string; retention_days: number | null; updated_by: string | null; updated_at: number },
): Promise<void> {
  await db
    .insertInto('privacy_settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet({
        retention_days: row.retention_days,
        updated_by: row.updated_by,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

export function listRetentionPolicies(db: DbOrTrx) {
  return db
    .selectFrom('privacy_settings')
    .select(['org_id', 'retention_days'])
    .where('retention_days', 'is not', null)
    .orderBy('org_id')
    .execute();
}

export function findCandidate(db: DbOrTrx, orgId: string, candidateId: string) {
  return db
    .selectFrom('candidates')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', candidateId)
    .executeTakeFirst();
}

/** Takes the candidate's row lock for the rest of the transaction (a write, as on SQLite). */
export function lockCandidate(trx: DbOrTrx, orgId: string, candidateId: string, now: number) {
  return trx
    .updateTable('candidates')
    .set({ updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', candidateId)
    .returningAll()
    .executeTakeFirst();
}

export function listInvitationsOfCandidate(db: DbOrTrx, orgId: string, candidateId: string) {
  return db
    .selectFrom('invitations as i')
    .innerJoin('assessments as a', 'a.id', 'i.assessment_id')
    .selectAll('i')
    .select('a.name as assessment_name')
    .where('i.org_id', '=', orgId)
    .where('i.candidate_id', '=', candidateId)
    .orderBy('i.id')
    .execute();
}

export function listAttemptsOfCandidate(db: DbOrTrx, orgId: string, candidateId: string) {
  return db
    .selectFrom('attempts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('candidate_id', '=', candidateId)
    .orderBy('id')
    .execute();
}

export function listAnswersOf(db: DbOrTrx, attemptIds: string[]) {
  if (!attemptIds.length) return Promise.resolve([]);
  return db
    .selectFrom('answers')
    .selectAll()
    .where('attempt_id', 'in', attemptIds)
    .orderBy('attempt_id')
    .orderBy('item_key')
    .execute();
}

export function listUploadsOf(db: DbOrTrx, orgId: string, attemptIds: string[]) {
  if (!attemptIds.length) return Promise.resolve([]);
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('attempt_id', 'in', attemptIds)
    .orderBy('id')
    .execute();
}

export function listIntegrityEventsOf(db: DbOrTrx, orgId: string, attemptIds: string[]) {
  if (!attemptIds.length) return Promise.resolve([]);
  return db
    .selectFrom('integrity_events')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('attempt_id', 'in', attemptIds)
    .orderBy('id')
    .execute();
}

export function listCandidateSessionsOf(db: DbOrTrx, attemptIds: string[]) {
  if (!attemptIds.length) return Promise.resolve([]);
  return db
    .selectFrom('candidate_sessions')
    .selectAll()
    .where('attempt_id', 'in', attemptIds)
    .orderBy('id')
    .execute();
}

export function listEmailsTo(db: DbOrTrx, orgId: string, address: string) {
  return db
    .selectFrom('emails')
    .select(['id', 'kind', 'to_address', 'subject', 'status', 'created_at', 'sent_at'])
    .where('org_id', '=', orgId)
    .where('to_address', '=', address.toLowerCase())
    .orderBy('id')
    .execute();
}

export function listEventsAbout(db: DbOrTrx, orgId: string, subjectIds: string[]) {
  if (!subjectIds.length) return Promise.resolve([]);
  return db
    .selectFrom('events')
    .select(['id', 'type', 'data', 'created_at'])
    .where('subject_id', 'in', subjectIds)
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
}

export function listRegistrationsOf(db: DbOrTrx, orgId: string, address: string) {
  return db
    .selectFrom('public_registrations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('email', '=', address.toLowerCase())
    .orderBy('id')
    .execute();
}

export function listNotesOf(db: DbOrTrx, orgId: string, invitationIds: string[]) {
  if (!invitationIds.length) return Promise.resolve([]);
  return db
    .selectFrom('candidate_notes')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('invitation_id', 'in', invitationIds)
    .orderBy('id')
    .execute();
}

export function listReviewsOf(db: DbOrTrx, orgId: string, attemptIds: string[]) {
  if (!attemptIds.length) return Promise.resolve([]);
  return db
    .selectFrom('reviews as r')
    .innerJoin('review_items as ri', 'ri.id', 'r.review_item_id')
    .select([
      'r.id',
      'ri.attempt_id',
      'ri.section_key',
      'r.reviewer_user_id',
      'r.scores',
      'r.total',
      'r.comment',
      'r.created_at',
      'r.updated_at',
    ])
    .where('r.org_id', '=', orgId)
    .where('ri.org_id', '=', orgId)
    .where('ri.attempt_id', 'in', attemptIds)
    .orderBy('r.id')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Erasure

export async function anonymiseCandidate(
  trx: DbOrTrx,
  orgId: string,
  candidateId: string,
  now: number,
): Promise<void> {
  await trx
    .updateTable('candidates')
    .set({
      name: 'Erased candidate',
      // Unique per organization, and never a deliverable address (RFC 2606 reserves .invalid).
      email: `erased-${candidateId.toLowerCase()}@erased.invalid`,
      external_id: null,
      erased_at: now,
      updated_at: now,
    })
    .where('org_id', '=', orgId)
    .where('id', '=', candidateId)
    .execute();
}

export async function deleteRegistrationsOf(trx: DbOrTrx, orgId: string, address: string) {
  const r = await trx
    .deleteFrom('public_registrations')
    .where('org_id', '=', orgId)
    .where('email', '=', address.toLowerCase())
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteEmailsTo(trx: DbOrTrx, orgId: string, address: string) {
  const r = await trx
    .deleteFrom('emails')
    .where('org_id', '=', orgId)
    .where('to_address', '=', address.toLowerCase())
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Keeps each upload's row (reviews and scores point at it) without its name or fingerprint. */
export async function anonymiseUploads(trx: DbOrTrx, orgId: string, attemptIds: string[], now: number) {
  if (!attemptIds.length) return 0;
  const r = await trx
    .updateTable('uploads')
    .set({
      display_name: 'erased',
      sha256: '',
      removed_at: sql<number>`coalesce(removed_at, ${now})`,
    })
    .where('org_id', '=', orgId)
    .where('attempt_id', 'in', attemptIds)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Integrity signals keep their type and time (they count toward tiers), not where they came from. */
export async function anonymiseIntegrityEvents(trx: DbOrTrx, orgId: string, attemptIds: string[]) {
  if (!attemptIds.length) return 0;
  const r = await trx
    .updateTable('integrity_events')
    .set({ ip: null, user_agent: null, details: '{}' })
    .where('org_id', '=', orgId)
    .where('attempt_id', 'in', attemptIds)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Notes about the candidate keep their kind, author and time (the pipeline's history), not their words. */
export async function wipeNotesOf(trx: DbOrTrx, orgId: string, invitationIds: string[]) {
  if (!invitationIds.length) return 0;
  const r = await trx
    .updateTable('candidate_notes')
    .set({ body: '' })
    .where('org_id', '=', orgId)
    .where('invitation_id', 'in', invitationIds)
    .where('body', '!=', '')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Reviews keep their rubric scores (the result depends on them), not the reviewer's comment. */
export async function wipeReviewCommentsOf(trx: DbOrTrx, orgId: string, attemptIds: string[]) {
  if (!attemptIds.length) return 0;
  const r = await trx
    .updateTable('reviews')
    .set({ comment: '' })
    .where('org_id', '=', orgId)
    .where('comment', '!=', '')
    .where('review_item_id', 'in', (eb) =>
      eb
        .selectFrom('review_items')
        .select('id')
        .where('org_id', '=', orgId)
        .where('attempt_id', 'in', attemptIds),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function deleteCandidateSessionsOf(trx: DbOrTrx, attemptIds: string[]) {
  if (!attemptIds.length) return 0;
  const r = await trx
    .deleteFrom('candidate_sessions')
    .where('attempt_id', 'in', attemptIds)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export function listStoredResponses(db: DbOrTrx, orgId: string) {
  return db
    .selectFrom('idempotency_keys')
    .select(['id', 'response_sealed'])
    .where('org_id', '=', orgId)
    .where('response_sealed', 'is not', null)
    .execute();
}

export async function deleteStoredResponses(trx: DbOrTrx, orgId: string, ids: string[]) {
  if (!ids.length) return 0;
  const r = await trx
    .deleteFrom('idempotency_keys')
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export function listImportReports(db: DbOrTrx, orgId: string) {
  return db
    .selectFrom('candidate_imports')
    .select(['id', 'report'])
    .where('org_id', '=', orgId)
    .where('report', '!=', '[]')
    .execute();
}

export async function updateImportReport(trx: DbOrTrx, orgId: string, importId: string, report: string) {
  await trx
    .updateTable('candidate_imports')
    .set({ report })
    .where('org_id', '=', orgId)
    .where('id', '=', importId)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Retention

/**
 * Candidates of an organization whose every invitation was decided before `cutoff`: the stage is
 * rejected or hired (its last change is at or before the invitation's updated_at), or the assessment
 * is closed or archived. Demo candidates are synthetic and left to the demo module.
 */
export function listCandidatesPastRetention(db: DbOrTrx, orgId: string, cutoff: number, limit: number) {
  return db
    .selectFrom('candidates as c')
    .select('c.id')
    .where('c.org_id', '=', orgId)
    .where('c.erased_at', 'is', null)
    .where('c.is_demo', '=', 0)
    .where((eb) =>
      eb.and([
        eb.exists(
          eb
            .selectFrom('invitations as i')
            .select('i.id')
            .whereRef('i.candidate_id', '=', 'c.id')
            .where('i.org_id', '=', orgId),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom('invitations as i')
              .innerJoin('assessments as a', 'a.id', 'i.assessment_id')
              .select('i.id')
              .whereRef('i.candidate_id', '=', 'c.id')
              .where('i.org_id', '=', orgId)
              .where((w) =>
                w.and([
                  w.or([w('i.stage', 'not in', ['rejected', 'hired']), w('i.updated_at', '>', cutoff)]),
                  w.or([
                    w('a.state', 'not in', ['closed', 'archived']),
                    w(sql<number>`coalesce(a.closed_at, a.updated_at)`, '>', cutoff),
                  ]),
                ]),
              ),
          ),
        ),
      ]),
    )
    .orderBy('c.id')
    .limit(limit)
    .execute();
}
