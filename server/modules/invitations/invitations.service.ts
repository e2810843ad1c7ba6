// Candidates and their invitations: inviting (one path for a single person, CSV rows and public-link
// sign-ups), resending, revoking and extending; reminders; and the candidate's landing on their link.
// A link token is 32 random bytes, shown once (in the email) and stored only as its SHA-256, so a
// resend issues a new token and the old link stops working. CSV imports (candidate-imports.service.ts)
// and public links (public-links.service.ts) build on this file.
import type { Ctx } from '../../context.js';
import { hashToken, randomToken } from '../../crypto.js';
import type { DbOrTrx, Trx } from '../../db/database.js';
import { AppError, conflict, invalid, notFound } from '../../errors.js';
import { recordEvent, recordEvents } from '../../events/events.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { toIso, toIsoOrNull } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { queueEmail, queueEmails } from '../../mail/mailer.js';
import { authorize } from '../accounts/accounts.service.js';
import { type AssessmentSettings, parseSections, parseSettings } from '../assessments/assessment.model.js';
import { findAssessmentOfOrg } from '../assessments/assessments.service.js';
import type { AssessmentRow } from '../assessments/assessments.table.js';
import { recordAudit } from '../audit/audit.service.js';
import { invitationEmail, reminderEmail } from './invitations.emails.js';
import { invitationReminderJob } from './invitations.jobs.js';
import {
  countInvitationsByAssessment as countRows,
  expireInvitations,
  findCandidate,
  findInvitation,
  findInvitationById,
  findInvitationByTokenHash,
  findOrganizationName,
  type InvitationWithCandidate,
  insertInvitationsIfAbsent,
  listInvitationIdsOfCandidates,
  listInvitations as listInvitationRows,
  liveStatuses,
  setInvitationStatus,
  updateInvitation,
  upsertCandidates,
} from './invitations.repository.js';
import type { CandidateRow, InvitationRow, InvitationSource, InvitationStatus } from './invitations.table.js';

export const DAY = 24 * 3600_000;
const HOUR = 3600_000;
/** Reminders go out this long before the invitation expires, while it is neither started nor over. */
export const REMINDER_SLOTS = [
  { slot: 1, before: 72 * HOUR },
  { slot: 2, before: 24 * HOUR },
] as const;

const isLive = (s: InvitationStatus) => (liveStatuses as readonly string[]).includes(s);

export function effectiveStatus(
  inv: Pick<InvitationRow, 'status' | 'expires_at'>,
  now: number,
): InvitationStatus {
  return isLive(inv.status) && inv.expires_at <= now ? 'expired' : inv.status;
}

function toInvitation(r: InvitationWithCandidate, now: number) {
  return {
    id: r.id,
    assessmentId: r.assessment_id,
    candidate: {
      id: r.candidate_id,
      name: r.candidate_name,
      email: r.candidate_email,
      externalId: r.candidate_external_id,
    },
    status: effectiveStatus(r, now),
    stage: r.stage,
    source: r.source,
    extraTime: r.extra_time,
    remindersSent: r.reminders_sent,
    createdAt: toIso(r.created_at),
    sentAt: toIsoOrNull(r.sent_at),
    openedAt: toIsoOrNull(r.opened_at),
    startedAt: toIsoOrNull(r.started_at),
    completedAt: toIsoOrNull(r.completed_at),
    revokedAt: toIsoOrNull(r.revoked_at),
    expiresAt: toIso(r.expires_at),
  };
}

export const invitationUrl = (ctx: Ctx, token: string) => `${ctx.config.publicUrl}/i/${token}`;
const eventData = (
  inv: Pick<InvitationRow, 'assessment_id' | 'candidate_id' | 'id'>,
  status: InvitationStatus,
) => ({
  assessmentId: inv.assessment_id,
  candidateId: inv.candidate_id,
  invitationId: inv.id,
  status,
});

export async function requireAssessment(db: DbOrTrx, orgId: string, assessmentId: string) {
  const a = await findAssessmentOfOrg(db, orgId, assessmentId);
  if (!a) throw notFound('Assessment');
  return a;
}

export function assertOpen(a: AssessmentRow) {
  if (a.state !== 'open')
    throw conflict('Candidates can be invited only while the assessment is open', { state: a.state });
}

function assertExtraTime(extraTime: number, settings: AssessmentSettings) {
  if (extraTime > settings.maxExtraTime)
    throw invalid('Too much extra time', {
      'body.extraTime': `At most ${settings.maxExtraTime}× for this assessment`,
    });
}

// ---------------------------------------------------------------------------------------------
// Counts, for the assessments list

export type InvitationCounts = { invited: number; started: number; completed: number };

export async function countInvitationsByAssessment(
  db: DbOrTrx,
  orgId: string,
  assessmentIds: readonly string[],
): Promise<Map<string, InvitationCounts>> {
  const rows = await countRows(db, orgId, assessmentIds);
  return new Map(
    rows.map((r) => [r.assessmentId, { invited: r.invited, started: r.started, completed: r.completed }]),
  );
}

// ---------------------------------------------------------------------------------------------
// Creating invitations: one path for single, CSV and public sign-ups

export type InviteTarget = {
  assessment: AssessmentRow;
  settings: AssessmentSettings;
  orgName: string;
  source: InvitationSource;
  /** For the email: computed once per target, not once per candidate. */
  sectionCount: number;
  totalMinutes: number;
};
type InviteRow = { email: string; name: string; externalId?: string | null; extraTime: number };
type InviteResult = {
  email: string;
  candidateId: string;
  invitationId: string;
  created: boolean;
  /** Only for invitations created now; it exists nowhere else once the email is sealed. */
  token?: string;
};

function invitationMessage(
  ctx: Ctx,
  target: InviteTarget,
  p: { email: string; name: string; token: string; expiresAt: number; extraTime: number },
) {
  return {
    orgId: target.assessment.org_id,
    kind: 'candidate-invitation',
    to: p.email,
    ...invitationEmail({
      candidateName: p.name,
      orgName: target.orgName,
      assessmentName: target.assessment.name,
      url: invitationUrl(ctx, p.token),
      expiresAt: p.expiresAt,
      totalMinutes: Math.ceil(target.totalMinutes * p.extraTime),
      sectionCount: target.sectionCount,
      accommodationsContact: target.settings.accommodationsContact,
    }),
  };
}

/**
 * Schedules the next reminder of one link: one job at a time per invitation, each queueing the next
 * when it runs, so an extended expiry moves the reminders with it. The job carries the link token
 * sealed under the instance key (the invitation row keeps only its hash) and sends only while that
 * token is still the invitation's, the invitation is still invited or opened, and not expired.
 */
function nextReminder(
  now: number,
  p: { invitationId: string; expiresAt: number; sealedToken: string; tokenHash: string; afterSlot: number },
) {
  const next = REMINDER_SLOTS.find((r) => r.slot > p.afterSlot && p.expiresAt - r.before > now);
  if (!next) return undefined;
  const runAt = p.expiresAt - next.before;
  return {
    payload: { invitationId: p.invitationId, slot: next.slot, sealedToken: p.sealedToken },
    runAt,
    key: `invitation-reminder:${p.invitationId}:${next.slot}:${p.tokenHash.slice(0, 16)}:${runAt}`,
  };
}

async function scheduleNextReminder(ctx: Ctx, trx: DbOrTrx, p: Parameters<typeof nextReminder>[1]) {
  const job = nextReminder(ctx.clock.now(), p);
  if (job) await ctx.jobs.enqueue(trx, invitationReminderJob, job.payload, job);
}

/** The first reminder of a new link: what scheduleNextReminder enqueues, as data for a bulk insert. */
function firstReminder(ctx: Ctx, invitationId: string, expiresAt: number, token: string) {
  return nextReminder(ctx.clock.now(), {
    invitationId,
    expiresAt,
    sealedToken: ctx.sealer.seal(token),
    tokenHash: hashToken(token),
    afterSlot: 0,
  });
}

/**
 * Finds or creates each row's candidate and invites them, skipping those already invited (the
 * unique (assessment, candidate) makes this idempotent). New invitations get their email, event
 * and reminders in the caller's transaction.
 */
export async function inviteRows(ctx: Ctx, trx: Trx, target: InviteTarget, rows: readonly InviteRow[]) {
  const now = ctx.clock.now();
  const orgId = target.assessment.org_id;
  const candidateIds = await upsertCandidates(
    trx,
    rows.map((r) => ({
      id: newId(now),
      org_id: orgId,
      email: r.email,
      name: r.name,
      external_id: r.externalId || null,
      is_demo: 0,
      erased_at: null,
      created_at: now,
      updated_at: now,
    })),
  );
  const expiresAt = now + target.settings.invitationDays * DAY;
  const pending = rows.map((r) => {
    const candidateId = candidateIds.get(r.email);
    if (!candidateId) throw new Error('candidate upsert returned no id');
    return { ...r, candidateId, id: newId(now), token: randomToken(32) };
  });
  const created = await insertInvitationsIfAbsent(
    trx,
    pending.map((p) => ({
      id: p.id,
      org_id: orgId,
      assessment_id: target.assessment.id,
      candidate_id: p.candidateId,
      token_hash: hashToken(p.token),
      source: target.source,
      status: 'invited' as const,
      stage: 'new' as const,
      extra_time: p.extraTime,
      reminders_sent: 0,
      created_at: now,
      sent_at: now,
      opened_at: null,
      started_at: null,
      completed_at: null,
      revoked_at: null,
      expires_at: expiresAt,
      updated_at: now,
    })),
  );
  const createdIds = new Set(created.map((c) => c.id));
  const results: InviteResult[] = [];
  const existing = pending.filter((p) => !createdIds.has(p.id));
  const existingIds = new Map(
    (
      await listInvitationIdsOfCandidates(
        trx,
        orgId,
        target.assessment.id,
        existing.map((p) => p.candidateId),
      )
    ).map((r) => [r.candidate_id, r.id]),
  );
  // Messages, events and reminders of the new invitations, a few hundred rows per statement.
  const messages = [];
  const events = [];
  const reminders = [];
  for (const p of pending) {
    if (!createdIds.has(p.id)) {
      results.push({
        email: p.email,
        candidateId: p.candidateId,
        invitationId: existingIds.get(p.candidateId) ?? '',
        created: false,
      });
      continue;
    }
    messages.push(invitationMessage(ctx, target, { ...p, expiresAt }));
    events.push({
      orgId,
      type: 'invitation.created' as const,
      subjectId: p.id,
      data: eventData(
        { id: p.id, assessment_id: target.assessment.id, candidate_id: p.candidateId },
        'invited',
      ),
    });
    const reminder = firstReminder(ctx, p.id, expiresAt, p.token);
    if (reminder) reminders.push(reminder);
    results.push({
      email: p.email,
      candidateId: p.candidateId,
      invitationId: p.id,
      created: true,
      token: p.token,
    });
  }
  await queueEmails(ctx, trx, messages);
  await recordEvents(ctx, trx, events);
  await ctx.jobs.enqueueMany(trx, invitationReminderJob, reminders);
  return results;
}

export async function targetFor(
  _ctx: Ctx,
  db: DbOrTrx,
  assessment: AssessmentRow,
  source: InvitationSource,
): Promise<InviteTarget> {
  const sections = parseSections(assessment.sections);
  return {
    assessment,
    settings: parseSettings(assessment.settings),
    orgName: (await findOrganizationName(db, assessment.org_id)) ?? 'Your recruiter',
    source,
    sectionCount: sections.length,
    totalMinutes: sections.reduce((s, x) => s + x.minutes, 0),
  };
}

export type InviteCandidateInput = {
  email: string;
  name: string;
  externalId?: string | null;
  extraTime?: number;
};

/** Invites one candidate; inviting someone already invited returns their invitation and sends nothing. */
export async function inviteCandidate(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  input: InviteCandidateInput,
  meta: RequestMeta,
) {
  authorize(actor, 'candidates.invite');
  const assessment = await requireAssessment(ctx.db, actor.orgId, assessmentId);
  assertOpen(assessment);
  const settings = parseSettings(assessment.settings);
  const extraTime = input.extraTime ?? 1;
  assertExtraTime(extraTime, settings);
  const result = await ctx.db.transaction().execute(async (trx) => {
    const fresh = await requireAssessment(trx, actor.orgId, assessmentId);
    assertOpen(fresh);
    const [r] = await inviteRows(ctx, trx, await targetFor(ctx, trx, fresh, 'single'), [
      { email: input.email, name: input.name, externalId: input.externalId, extraTime },
    ]);
    if (!r) throw new Error('inviteRows returned nothing');
    if (r.created) {
      await recordAudit(ctx, trx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: 'candidate.invited',
        targetType: 'invitation',
        targetId: r.invitationId,
        details: { assessmentId, candidateId: r.candidateId },
        meta,
      });
    }
    return r;
  });
  return { created: result.created, invitation: await getInvitation(ctx, actor, result.invitationId) };
}

// ---------------------------------------------------------------------------------------------
// Reading

export type ListInvitationsQuery = { status?: InvitationStatus; q?: string; cursor?: string; limit: number };

export async function listInvitations(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  query: ListInvitationsQuery,
) {
  authorize(actor, 'candidates.read');
  await requireAssessment(ctx.db, actor.orgId, assessmentId);
  const now = ctx.clock.now();
  const rows = await listInvitationRows(ctx.db, { ...query, orgId: actor.orgId, assessmentId, now });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => toInvitation(r, now)),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getInvitation(ctx: Ctx, actor: StaffActor, invitationId: string) {
  authorize(actor, 'candidates.read');
  const row = await findInvitation(ctx.db, actor.orgId, invitationId);
  if (!row) throw notFound('Invitation');
  return toInvitation(row, ctx.clock.now());
}

// ---------------------------------------------------------------------------------------------
// Managing: resend, revoke, extend (one by one or in bulk)

/**
 * Issues a new link for an invitation and emails it. The old link stops working at once (only the
 * hash of the new token is kept). An expired invitation gets a fresh expiry and becomes live again.
 */
export async function reissue(ctx: Ctx, trx: Trx, inv: InvitationWithCandidate, assessment: AssessmentRow) {
  const now = ctx.clock.now();
  const settings = parseSettings(assessment.settings);
  const token = randomToken(32);
  const expired = effectiveStatus(inv, now) === 'expired';
  const expiresAt = expired ? now + settings.invitationDays * DAY : inv.expires_at;
  const changed = await updateInvitation(
    trx,
    inv.org_id,
    inv.id,
    {
      token_hash: hashToken(token),
      sent_at: now,
      reminders_sent: 0,
      expires_at: expiresAt,
      updated_at: now,
      ...(expired ? { status: inv.opened_at ? 'opened' : 'invited' } : {}),
    },
    { fromStatuses: [inv.status], tokenHash: inv.token_hash },
  );
  if (!changed) throw conflict('The invitation changed meanwhile; reload and try again');
  const target = await targetFor(ctx, trx, assessment, inv.source);
  await queueEmail(
    ctx,
    trx,
    invitationMessage(ctx, target, {
      email: inv.candidate_email,
      name: inv.candidate_name,
      token,
      expiresAt,
      extraTime: inv.extra_time,
    }),
  );
  const reminder =
    isLive(inv.status) || inv.status === 'expired' ? firstReminder(ctx, inv.id, expiresAt, token) : undefined;
  if (reminder) await ctx.jobs.enqueue(trx, invitationReminderJob, reminder.payload, reminder);
  return token;
}

type ManageAction = 'resend' | 'revoke' | 'extend';

async function manageOne(
  ctx: Ctx,
  actor: StaffActor & { orgId: string },
  invitationId: string,
  action: ManageAction,
  opts: { days?: number; assessmentId?: string },
  meta: RequestMeta,
) {
  await ctx.db.transaction().execute(async (trx) => {
    const inv = await findInvitation(trx, actor.orgId, invitationId);
    if (!inv || (opts.assessmentId && inv.assessment_id !== opts.assessmentId)) throw notFound('Invitation');
    const assessment = await requireAssessment(trx, actor.orgId, inv.assessment_id);
    const now = ctx.clock.now();
    const status = effectiveStatus(inv, now);
    if (action === 'resend') {
      if (!['invited', 'opened', 'expired'].includes(status))
        throw conflict(`A ${status} invitation can't be resent`, { status });
      assertOpen(assessment);
      await reissue(ctx, trx, inv, assessment);
    } else if (action === 'revoke') {
      if (!['invited', 'opened', 'expired'].includes(status))
        throw conflict(`A ${status} invitation can't be revoked`, { status });
      const changed = await updateInvitation(
        trx,
        actor.orgId,
        inv.id,
        { status: 'revoked', revoked_at: now, updated_at: now },
        { fromStatuses: [inv.status] },
      );
      if (!changed) throw conflict('The invitation changed meanwhile; reload and try again');
      await recordEvent(ctx, trx, {
        orgId: actor.orgId,
        type: 'invitation.revoked',
        subjectId: inv.id,
        data: eventData(inv, 'revoked'),
      });
    } else {
      if (!['invited', 'opened', 'expired'].includes(status))
        throw conflict(`A ${status} invitation can't be extended`, { status });
      const days = opts.days ?? 7;
      const expiresAt = Math.max(inv.expires_at, now) + days * DAY;
      const changed = await updateInvitation(
        trx,
        actor.orgId,
        inv.id,
        {
          expires_at: expiresAt,
          updated_at: now,
          ...(status === 'expired' ? { status: inv.opened_at ? 'opened' : 'invited' } : {}),
        },
        { fromStatuses: [inv.status] },
      );
      if (!changed) throw conflict('The invitation changed meanwhile; reload and try again');
    }
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: `invitation.${action === 'resend' ? 'resent' : action === 'revoke' ? 'revoked' : 'extended'}`,
      targetType: 'invitation',
      targetId: inv.id,
      details: {
        assessmentId: inv.assessment_id,
        candidateId: inv.candidate_id,
        ...(opts.days ? { days: opts.days } : {}),
      },
      meta,
    });
  });
}

/** Emails a new link; the previous link stops working (tokens are stored only as hashes). */
export async function resendInvitation(ctx: Ctx, actor: StaffActor, invitationId: string, meta: RequestMeta) {
  authorize(actor, 'candidates.manage');
  await manageOne(ctx, actor, invitationId, 'resend', {}, meta);
  return getInvitation(ctx, actor, invitationId);
}

/** The link stops working and pending reminders send nothing. Final for this assessment. */
export async function revokeInvitation(ctx: Ctx, actor: StaffActor, invitationId: string, meta: RequestMeta) {
  authorize(actor, 'candidates.manage');
  await manageOne(ctx, actor, invitationId, 'revoke', {}, meta);
  return getInvitation(ctx, actor, invitationId);
}

/** Moves the expiry `days` later (from now, if it has already passed). */
export async function extendInvitation(
  ctx: Ctx,
  actor: StaffActor,
  invitationId: string,
  days: number,
  meta: RequestMeta,
) {
  authorize(actor, 'candidates.manage');
  await manageOne(ctx, actor, invitationId, 'extend', { days }, meta);
  return getInvitation(ctx, actor, invitationId);
}

export async function bulkManageInvitations(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  input: { action: ManageAction; invitationIds: string[]; days?: number },
  meta: RequestMeta,
) {
  authorize(actor, 'candidates.manage');
  await requireAssessment(ctx.db, actor.orgId, assessmentId);
  const results: Array<{
    invitationId: string;
    ok: boolean;
    error: { code: string; message: string } | null;
  }> = [];
  for (const invitationId of [...new Set(input.invitationIds)]) {
    try {
      await manageOne(ctx, actor, invitationId, input.action, { days: input.days, assessmentId }, meta);
      results.push({ invitationId, ok: true, error: null });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({ invitationId, ok: false, error: { code: err.code, message: err.message } });
    }
  }
  return { results };
}

// ---------------------------------------------------------------------------------------------
// Reminders and expiry (job handlers)

/**
 * Sends reminder `slot` if the link is still the invitation's and it is still waiting to be taken,
 * then queues the next one. If the expiry moved later, the reminder waits for its new time; if it
 * runs late, past a later slot's time, only the latest due reminder is sent.
 */
export async function sendInvitationReminder(
  ctx: Ctx,
  p: { invitationId: string; slot: number; sealedToken: string },
): Promise<boolean> {
  const tokenHash = hashToken(ctx.sealer.open(p.sealedToken));
  return ctx.db.transaction().execute(async (trx) => {
    const inv = await findInvitationById(trx, p.invitationId);
    const now = ctx.clock.now();
    if (!inv || inv.token_hash !== tokenHash || !isLive(inv.status) || inv.expires_at <= now) return false;
    const assessment = await findAssessmentOfOrg(trx, inv.org_id, inv.assessment_id);
    if (assessment?.state !== 'open') return false;
    const chain = { invitationId: inv.id, expiresAt: inv.expires_at, sealedToken: p.sealedToken, tokenHash };
    const due = REMINDER_SLOTS.filter((r) => r.slot >= p.slot && inv.expires_at - r.before <= now).at(-1);
    if (!due) {
      // Extended since this was queued: wait for the slot's new time.
      await scheduleNextReminder(ctx, trx, { ...chain, afterSlot: p.slot - 1 });
      return false;
    }
    let sent = false;
    if (inv.reminders_sent < due.slot) {
      sent = await updateInvitation(
        trx,
        inv.org_id,
        inv.id,
        { reminders_sent: due.slot, updated_at: now },
        { fromStatuses: [inv.status], tokenHash },
      );
      if (sent) {
        const mail = reminderEmail({
          candidateName: inv.candidate_name,
          orgName: (await findOrganizationName(trx, inv.org_id)) ?? 'Your recruiter',
          assessmentName: assessment.name,
          url: invitationUrl(ctx, ctx.sealer.open(p.sealedToken)),
          expiresAt: inv.expires_at,
        });
        await queueEmail(ctx, trx, {
          orgId: inv.org_id,
          kind: 'candidate-reminder',
          to: inv.candidate_email,
          ...mail,
        });
      }
    }
    await scheduleNextReminder(ctx, trx, { ...chain, afterSlot: due.slot });
    return sent;
  });
}

export async function expireDueInvitations(ctx: Ctx): Promise<number> {
  return expireInvitations(ctx.db, ctx.clock.now());
}

// ---------------------------------------------------------------------------------------------
// The candidate's link: landing (no side effects) and opened (recorded once)

export type LinkedInvitation = {
  invitation: InvitationRow;
  candidate: CandidateRow;
  assessment: AssessmentRow;
};

const HASH_RE = /^[0-9a-f]{64}$/;

/**
 * The invitation a link token (or its SHA-256 hex) opens, with its candidate and assessment, or
 * undefined. Expired and revoked invitations are returned too: callers decide what they allow.
 */
export async function findLiveInvitationByToken(
  db: DbOrTrx,
  tokenOrHash: string,
): Promise<LinkedInvitation | undefined> {
  const hash = HASH_RE.test(tokenOrHash) ? tokenOrHash : hashToken(tokenOrHash);
  const invitation = await findInvitationByTokenHash(db, hash);
  if (!invitation) return undefined;
  const [candidate, assessment] = await Promise.all([
    findCandidate(db, invitation.org_id, invitation.candidate_id),
    findAssessmentOfOrg(db, invitation.org_id, invitation.assessment_id),
  ]);
  if (!candidate || !assessment) return undefined;
  return { invitation, candidate, assessment };
}

export type LandingState = 'ready' | 'in_progress' | 'completed' | 'closed';

/** What a link shows; undefined (a 404) for revoked links and for expired ones not yet started. */
export function landingStateOf(linked: LinkedInvitation, now: number): LandingState | undefined {
  const { invitation: inv, assessment } = linked;
  if (inv.status === 'revoked') return undefined;
  if (inv.status === 'completed') return 'completed';
  if (inv.status === 'started') return 'in_progress';
  if (effectiveStatus(inv, now) === 'expired') return undefined;
  return assessment.state === 'open' ? 'ready' : 'closed';
}

export const privacyNotice = (orgName: string) =>
  `${orgName} uses Assay to run this assessment. We record your answers, the files you upload, the times you start and submit, and the integrity signals listed here, and share them only with ${orgName}'s hiring team. Your results are used to evaluate your application. To ask for a copy of your data or its deletion, contact ${orgName}.`;

export async function describeLanding(ctx: Ctx, token: string) {
  const linked = await findLiveInvitationByToken(ctx.db, token);
  const state = linked ? landingStateOf(linked, ctx.clock.now()) : undefined;
  if (!linked || !state) throw notFound('Invitation');
  const { invitation: inv, assessment, candidate } = linked;
  const settings = parseSettings(assessment.settings);
  const orgName = (await findOrganizationName(ctx.db, assessment.org_id)) ?? '';
  return {
    organizationName: orgName,
    assessmentName: assessment.name,
    intro: settings.intro,
    candidateName: candidate.name,
    sections: parseSections(assessment.sections).map((s) => ({
      title: s.title,
      kind: s.kind,
      minutes: Math.ceil(s.minutes * inv.extra_time),
      questionCount: s.kind === 'quiz' ? s.questionCount : null,
    })),
    extraTime: inv.extra_time,
    integritySignals: settings.integritySignals,
    privacyNotice: privacyNotice(orgName),
    accommodationsContact: settings.accommodationsContact,
    expiresAt: toIso(inv.expires_at),
    state,
  };
}

/** Records that the candidate opened their link: the first time only, with its event. */
export async function recordInvitationOpened(ctx: Ctx, token: string): Promise<void> {
  const linked = await findLiveInvitationByToken(ctx.db, token);
  const now = ctx.clock.now();
  if (!linked || !landingStateOf(linked, now)) throw notFound('Invitation');
  const inv = linked.invitation;
  if (inv.opened_at !== null) return;
  await ctx.db.transaction().execute(async (trx) => {
    const status: InvitationStatus = inv.status === 'invited' ? 'opened' : inv.status;
    const changed = await updateInvitation(
      trx,
      inv.org_id,
      inv.id,
      { opened_at: now, status, updated_at: now },
      { fromStatuses: [inv.status], openedAtNull: true },
    );
    if (!changed) return;
    await recordEvent(ctx, trx, {
      orgId: inv.org_id,
      type: 'invitation.opened',
      subjectId: inv.id,
      data: eventData(inv, status),
    });
  });
}

// ---------------------------------------------------------------------------------------------
// For the attempts module

/** Where a candidate's messages go; undefined for an erased candidate or another organization's id. */
export async function findCandidateContact(db: DbOrTrx, orgId: string, candidateId: string) {
  const c = await findCandidate(db, orgId, candidateId);
  if (!c || c.erased_at !== null) return undefined;
  return { email: c.email, name: c.name };
}

/** The candidate started: reminders stop. Returns false if the invitation was not waiting to start. */
export async function markInvitationStarted(ctx: Pick<Ctx, 'clock'>, trx: DbOrTrx, invitationId: string) {
  const now = ctx.clock.now();
  return setInvitationStatus(trx, invitationId, ['invited', 'opened'], {
    status: 'started',
    started_at: now,
    updated_at: now,
  });
}

/** The candidate's attempt is over (submitted or closed). Returns false if it already was, or was revoked. */
export async function markInvitationCompleted(ctx: Pick<Ctx, 'clock'>, trx: DbOrTrx, invitationId: string) {
  const now = ctx.clock.now();
  return setInvitationStatus(trx, invitationId, ['invited', 'opened', 'started'], {
    status: 'completed',
    completed_at: now,
    updated_at: now,
  });
}
