// Typed SQL for candidates, invitations, candidate imports and public registrations. Every query on
// tenant data takes the organization id, except lookups by a secret token's hash (the token is the
// credential) and the jobs' lookups by an id they were given.
import { type Insertable, sql, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type {
  CandidateImportsTable,
  CandidatesTable,
  InvitationStatus,
  InvitationsTable,
  PublicRegistrationsTable,
} from './invitations.table.js';

const CHUNK = 200;

/** Escapes LIKE wildcards so a search for `a_b` finds the text "a_b". */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The organization's display name, for messages and the candidate landing page. */
export async function findOrganizationName(db: DbOrTrx, orgId: string): Promise<string | undefined> {
  const r = await db.selectFrom('organizations').select('name').where('id', '=', orgId).executeTakeFirst();
  return r?.name;
}

// ---------------------------------------------------------------------------------------------
// Candidates

/**
 * Finds or creates candidates by email within the organization, in one statement per chunk. An
 * existing candidate takes the new name, and the new external id when one is given.
 */
export async function upsertCandidates(
  db: DbOrTrx,
  rows: Insertable<CandidatesTable>[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const out = await db
      .insertInto('candidates')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['org_id', 'email']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          external_id: sql<string | null>`coalesce(excluded.external_id, candidates.external_id)`,
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .returning(['id', 'email'])
      .execute();
    for (const r of out) ids.set(r.email, r.id);
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Invitations

/** Inserts invitations, skipping candidates already invited to the assessment; returns the new ones. */
export async function insertInvitationsIfAbsent(db: DbOrTrx, rows: Insertable<InvitationsTable>[]) {
  const created: Array<{ id: string; candidate_id: string }> = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    created.push(
      ...(await db
        .insertInto('invitations')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) => oc.columns(['assessment_id', 'candidate_id']).doNothing())
        .returning(['id', 'candidate_id'])
        .execute()),
    );
  }
  return created;
}

export async function listInvitationIdsOfCandidates(
  db: DbOrTrx,
  orgId: string,
  assessmentId: string,
  candidateIds: readonly string[],
) {
  const out: Array<{ id: string; candidate_id: string }> = [];
  for (let i = 0; i < candidateIds.length; i += CHUNK) {
    out.push(
      ...(await db
        .selectFrom('invitations')
        .select(['id', 'candidate_id'])
        .where('org_id', '=', orgId)
        .where('assessment_id', '=', assessmentId)
        .where('candidate_id', 'in', candidateIds.slice(i, i + CHUNK))
        .execute()),
    );
  }
  return out;
}

function invitationsWithCandidate(db: DbOrTrx) {
  return db
    .selectFrom('invitations as i')
    .innerJoin('candidates as c', 'c.id', 'i.candidate_id')
    .selectAll('i')
    .select([
      'c.name as candidate_name',
      'c.email as candidate_email',
      'c.external_id as candidate_external_id',
    ]);
}
export type InvitationWithCandidate = Awaited<
  ReturnType<ReturnType<typeof invitationsWithCandidate>['execute']>
>[number];

export function findInvitation(db: DbOrTrx, orgId: string, invitationId: string) {
  return invitationsWithCandidate(db)
    .where('i.id', '=', invitationId)
    .where('i.org_id', '=', orgId)
    .executeTakeFirst();
}

export function findInvitationById(db: DbOrTrx, invitationId: string) {
  return invitationsWithCandidate(db).where('i.id', '=', invitationId).executeTakeFirst();
}

/** The invitation a link token opens, with its candidate and assessment, whatever its status. */
export function findInvitationByTokenHash(db: DbOrTrx, tokenHash: string) {
  return db.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export function findCandidate(db: DbOrTrx, orgId: string, candidateId: string) {
  return db
    .selectFrom('candidates')
    .selectAll()
    .where('id', '=', candidateId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
}

export const liveStatuses = ['invited', 'opened'] as const satisfies readonly InvitationStatus[];

export type InvitationListFilter = {
  orgId: string;
  assessmentId: string;
  status?: InvitationStatus;
  q?: string;
  cursor?: string;
  limit: number;
  now: number;
};

export function listInvitations(db: DbOrTrx, f: InvitationListFilter) {
  let query = invitationsWithCandidate(db)
    .where('i.org_id', '=', f.orgId)
    .where('i.assessment_id', '=', f.assessmentId)
    .orderBy('i.id', 'desc')
    .limit(f.limit + 1);
  if (f.status === 'expired') {
    // Live invitations past their expiry count as expired before the sweep marks them.
    query = query.where((eb) =>
      eb.or([
        eb('i.status', '=', 'expired'),
        eb.and([eb('i.status', 'in', [...liveStatuses]), eb('i.expires_at', '<=', f.now)]),
      ]),
    );
  } else if (f.status === 'invited' || f.status === 'opened') {
    query = query.where('i.status', '=', f.status).where('i.expires_at', '>', f.now);
  } else if (f.status) query = query.where('i.status', '=', f.status);
  if (f.q) {
    const pattern = likePattern(f.q);
    query = query.where(
      sql<boolean>`(lower(c.name) like ${pattern} escape '\\' or lower(c.email) like ${pattern} escape '\\' or lower(coalesce(c.external_id, '')) like ${pattern} escape '\\')`,
    );
  }
  if (f.cursor) query = query.where('i.id', '<', f.cursor);
  return query.execute();
}

/** Updates one invitation of the organization if its status is one of `fromStatuses`. */
export async function updateInvitation(
  db: DbOrTrx,
  orgId: string,
  invitationId: string,
  set: Updateable<InvitationsTable>,
  guard: { fromStatuses?: readonly InvitationStatus[]; tokenHash?: string; openedAtNull?: boolean } = {},
): Promise<boolean> {
  let q = db.updateTable('invitations').set(set).where('id', '=', invitationId).where('org_id', '=', orgId);
  if (guard.fromStatuses) q = q.where('status', 'in', [...guard.fromStatuses]);
  if (guard.tokenHash) q = q.where('token_hash', '=', guard.tokenHash);
  if (guard.openedAtNull) q = q.where('opened_at', 'is', null);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Moves an invitation (by id: the caller holds it from its own rows) on from one of `from`. */
export async function setInvitationStatus(
  db: DbOrTrx,
  invitationId: string,
  from: readonly InvitationStatus[],
  set: Updateable<InvitationsTable>,
): Promise<boolean> {
  const r = await db
    .updateTable('invitations')
    .set(set)
    .where('id', '=', invitationId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Invited (not revoked), started and completed counts per assessment, in one grouped query. */
export async function countInvitationsByAssessment(
  db: DbOrTrx,
  orgId: string,
  assessmentIds: readonly string[],
) {
  if (!assessmentIds.length) return [];
  const rows = await db
    .selectFrom('invitations')
    .select((eb) => [
      'assessment_id',
      eb.fn.sum<number>(eb.case().when('status', '!=', 'revoked').then(1).else(0).end()).as('invited'),
      eb.fn.sum<number>(eb.case().when('started_at', 'is not', null).then(1).else(0).end()).as('started'),
      eb.fn.sum<number>(eb.case().when('completed_at', 'is not', null).then(1).else(0).end()).as('completed'),
    ])
    .where('org_id', '=', orgId)
    .where('assessment_id', 'in', [...assessmentIds])
    .groupBy('assessment_id')
    .execute();
  return rows.map((r) => ({
    assessmentId: r.assessment_id,
    invited: Number(r.invited),
    started: Number(r.started),
    completed: Number(r.completed),
  }));
}

export async function countPublicInvitations(db: DbOrTrx, orgId: string, assessmentId: string) {
  const r = await db
    .selectFrom('invitations')
    .select(db.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('assessment_id', '=', assessmentId)
    .where('source', '=', 'public')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Marks live invitations past their expiry as expired; returns how many. */
export async function expireInvitations(db: DbOrTrx, now: number) {
  const r = await db
    .updateTable('invitations')
    .set({ status: 'expired', updated_at: now })
    .where('status', 'in', [...liveStatuses])
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// ---------------------------------------------------------------------------------------------
// Candidate imports

export function insertImport(db: DbOrTrx, row: Insertable<CandidateImportsTable>) {
  return db.insertInto('candidate_imports').values(row).execute();
}

export function findImport(db: DbOrTrx, orgId: string, importId: string) {
  return db
    .selectFrom('candidate_imports')
    .selectAll()
    .where('id', '=', importId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
}

export function findImportById(db: DbOrTrx, importId: string) {
  return db.selectFrom('candidate_imports').selectAll().where('id', '=', importId).executeTakeFirst();
}

export function listImports(
  db: DbOrTrx,
  f: { orgId: string; assessmentId: string; cursor?: string; limit: number },
) {
  let q = db
    .selectFrom('candidate_imports')
    .selectAll()
    .where('org_id', '=', f.orgId)
    .where('assessment_id', '=', f.assessmentId)
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.cursor) q = q.where('id', '<', f.cursor);
  return q.execute();
}

export async function updateImport(
  db: DbOrTrx,
  importId: string,
  set: Updateable<CandidateImportsTable>,
  guard: { processedRows?: number } = {},
): Promise<boolean> {
  let q = db.updateTable('candidate_imports').set(set).where('id', '=', importId);
  if (guard.processedRows !== undefined) q = q.where('processed_rows', '=', guard.processedRows);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Adds one batch's counts, only if no other run has processed it (the guard on processed_rows). */
export async function advanceImport(
  db: DbOrTrx,
  importId: string,
  from: number,
  p: { to: number; accepted: number; alreadyInvited: number; rejected: number },
): Promise<boolean> {
  const r = await db
    .updateTable('candidate_imports')
    .set((eb) => ({
      processed_rows: p.to,
      accepted: eb('accepted', '+', p.accepted),
      already_invited: eb('already_invited', '+', p.alreadyInvited),
      rejected: eb('rejected', '+', p.rejected),
    }))
    .where('id', '=', importId)
    .where('processed_rows', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// ---------------------------------------------------------------------------------------------
// Public registrations

export function insertRegistration(db: DbOrTrx, row: Insertable<PublicRegistrationsTable>) {
  return db.insertInto('public_registrations').values(row).execute();
}

export function findRecentRegistration(db: DbOrTrx, assessmentId: string, email: string, since: number) {
  return db
    .selectFrom('public_registrations')
    .select('id')
    .where('assessment_id', '=', assessmentId)
    .where('email', '=', email)
    .where('verified_at', 'is', null)
    .where('created_at', '>', since)
    .executeTakeFirst();
}

export function findRegistrationByTokenHash(db: DbOrTrx, tokenHash: string) {
  return db
    .selectFrom('public_registrations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function markRegistrationVerified(db: DbOrTrx, id: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('public_registrations')
    .set({ verified_at: now })
    .where('id', '=', id)
    .where('verified_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
