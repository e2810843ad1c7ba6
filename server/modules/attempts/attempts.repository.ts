// Typed SQL for attempts, answers, uploads and candidate sessions. Every query on an attempt is
// filtered by its organization too, so a wrong id from anywhere can never cross tenants.
import { type Insertable, sql, type Updateable } from 'kysely';
import type { DbOrTrx, Dialect } from '../../db/database.js';
import { preparedQuery } from '../../db/prepared.js';
import type { AttemptsTable, CandidateSessionsTable, UploadsTable } from './attempts.table.js';

export async function insertAttempt(trx: DbOrTrx, row: Insertable<AttemptsTable>): Promise<void> {
  await trx.insertInto('attempts').values(row).execute();
}

export function findAttempt(db: DbOrTrx, orgId: string, attemptId: string) {
  return db
    .selectFrom('attempts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', attemptId)
    .executeTakeFirst();
}

export function findAttemptByInvitation(db: DbOrTrx, orgId: string, invitationId: string) {
  return db
    .selectFrom('attempts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('invitation_id', '=', invitationId)
    .executeTakeFirst();
}

/**
 * Takes the attempt's row lock for the rest of the transaction and returns the row as it is now.
 * It is a write, so it also takes SQLite's write lock at once (a read-then-write transaction could
 * fail with SQLITE_BUSY when another connection wrote in between), and on PostgreSQL it waits for
 * any transaction holding the row and then sees its committed result.
 */
export function lockAttempt(trx: DbOrTrx, orgId: string, attemptId: string, now: number) {
  return trx
    .updateTable('attempts')
    .set({ updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', attemptId)
    .returningAll()
    .executeTakeFirst();
}

/** lockAttempt for the autosave path: the same lock, returning only what the write checks need. */
export function lockAttemptForWrite(trx: DbOrTrx, orgId: string, attemptId: string, now: number) {
  return trx
    .updateTable('attempts')
    .set({ updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', attemptId)
    .returning([
      'id',
      'org_id',
      'status',
      'session_id',
      'current_section',
      'section_deadline_at',
      'close_at',
      'furthest_item',
    ])
    .executeTakeFirst();
}

export async function updateAttempt(
  trx: DbOrTrx,
  orgId: string,
  attemptId: string,
  patch: Updateable<AttemptsTable>,
): Promise<void> {
  await trx
    .updateTable('attempts')
    .set(patch)
    .where('org_id', '=', orgId)
    .where('id', '=', attemptId)
    .execute();
}

/** The one status change an attempt makes once: true only for the caller that made it. */
export async function transitionAttempt(
  trx: DbOrTrx,
  orgId: string,
  attemptId: string,
  from: AttemptsTable['status'],
  patch: Updateable<AttemptsTable>,
): Promise<boolean> {
  const res = await trx
    .updateTable('attempts')
    .set(patch)
    .where('org_id', '=', orgId)
    .where('id', '=', attemptId)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

// ---------------------------------------------------------------------------------------------
// Answers

export type AnswerWrite = { itemKey: string; choice: string[]; seq: number };

export type OpenCondition = {
  orgId: string;
  attemptId: string;
  sessionId: string;
  sectionIndex: number;
  /** Earliest deadline still accepted: now − grace. */
  notBefore: number;
  /** For sections without going back: the item's index, which must not be behind the furthest. */
  itemIndex?: number;
};

/**
 * The autosave hot path in one statement: the answer is written only if the attempt is still in
 * progress, this session is its writer, the item's section is the current one and its deadline (with
 * grace) has not passed, and the sequence number is newer than the stored one. Returns the stored
 * sequence when it wrote, undefined when any condition failed. On PostgreSQL the attempt row is read
 * FOR SHARE, so a concurrent submit either commits first (and this writes nothing) or waits for it.
 */
export async function upsertAnswerIfOpen(
  db: DbOrTrx,
  dialect: Dialect,
  c: OpenCondition,
  a: AnswerWrite,
  now: number,
): Promise<number | undefined> {
  const shape = { dialect, forwardOnly: c.itemIndex !== undefined };
  const rows = await conditionalUpsert(db, shape, {
    orgId: c.orgId,
    attemptId: c.attemptId,
    sessionId: c.sessionId,
    sectionIndex: c.sectionIndex,
    notBefore: c.notBefore,
    itemIndex: c.itemIndex ?? null,
    itemKey: a.itemKey,
    choice: JSON.stringify(a.choice),
    seq: a.seq,
    now,
  });
  return rows[0]?.client_seq;
}

const conditionalUpsert = preparedQuery<
  { dialect: Dialect; forwardOnly: boolean },
  | 'orgId'
  | 'attemptId'
  | 'sessionId'
  | 'sectionIndex'
  | 'notBefore'
  | 'itemIndex'
  | 'itemKey'
  | 'choice'
  | 'seq'
  | 'now',
  { client_seq: number }
>((db, slot, shape) => {
  let source = db
    .selectFrom('attempts')
    .select([
      sql<string>`${slot('attemptId')}`.as('attempt_id'),
      sql<string>`${slot('itemKey')}`.as('item_key'),
      sql<string>`${slot('choice')}`.as('choice'),
      sql<number>`cast(${slot('seq')} as integer)`.as('client_seq'),
      sql<number>`cast(${slot('now')} as bigint)`.as('updated_at'),
    ])
    .where('org_id', '=', slot('orgId'))
    .where('id', '=', slot('attemptId'))
    .where('status', '=', 'in_progress')
    .where('session_id', '=', slot('sessionId'))
    .where('current_section', '=', slot('sectionIndex'))
    .where('section_deadline_at', '>=', slot('notBefore'))
    .where('close_at', '>=', slot('notBefore'));
  if (shape.forwardOnly) source = source.where('furthest_item', '<=', slot('itemIndex'));
  if (shape.dialect === 'postgres') source = source.forShare();
  return db
    .insertInto('answers')
    .columns(['attempt_id', 'item_key', 'choice', 'client_seq', 'updated_at'])
    .expression(source)
    .onConflict((oc) =>
      oc
        .columns(['attempt_id', 'item_key'])
        .doUpdateSet({
          choice: (eb) => eb.ref('excluded.choice'),
          client_seq: (eb) => eb.ref('excluded.client_seq'),
          updated_at: (eb) => eb.ref('excluded.updated_at'),
        })
        .where('answers.client_seq', '<', (eb) => eb.ref('excluded.client_seq')),
    )
    .returning('client_seq');
});

/** Inside a transaction that holds the attempt's lock: write unless the stored sequence is newer. */
export async function upsertAnswer(trx: DbOrTrx, attemptId: string, a: AnswerWrite, now: number) {
  const row = await trx
    .insertInto('answers')
    .values({
      attempt_id: attemptId,
      item_key: a.itemKey,
      choice: JSON.stringify(a.choice),
      client_seq: a.seq,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['attempt_id', 'item_key'])
        .doUpdateSet({
          choice: (eb) => eb.ref('excluded.choice'),
          client_seq: (eb) => eb.ref('excluded.client_seq'),
          updated_at: (eb) => eb.ref('excluded.updated_at'),
        })
        .where('answers.client_seq', '<', (eb) => eb.ref('excluded.client_seq')),
    )
    .returning('client_seq')
    .executeTakeFirst();
  return row?.client_seq;
}

export async function findAnswerSeqs(db: DbOrTrx, attemptId: string, itemKeys: string[]) {
  if (!itemKeys.length) return new Map<string, number>();
  const rows = await db
    .selectFrom('answers')
    .select(['item_key', 'client_seq'])
    .where('attempt_id', '=', attemptId)
    .where('item_key', 'in', itemKeys)
    .execute();
  return new Map(rows.map((r) => [r.item_key, r.client_seq]));
}

export function listAnswers(db: DbOrTrx, attemptId: string) {
  return db
    .selectFrom('answers')
    .select(['item_key', 'choice', 'client_seq', 'updated_at'])
    .where('attempt_id', '=', attemptId)
    .execute();
}

export async function raiseFurthestItem(
  db: DbOrTrx,
  orgId: string,
  attemptId: string,
  sectionIndex: number,
  itemIndex: number,
): Promise<void> {
  await db
    .updateTable('attempts')
    .set({ furthest_item: itemIndex })
    .where('org_id', '=', orgId)
    .where('id', '=', attemptId)
    .where('current_section', '=', sectionIndex)
    .where('furthest_item', '<', itemIndex)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Candidate sessions

export async function insertCandidateSession(
  trx: DbOrTrx,
  row: Insertable<CandidateSessionsTable>,
): Promise<void> {
  await trx.insertInto('candidate_sessions').values(row).execute();
}

/** Every candidate request starts here, so it is compiled once (one shape on either dialect). */
export async function findCandidateSessionByTokenHash(db: DbOrTrx, tokenHash: string) {
  return (await sessionByTokenHash(db, {}, { tokenHash }))[0];
}

const sessionByTokenHash = preparedQuery((db, slot: (name: 'tokenHash') => never) =>
  db
    .selectFrom('candidate_sessions as s')
    .innerJoin('attempts as a', 'a.id', 's.attempt_id')
    .select(['s.id', 's.attempt_id', 's.ip', 's.expires_at', 'a.org_id', 'a.assessment_id'])
    .where('s.token_hash', '=', slot('tokenHash')),
);

export async function deleteCandidateSession(db: DbOrTrx, id: string): Promise<void> {
  await db.deleteFrom('candidate_sessions').where('id', '=', id).execute();
}

/** Moves the session to a new address; true only for the one request that saw the change. */
export async function moveCandidateSessionIp(
  db: DbOrTrx,
  id: string,
  from: string | null,
  to: string,
): Promise<boolean> {
  let q = db.updateTable('candidate_sessions').set({ ip: to }).where('id', '=', id);
  q = from === null ? q.where('ip', 'is', null) : q.where('ip', '=', from);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

// ---------------------------------------------------------------------------------------------
// Uploads

export async function insertUpload(trx: DbOrTrx, row: Insertable<UploadsTable>): Promise<void> {
  await trx.insertInto('uploads').values(row).execute();
}

export function listActiveUploads(db: DbOrTrx, orgId: string, attemptId: string) {
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('attempt_id', '=', attemptId)
    .where('removed_at', 'is', null)
    .orderBy('id')
    .execute();
}

export function listAllUploads(db: DbOrTrx, orgId: string, attemptId: string) {
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('attempt_id', '=', attemptId)
    .orderBy('id')
    .execute();
}

export function findUpload(db: DbOrTrx, orgId: string, attemptId: string, uploadId: string) {
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('attempt_id', '=', attemptId)
    .where('id', '=', uploadId)
    .executeTakeFirst();
}

export async function markUploadRemoved(trx: DbOrTrx, orgId: string, uploadId: string, now: number) {
  const res = await trx
    .updateTable('uploads')
    .set({ removed_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', uploadId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

// ---------------------------------------------------------------------------------------------
// Integrity events (staff view)

export function listIntegrityEvents(db: DbOrTrx, orgId: string, attemptId: string, limit: number) {
  return db
    .selectFrom('integrity_events')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('attempt_id', '=', attemptId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Sweeps and cohorts

/** Open attempts whose current section ran out before `before` (index: status, section_deadline_at). */
export async function listSectionOverdue(db: DbOrTrx, before: number, limit: number) {
  return db
    .selectFrom('attempts')
    .select(['id', 'org_id'])
    .where('status', '=', 'in_progress')
    .where('section_deadline_at', '<', before)
    .orderBy('section_deadline_at')
    .limit(limit)
    .execute();
}

/** Open attempts whose close time passed before `before` (index: status, close_at). */
export async function listCloseOverdue(db: DbOrTrx, before: number, limit: number) {
  return db
    .selectFrom('attempts')
    .select(['id', 'org_id'])
    .where('status', '=', 'in_progress')
    .where('close_at', '<', before)
    .orderBy('close_at')
    .limit(limit)
    .execute();
}

/**
 * Recomputes the percentile of every attempt in an assessment's cohort (graded, no previews, no demo
 * data) in one statement: the share of the cohort scoring strictly below, plus half the ties, in
 * percent. Comparing scores in SQL keeps equal stored scores equal whatever the column's precision.
 * Only rows whose percentile changes are written.
 */
export async function recomputeCohortPercentiles(
  db: DbOrTrx,
  dialect: Dialect,
  orgId: string,
  assessmentId: string,
): Promise<number> {
  const ranked = sql`select id, cast(100.0 * ((rank() over (order by score)) - 1 + 0.5 * (count(*) over (partition by score))) / (count(*) over ()) as real) as p
    from attempts
    where org_id = ${orgId} and assessment_id = ${assessmentId} and status = 'graded'
      and is_preview = 0 and is_demo = 0 and score is not null`;
  const changed =
    dialect === 'postgres' ? sql`a.percentile is distinct from r.p` : sql`a.percentile is not r.p`;
  const res = await sql`update attempts as a set percentile = r.p from (${ranked}) as r
    where a.id = r.id and ${changed}`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}
