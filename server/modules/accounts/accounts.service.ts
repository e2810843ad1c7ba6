// Staff accounts: organizations, their members and roles, sign-in, sessions, passwords and team
// invitations. Every function checks what the caller may do before it touches anything.
import type { Ctx } from '../../context.js';
import { hashToken, randomToken } from '../../crypto.js';
import type { Trx } from '../../db/database.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../../errors.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { toIso } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { queueEmail } from '../../mail/mailer.js';
import { recordAudit } from '../audit/audit.service.js';
import { passwordResetEmail, teamInvitationEmail } from './accounts.emails.js';
import {
  countOwners,
  deleteSessionsOfUser,
  findMembership,
  findOrganization,
  findTeamInvitationByTokenHash,
  findUserByEmail,
  findUserById,
  insertMembership,
  listMembers,
  listMembershipsOfUser,
} from './accounts.repository.js';
import type { MemberRole } from './accounts.table.js';
import {
  dummyPasswordHash,
  hashPassword,
  needsRehash,
  passwordProblem,
  verifyPassword,
} from './passwords.js';
import { can, type Permission } from './permissions.js';
import { createSession, csrfTokenFor } from './sessions.service.js';

export const LOCKOUT_AFTER = 10;
export const LOCKOUT_MS = 15 * 60_000;
export const RESET_TTL_MS = 3600_000;
export const RESETS_PER_HOUR = 3;
export const TEAM_INVITATION_TTL_MS = 7 * 24 * 3600_000;

const BAD_CREDENTIALS = 'The email or password is incorrect';

export type Member = StaffActor & { orgId: string; role: MemberRole };

export function authorize(actor: StaffActor, permission: Permission): asserts actor is Member {
  if (!actor.orgId || !can(actor.role, permission)) throw forbidden();
}

function assertPassword(password: string, field = 'password'): void {
  const problem = passwordProblem(password);
  if (problem) throw invalid('The password is not acceptable', { [`body.${field}`]: problem });
}

// ---------------------------------------------------------------------------------------------
// Sessions and sign-in

export async function describeSession(ctx: Ctx, actor: StaffActor) {
  const user = await findUserById(ctx.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
  const organizations = await listMembershipsOfUser(ctx.db, user.id);
  const current = organizations.find((o) => o.id === actor.orgId) ?? null;
  return {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      mustChangePassword: user.must_change_password === 1,
    },
    organization: current,
    organizations,
    csrfToken: actor.sessionId ? csrfTokenFor(ctx, actor.sessionId) : '',
  };
}

export type SignUpInput = { name: string; email: string; password: string; organizationName: string };

export async function signUp(ctx: Ctx, input: SignUpInput, meta: RequestMeta) {
  if (ctx.config.signup !== 'open')
    throw forbidden('Sign-up is closed on this instance; ask your team for an invitation');
  assertPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction().execute(async (trx) => {
    if (await findUserByEmail(trx, input.email)) {
      // Says no more than that this address can't be used here; sign-in or a reset is the way on.
      throw invalid('This email address cannot be used to sign up', {
        'body.email': 'Sign in instead, or reset your password',
      });
    }
    const { userId, orgId } = await insertUserWithOrganization(ctx, trx, {
      ...input,
      passwordHash,
      mustChangePassword: false,
    });
    await recordAudit(ctx, trx, {
      orgId,
      actorUserId: userId,
      action: 'organization.created',
      targetType: 'organization',
      targetId: orgId,
      meta,
    });
    const session = await createSession(ctx, trx, userId, orgId, meta);
    return { ...session, userId, orgId };
  });
}

export async function insertUserWithOrganization(
  ctx: Ctx,
  trx: Trx,
  p: {
    name: string;
    email: string;
    organizationName: string;
    passwordHash: string;
    mustChangePassword: boolean;
    isDemo?: boolean;
  },
) {
  const now = ctx.clock.now();
  const orgId = newId(now);
  await trx
    .insertInto('organizations')
    .values({
      id: orgId,
      name: p.organizationName,
      is_demo: p.isDemo ? 1 : 0,
      settings: '{}',
      created_at: now,
    })
    .execute();
  const userId = await insertUser(ctx, trx, p);
  await insertMembership(trx, orgId, userId, 'owner', now);
  return { userId, orgId };
}

async function insertUser(
  ctx: Ctx,
  trx: Trx,
  p: { name: string; email: string; passwordHash: string; mustChangePassword: boolean },
) {
  const now = ctx.clock.now();
  const userId = newId(now);
  await trx
    .insertInto('users')
    .values({
      id: userId,
      email: p.email.toLowerCase(),
      name: p.name,
      password_hash: p.passwordHash,
      must_change_password: p.mustChangePassword ? 1 : 0,
      failed_logins: 0,
      locked_until: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return userId;
}

export async function signIn(ctx: Ctx, input: { email: string; password: string }, meta: RequestMeta) {
  const user = await findUserByEmail(ctx.db, input.email);
  // Always verify a hash, so an unknown email takes as long as a wrong password.
  const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), input.password);
  const now = ctx.clock.now();
  // Looked up for unknown addresses too (it finds nothing): the same queries, the same time.
  const memberships = await listMembershipsOfUser(ctx.db, user?.id ?? '');
  const auditOrg = memberships[0]?.id ?? null;

  if (!user?.password_hash || !ok || (user.locked_until ?? 0) > now) {
    if (user) {
      await ctx.db.transaction().execute(async (trx) => {
        const failed = user.failed_logins + (ok ? 0 : 1);
        await trx
          .updateTable('users')
          .set({
            failed_logins: failed,
            locked_until: failed >= LOCKOUT_AFTER && !ok ? now + LOCKOUT_MS : user.locked_until,
          })
          .where('id', '=', user.id)
          .execute();
        await recordAudit(ctx, trx, {
          orgId: auditOrg,
          actorUserId: user.id,
          action: 'auth.sign_in_failed',
          targetType: 'user',
          targetId: user.id,
          details: { reason: (user.locked_until ?? 0) > now ? 'locked' : 'bad_password' },
          meta,
        });
      });
    } else {
      // An unknown address is recorded too (credential stuffing shows in the audit log, by address
      // and request, never by the email tried), and the write keeps this reply as slow as a known
      // account's, so timing doesn't tell which addresses have accounts.
      await ctx.db.transaction().execute(async (trx) => {
        await recordAudit(ctx, trx, {
          orgId: null,
          actorUserId: null,
          action: 'auth.sign_in_failed',
          details: { reason: 'unknown_account' },
          meta,
        });
      });
    }
    throw new AppError('UNAUTHENTICATED', BAD_CREDENTIALS);
  }

  const rehash = needsRehash(user.password_hash) ? await hashPassword(input.password) : undefined;
  return ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({
        failed_logins: 0,
        locked_until: null,
        ...(rehash ? { password_hash: rehash, updated_at: now } : {}),
      })
      .where('id', '=', user.id)
      .execute();
    const session = await createSession(ctx, trx, user.id, auditOrg, meta);
    await recordAudit(ctx, trx, {
      orgId: auditOrg,
      actorUserId: user.id,
      action: 'auth.sign_in',
      targetType: 'user',
      targetId: user.id,
      meta,
    });
    return session;
  });
}

export async function signOut(ctx: Ctx, actor: StaffActor, meta: RequestMeta) {
  if (!actor.sessionId) return;
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('sessions').where('id', '=', actor.sessionId!).execute();
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'auth.sign_out',
      meta,
    });
  });
}

export async function switchOrganization(ctx: Ctx, actor: StaffActor, organizationId: string) {
  if (!actor.sessionId) throw forbidden('Only a browser session can switch organizations');
  const m = await findMembership(ctx.db, organizationId, actor.userId);
  if (!m) throw notFound('Organization');
  await ctx.db
    .updateTable('sessions')
    .set({ org_id: organizationId })
    .where('id', '=', actor.sessionId)
    .execute();
  return describeSession(ctx, { ...actor, orgId: organizationId, role: m.role });
}

export async function listMySessions(ctx: Ctx, actor: StaffActor) {
  const rows = await ctx.db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', actor.userId)
    .orderBy('last_seen_at', 'desc')
    .execute();
  return {
    items: rows.map((s) => ({
      id: s.id,
      ip: s.ip,
      userAgent: s.user_agent,
      createdAt: toIso(s.created_at),
      lastSeenAt: toIso(s.last_seen_at),
      current: s.id === actor.sessionId,
    })),
  };
}

export async function revokeMySession(ctx: Ctx, actor: StaffActor, sessionId: string, meta: RequestMeta) {
  await ctx.db.transaction().execute(async (trx) => {
    const r = await trx
      .deleteFrom('sessions')
      .where('id', '=', sessionId)
      .where('user_id', '=', actor.userId)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw notFound('Session');
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'auth.session_revoked',
      targetType: 'session',
      targetId: sessionId,
      meta,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Passwords

export async function changePassword(
  ctx: Ctx,
  actor: StaffActor,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
) {
  const user = await findUserById(ctx.db, actor.userId);
  if (!user?.password_hash || !(await verifyPassword(user.password_hash, input.currentPassword))) {
    throw invalid('The current password is incorrect', { 'body.currentPassword': 'Incorrect password' });
  }
  assertPassword(input.newPassword, 'newPassword');
  if (input.newPassword === input.currentPassword) {
    throw invalid('Choose a new password', {
      'body.newPassword': 'The new password must differ from the current one',
    });
  }
  const hash = await hashPassword(input.newPassword);
  await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    await trx
      .updateTable('users')
      .set({ password_hash: hash, must_change_password: 0, updated_at: now })
      .where('id', '=', user.id)
      .execute();
    // Every other session of this user ends now; this one stays signed in.
    await deleteSessionsOfUser(trx, user.id, actor.sessionId ?? undefined);
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: user.id,
      action: 'auth.password_changed',
      targetType: 'user',
      targetId: user.id,
      meta,
    });
  });
}

/** Sends a reset link if the account exists; answers the same either way. */
export async function requestPasswordReset(ctx: Ctx, email: string, meta: RequestMeta): Promise<void> {
  const user = await findUserByEmail(ctx.db, email);
  if (!user) {
    await dummyPasswordHash(); // keep the work similar to the path below
    return;
  }
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const recent = await trx
      .selectFrom('password_resets')
      .select(trx.fn.countAll<number>().as('n'))
      .where('user_id', '=', user.id)
      .where('created_at', '>', now - 3600_000)
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= RESETS_PER_HOUR) return; // per-account throttle, silently
    const token = randomToken(32);
    await trx
      .insertInto('password_resets')
      .values({
        id: newId(now),
        user_id: user.id,
        token_hash: hashToken(token),
        created_at: now,
        expires_at: now + RESET_TTL_MS,
        used_at: null,
      })
      .execute();
    const orgId = (await listMembershipsOfUser(trx, user.id))[0]?.id ?? null;
    const mail = passwordResetEmail({
      name: user.name,
      url: `${ctx.config.publicUrl}/reset-password/${token}`,
    });
    await queueEmail(ctx, trx, { orgId, kind: 'password-reset', to: user.email, private: true, ...mail });
    await recordAudit(ctx, trx, {
      orgId,
      actorUserId: null,
      action: 'auth.password_reset_requested',
      targetType: 'user',
      targetId: user.id,
      meta,
    });
  });
}

export async function confirmPasswordReset(
  ctx: Ctx,
  input: { token: string; newPassword: string },
  meta: RequestMeta,
) {
  assertPassword(input.newPassword, 'newPassword');
  const hash = await hashPassword(input.newPassword);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const reset = await trx
      .selectFrom('password_resets')
      .selectAll()
      .where('token_hash', '=', hashToken(input.token))
      .executeTakeFirst();
    if (!reset || reset.used_at !== null || reset.expires_at <= now) {
      throw invalid('This reset link is invalid or has expired', { 'body.token': 'Ask for a new link' });
    }
    // Single use even under a double click: only the first UPDATE finds used_at null.
    const claimed = await trx
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('id', '=', reset.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0)
      throw invalid('This reset link has already been used', { 'body.token': 'Ask for a new link' });
    await trx
      .updateTable('users')
      .set({
        password_hash: hash,
        must_change_password: 0,
        failed_logins: 0,
        locked_until: null,
        updated_at: now,
      })
      .where('id', '=', reset.user_id)
      .execute();
    await deleteSessionsOfUser(trx, reset.user_id);
    const orgId = (await listMembershipsOfUser(trx, reset.user_id))[0]?.id ?? null;
    await recordAudit(ctx, trx, {
      orgId,
      actorUserId: reset.user_id,
      action: 'auth.password_reset',
      targetType: 'user',
      targetId: reset.user_id,
      meta,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Organization

export async function getOrganization(ctx: Ctx, actor: StaffActor) {
  authorize(actor, 'organization.read');
  const org = await findOrganization(ctx.db, actor.orgId);
  if (!org) throw notFound('Organization');
  return { id: org.id, name: org.name, createdAt: toIso(org.created_at) };
}

export async function updateOrganization(
  ctx: Ctx,
  actor: StaffActor,
  input: { name: string },
  meta: RequestMeta,
) {
  authorize(actor, 'organization.update');
  await ctx.db.transaction().execute(async (trx) => {
    const before = await findOrganization(trx, actor.orgId);
    await trx.updateTable('organizations').set({ name: input.name }).where('id', '=', actor.orgId).execute();
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'organization.settings_changed',
      targetType: 'organization',
      targetId: actor.orgId,
      details: { name: { from: before?.name, to: input.name } },
      meta,
    });
  });
  return getOrganization(ctx, actor);
}

// ---------------------------------------------------------------------------------------------
// Team

function toMember(r: { user_id: string; name: string; email: string; role: MemberRole; created_at: number }) {
  return { userId: r.user_id, name: r.name, email: r.email, role: r.role, joinedAt: toIso(r.created_at) };
}

export async function listTeamMembers(ctx: Ctx, actor: StaffActor) {
  authorize(actor, 'team.read');
  return { items: (await listMembers(ctx.db, actor.orgId)).map(toMember) };
}

/** Only an owner may make, unmake or remove an owner. */
function assertCanManageRole(actor: Member, currentRole: MemberRole, newRole?: MemberRole) {
  if ((currentRole === 'owner' || newRole === 'owner') && actor.role !== 'owner') {
    throw forbidden('Only an owner can change or remove an owner');
  }
}

export async function changeMemberRole(
  ctx: Ctx,
  actor: StaffActor,
  userId: string,
  role: MemberRole,
  meta: RequestMeta,
) {
  authorize(actor, 'team.manage');
  await ctx.db.transaction().execute(async (trx) => {
    const m = await findMembership(trx, actor.orgId, userId);
    if (!m) throw notFound('Member');
    assertCanManageRole(actor, m.role, role);
    if (m.role === 'owner' && role !== 'owner' && (await countOwners(trx, actor.orgId)) <= 1) {
      throw conflict('An organization must keep at least one owner');
    }
    await trx
      .updateTable('memberships')
      .set({ role })
      .where('org_id', '=', actor.orgId)
      .where('user_id', '=', userId)
      .execute();
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'member.role_changed',
      targetType: 'user',
      targetId: userId,
      details: { from: m.role, to: role },
      meta,
    });
  });
  const r = (await listMembers(ctx.db, actor.orgId)).find((x) => x.user_id === userId);
  if (!r) throw notFound('Member');
  return toMember(r);
}

export async function removeMember(ctx: Ctx, actor: StaffActor, userId: string, meta: RequestMeta) {
  authorize(actor, 'team.manage');
  await ctx.db.transaction().execute(async (trx) => {
    const m = await findMembership(trx, actor.orgId, userId);
    if (!m) throw notFound('Member');
    assertCanManageRole(actor, m.role);
    if (m.role === 'owner' && (await countOwners(trx, actor.orgId)) <= 1) {
      throw conflict('An organization must keep at least one owner');
    }
    await trx
      .deleteFrom('memberships')
      .where('org_id', '=', actor.orgId)
      .where('user_id', '=', userId)
      .execute();
    // Their sessions in this organization end at once; with no organization left, all of them do.
    const remaining = await listMembershipsOfUser(trx, userId);
    if (remaining.length === 0) await deleteSessionsOfUser(trx, userId);
    else
      await trx
        .deleteFrom('sessions')
        .where('user_id', '=', userId)
        .where('org_id', '=', actor.orgId)
        .execute();
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'member.removed',
      targetType: 'user',
      targetId: userId,
      details: { role: m.role },
      meta,
    });
  });
}

export async function listTeamInvitations(ctx: Ctx, actor: StaffActor) {
  authorize(actor, 'team.manage');
  const rows = await ctx.db
    .selectFrom('team_invitations')
    .selectAll()
    .where('org_id', '=', actor.orgId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', ctx.clock.now())
    .orderBy('id', 'desc')
    .execute();
  return { items: rows.map(toTeamInvitation) };
}

function toTeamInvitation(r: {
  id: string;
  email: string;
  role: MemberRole;
  created_at: number;
  expires_at: number;
}) {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    createdAt: toIso(r.created_at),
    expiresAt: toIso(r.expires_at),
  };
}

export async function inviteMember(
  ctx: Ctx,
  actor: StaffActor,
  input: { email: string; role: MemberRole },
  meta: RequestMeta,
) {
  authorize(actor, 'team.manage');
  if (input.role === 'owner' && actor.role !== 'owner') throw forbidden('Only an owner can invite an owner');
  const now = ctx.clock.now();
  const token = randomToken(32);
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await findUserByEmail(trx, input.email);
    if (existing && (await findMembership(trx, actor.orgId, existing.id))) {
      throw invalid('This person is already a member', {
        'body.email': 'Already a member of this organization',
      });
    }
    // A new invitation to the same address replaces the pending one.
    await trx
      .updateTable('team_invitations')
      .set({ revoked_at: now })
      .where('org_id', '=', actor.orgId)
      .where('email', '=', input.email)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
    const row = {
      id: newId(now),
      org_id: actor.orgId,
      email: input.email,
      role: input.role,
      token_hash: hashToken(token),
      invited_by: actor.userId,
      created_at: now,
      expires_at: now + TEAM_INVITATION_TTL_MS,
      accepted_at: null,
      revoked_at: null,
    };
    await trx.insertInto('team_invitations').values(row).execute();
    const org = await findOrganization(trx, actor.orgId);
    const inviter = await findUserById(trx, actor.userId);
    const mail = teamInvitationEmail({
      orgName: org?.name ?? 'your team',
      inviterName: inviter?.name ?? 'A colleague',
      role: input.role,
      url: `${ctx.config.publicUrl}/join/${token}`,
      expiresAt: new Date(row.expires_at),
    });
    await queueEmail(ctx, trx, { orgId: actor.orgId, kind: 'team-invitation', to: input.email, ...mail });
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'member.invited',
      targetType: 'team_invitation',
      targetId: row.id,
      details: { role: input.role },
      meta,
    });
    return toTeamInvitation(row);
  });
}

export async function revokeTeamInvitation(
  ctx: Ctx,
  actor: StaffActor,
  invitationId: string,
  meta: RequestMeta,
) {
  authorize(actor, 'team.manage');
  await ctx.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('team_invitations')
      .set({ revoked_at: ctx.clock.now() })
      .where('id', '=', invitationId)
      .where('org_id', '=', actor.orgId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw notFound('Invitation');
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'member.invitation_revoked',
      targetType: 'team_invitation',
      targetId: invitationId,
      meta,
    });
  });
}

async function findLiveTeamInvitation(ctx: Ctx, trx: Ctx['db'] | Trx, token: string) {
  const inv = await findTeamInvitationByTokenHash(trx, hashToken(token));
  if (!inv || inv.accepted_at !== null || inv.revoked_at !== null || inv.expires_at <= ctx.clock.now()) {
    throw notFound('Invitation');
  }
  return inv;
}

export async function previewTeamInvitation(ctx: Ctx, token: string) {
  const inv = await findLiveTeamInvitation(ctx, ctx.db, token);
  return {
    organizationName: inv.org_name,
    email: inv.email,
    role: inv.role,
    accountExists: !!(await findUserByEmail(ctx.db, inv.email)),
  };
}

/**
 * Accepting: a signed-in user whose email matches joins at once; someone without an account creates
 * one with the name and password given; someone with an account must sign in first.
 */
export async function acceptTeamInvitation(
  ctx: Ctx,
  actor: StaffActor | null,
  input: { token: string; name?: string; password?: string },
  meta: RequestMeta,
) {
  if (input.password !== undefined) assertPassword(input.password);
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : undefined;
  return ctx.db.transaction().execute(async (trx) => {
    const inv = await findLiveTeamInvitation(ctx, trx, input.token);
    const now = ctx.clock.now();
    const existing = await findUserByEmail(trx, inv.email);
    let userId: string;
    let session: { id: string; token: string } | undefined;
    if (existing) {
      if (!actor || actor.userId !== existing.id) {
        throw new AppError('UNAUTHENTICATED', `Sign in as ${inv.email} to accept this invitation`);
      }
      userId = existing.id;
    } else {
      if (!input.name || !passwordHash) {
        throw invalid('Choose your name and a password to create your account', {
          ...(input.name ? {} : { 'body.name': 'Required' }),
          ...(passwordHash ? {} : { 'body.password': 'Required' }),
        });
      }
      userId = await insertUser(ctx, trx, {
        name: input.name,
        email: inv.email,
        passwordHash,
        mustChangePassword: false,
      });
    }
    if (!(await findMembership(trx, inv.org_id, userId)))
      await insertMembership(trx, inv.org_id, userId, inv.role, now);
    await trx.updateTable('team_invitations').set({ accepted_at: now }).where('id', '=', inv.id).execute();
    if (actor?.sessionId && actor.userId === userId) {
      await trx
        .updateTable('sessions')
        .set({ org_id: inv.org_id })
        .where('id', '=', actor.sessionId)
        .execute();
    } else {
      session = await createSession(ctx, trx, userId, inv.org_id, meta);
    }
    await recordAudit(ctx, trx, {
      orgId: inv.org_id,
      actorUserId: userId,
      action: 'member.joined',
      targetType: 'user',
      targetId: userId,
      details: { role: inv.role },
      meta,
    });
    return { userId, orgId: inv.org_id, role: inv.role, session };
  });
}

// ---------------------------------------------------------------------------------------------
// Operator commands (CLI) and the first start

export async function createUserFromCli(
  ctx: Ctx,
  p: {
    email: string;
    name: string;
    role: MemberRole;
    organizationId?: string;
    organizationName?: string;
    password: string;
  },
) {
  assertPassword(p.password);
  const passwordHash = await hashPassword(p.password);
  return ctx.db.transaction().execute(async (trx) => {
    if (await findUserByEmail(trx, p.email))
      throw conflict(`A user with the email ${p.email} already exists`);
    if (p.organizationId) {
      if (!(await findOrganization(trx, p.organizationId))) throw notFound('Organization');
      const userId = await insertUser(ctx, trx, { ...p, passwordHash, mustChangePassword: true });
      await insertMembership(trx, p.organizationId, userId, p.role, ctx.clock.now());
      await recordAudit(ctx, trx, {
        orgId: p.organizationId,
        actorUserId: null,
        action: 'member.created_by_operator',
        targetType: 'user',
        targetId: userId,
        details: { role: p.role },
      });
      return { userId, orgId: p.organizationId };
    }
    const created = await insertUserWithOrganization(ctx, trx, {
      ...p,
      organizationName: p.organizationName ?? `${p.name}'s organization`,
      passwordHash,
      mustChangePassword: true,
    });
    await recordAudit(ctx, trx, {
      orgId: created.orgId,
      actorUserId: null,
      action: 'member.created_by_operator',
      targetType: 'user',
      targetId: created.userId,
      details: { role: 'owner' },
    });
    return created;
  });
}

/** For an owner locked out of a fresh install: a one-time reset link, or a new password set directly. */
export async function resetPasswordFromCli(
  ctx: Ctx,
  email: string,
  newPassword?: string,
): Promise<{ link?: string }> {
  const user = await findUserByEmail(ctx.db, email);
  if (!user) throw notFound('User');
  const now = ctx.clock.now();
  if (newPassword !== undefined) {
    assertPassword(newPassword);
    const hash = await hashPassword(newPassword);
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({
          password_hash: hash,
          must_change_password: 1,
          failed_logins: 0,
          locked_until: null,
          updated_at: now,
        })
        .where('id', '=', user.id)
        .execute();
      await deleteSessionsOfUser(trx, user.id);
      await recordAudit(ctx, trx, {
        orgId: null,
        actorUserId: null,
        action: 'auth.password_reset_by_operator',
        targetType: 'user',
        targetId: user.id,
      });
    });
    return {};
  }
  const token = randomToken(32);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('password_resets')
      .values({
        id: newId(now),
        user_id: user.id,
        token_hash: hashToken(token),
        created_at: now,
        expires_at: now + RESET_TTL_MS,
        used_at: null,
      })
      .execute();
    await recordAudit(ctx, trx, {
      orgId: null,
      actorUserId: null,
      action: 'auth.password_reset_link_by_operator',
      targetType: 'user',
      targetId: user.id,
    });
  });
  return { link: `${ctx.config.publicUrl}/reset-password/${token}` };
}

export const DEMO_OWNER_EMAIL = 'owner@assay.example';

/** On the very first start: a demo organization and its owner, with a random password to change. */
export async function bootstrapFirstOwner(
  ctx: Ctx,
): Promise<{ email: string; password: string } | undefined> {
  const any = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return undefined;
  const password = randomToken(15);
  const passwordHash = await hashPassword(password);
  const created = await ctx.db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('users').select('id').limit(1).executeTakeFirst()) return false; // another instance won
    await insertUserWithOrganization(ctx, trx, {
      name: 'Demo Owner',
      email: DEMO_OWNER_EMAIL,
      organizationName: 'Demo Organization',
      passwordHash,
      mustChangePassword: true,
      isDemo: true,
    });
    return true;
  });
  return created ? { email: DEMO_OWNER_EMAIL, password } : undefined;
}
