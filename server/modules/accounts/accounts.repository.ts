// Typed SQL for users, organizations, memberships, sessions, resets and team invitations.
import type { DbOrTrx } from '../../db/database.js';
import type { MemberRole } from './accounts.table.js';

export function findUserByEmail(db: DbOrTrx, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export function findUserById(db: DbOrTrx, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listMembershipsOfUser(db: DbOrTrx, userId: string) {
  return db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.org_id')
    .select(['o.id', 'o.name', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('o.name')
    .execute();
}

export function findMembership(db: DbOrTrx, orgId: string, userId: string) {
  return db
    .selectFrom('memberships')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export function listMembers(db: DbOrTrx, orgId: string) {
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id as user_id', 'u.name', 'u.email', 'm.role', 'm.created_at'])
    .where('m.org_id', '=', orgId)
    .orderBy('u.name')
    .execute();
}

export async function countOwners(db: DbOrTrx, orgId: string): Promise<number> {
  const r = await db
    .selectFrom('memberships')
    .select(db.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export function insertMembership(db: DbOrTrx, orgId: string, userId: string, role: MemberRole, now: number) {
  return db
    .insertInto('memberships')
    .values({ org_id: orgId, user_id: userId, role, created_at: now })
    .execute();
}

export function findSessionByTokenHash(db: DbOrTrx, tokenHash: string) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.user_id',
      's.org_id',
      's.created_at',
      's.last_seen_at',
      's.expires_at',
      'u.must_change_password',
    ])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export function deleteSessionsOfUser(db: DbOrTrx, userId: string, exceptSessionId?: string) {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptSessionId) q = q.where('id', '!=', exceptSessionId);
  return q.execute();
}

export function findOrganization(db: DbOrTrx, orgId: string) {
  return db.selectFrom('organizations').selectAll().where('id', '=', orgId).executeTakeFirst();
}

export function findTeamInvitationByTokenHash(db: DbOrTrx, tokenHash: string) {
  return db
    .selectFrom('team_invitations as i')
    .innerJoin('organizations as o', 'o.id', 'i.org_id')
    .selectAll('i')
    .select('o.name as org_name')
    .where('i.token_hash', '=', tokenHash)
    .executeTakeFirst();
}
