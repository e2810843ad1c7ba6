// Privacy: a candidate's data export (everything Assay holds about them, as JSON), erasure of their
// personal data on request, and the organization's retention period, enforced by a recurring job.
// Erasure keeps anonymised aggregates (scores, stages, answers, integrity tiers) so statistics still
// work, and never touches the audit log, which names candidates by id only (invariant 8).
import type { Ctx } from '../../context.js';
import type { Trx } from '../../db/database.js';
import { notFound } from '../../errors.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { toIso, toIsoOrNull } from '../../http/schemas.js';
import { authorize } from '../accounts/accounts.service.js';
import { recordAudit } from '../audit/audit.service.js';
import { scheduleBlobDeletion } from './privacy.jobs.js';

/** Deletes files reliably: a job enqueued in the caller's transaction retries until the store confirms. */
export { scheduleBlobDeletion };

import {
  anonymiseCandidate,
  anonymiseIntegrityEvents,
  anonymiseUploads,
  deleteCandidateSessionsOf,
  deleteEmailsTo,
  deleteRegistrationsOf,
  deleteStoredResponses,
  findCandidate,
  findPrivacySettings,
  listAnswersOf,
  listAttemptsOfCandidate,
  listCandidateSessionsOf,
  listCandidatesPastRetention,
  listEmailsTo,
  listEventsAbout,
  listImportReports,
  listIntegrityEventsOf,
  listInvitationsOfCandidate,
  listNotesOf,
  listRegistrationsOf,
  listRetentionPolicies,
  listReviewsOf,
  listStoredResponses,
  listUploadsOf,
  lockCandidate,
  updateImportReport,
  upsertPrivacySettings,
  wipeNotesOf,
  wipeReviewCommentsOf,
} from './privacy.repository.js';
import type { CandidateExport, ErasureResult } from './privacy.schemas.js';

const DAY_MS = 24 * 3600_000;

const parseJson = (s: string | null): Record<string, unknown> | null => {
  if (s === null) return null;
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return null;
  }
};

// ---------------------------------------------------------------------------------------------
// Settings

export async function getPrivacySettings(ctx: Ctx, actor: StaffActor) {
  authorize(actor, 'privacy.manage');
  const row = await findPrivacySettings(ctx.db, actor.orgId);
  return { retentionDays: row?.retention_days ?? null, updatedAt: toIsoOrNull(row?.updated_at ?? null) };
}

export async function updatePrivacySettings(
  ctx: Ctx,
  actor: StaffActor,
  input: { retentionDays: number | null },
  meta: RequestMeta,
) {
  authorize(actor, 'privacy.manage');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await findPrivacySettings(trx, actor.orgId);
    await upsertPrivacySettings(trx, {
      org_id: actor.orgId,
      retention_days: input.retentionDays,
      updated_by: actor.userId,
      updated_at: now,
    });
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'privacy.settings_changed',
      targetType: 'organization',
      targetId: actor.orgId,
      details: { retentionDays: { from: before?.retention_days ?? null, to: input.retentionDays } },
      meta,
    });
  });
  return getPrivacySettings(ctx, actor);
}

// ---------------------------------------------------------------------------------------------
// Export

/** GET /candidates/{id}/export: every record about the candidate, and the export is audited. */
export async function exportCandidate(
  ctx: Ctx,
  actor: StaffActor,
  candidateId: string,
  meta: RequestMeta,
): Promise<CandidateExport> {
  authorize(actor, 'privacy.manage');
  const c = await findCandidate(ctx.db, actor.orgId, candidateId);
  if (!c) throw notFound('Candidate');
  const [invitations, attempts, emails, registrations] = await Promise.all([
    listInvitationsOfCandidate(ctx.db, actor.orgId, c.id),
    listAttemptsOfCandidate(ctx.db, actor.orgId, c.id),
    listEmailsTo(ctx.db, actor.orgId, c.email),
    listRegistrationsOf(ctx.db, actor.orgId, c.email),
  ]);
  const attemptIds = attempts.map((a) => a.id);
  const invitationIds = invitations.map((i) => i.id);
  const [answers, uploads, signals, sessions, events, notes, reviews] = await Promise.all([
    listAnswersOf(ctx.db, attemptIds),
    listUploadsOf(ctx.db, actor.orgId, attemptIds),
    listIntegrityEventsOf(ctx.db, actor.orgId, attemptIds),
    listCandidateSessionsOf(ctx.db, attemptIds),
    listEventsAbout(ctx.db, actor.orgId, [c.id, ...invitationIds, ...attemptIds]),
    listNotesOf(ctx.db, actor.orgId, invitationIds),
    listReviewsOf(ctx.db, actor.orgId, attemptIds),
  ]);
  const out: CandidateExport = {
    exportedAt: toIso(ctx.clock.now()),
    candidate: {
      id: c.id,
      name: c.name,
      email: c.email,
      externalId: c.external_id,
      createdAt: toIso(c.created_at),
      updatedAt: toIso(c.updated_at),
      erasedAt: toIsoOrNull(c.erased_at),
    },
    invitations: invitations.map((i) => ({
      id: i.id,
      assessmentId: i.assessment_id,
      assessmentName: i.assessment_name,
      source: i.source,
      status: i.status,
      stage: i.stage,
      extraTime: i.extra_time,
      remindersSent: i.reminders_sent,
      createdAt: toIso(i.created_at),
      sentAt: toIsoOrNull(i.sent_at),
      openedAt: toIsoOrNull(i.opened_at),
      startedAt: toIsoOrNull(i.started_at),
      completedAt: toIsoOrNull(i.completed_at),
      revokedAt: toIsoOrNull(i.revoked_at),
      expiresAt: toIso(i.expires_at),
    })),
    registrations: registrations.map((r) => ({
      id: r.id,
      assessmentId: r.assessment_id,
      email: r.email,
      name: r.name,
      createdAt: toIso(r.created_at),
      verifiedAt: toIsoOrNull(r.verified_at),
    })),
    attempts: attempts.map((a) => {
      const plan = parseJson(a.plan) as {
        sections?: Array<{ key: string; title: string; kind: string }>;
        times?: Array<{ startedAt: number | null; deadlineAt: number | null; submittedAt: number | null }>;
      } | null;
      return {
        id: a.id,
        invitationId: a.invitation_id,
        assessmentId: a.assessment_id,
        status: a.status,
        startedAt: toIso(a.started_at),
        submittedAt: toIsoOrNull(a.submitted_at),
        gradedAt: toIsoOrNull(a.graded_at),
        score: a.score,
        scores: parseJson(a.scores),
        percentile: a.percentile,
        integrityTier: a.integrity_tier,
        sections: (plan?.sections ?? []).map((s, i) => ({
          key: s.key,
          title: s.title,
          kind: s.kind,
          startedAt: toIsoOrNull(plan?.times?.[i]?.startedAt ?? null),
          deadlineAt: toIsoOrNull(plan?.times?.[i]?.deadlineAt ?? null),
          submittedAt: toIsoOrNull(plan?.times?.[i]?.submittedAt ?? null),
        })),
        answers: answers
          .filter((x) => x.attempt_id === a.id)
          .map((x) => ({
            itemKey: x.item_key,
            choice: JSON.parse(x.choice) as string[],
            seq: x.client_seq,
            savedAt: toIso(x.updated_at),
          })),
        uploads: uploads
          .filter((u) => u.attempt_id === a.id)
          .map((u) => ({
            id: u.id,
            sectionKey: u.section_key,
            name: u.display_name,
            extension: u.extension,
            contentType: u.content_type,
            size: u.size,
            sha256: u.sha256,
            createdAt: toIso(u.created_at),
            removedAt: toIsoOrNull(u.removed_at),
          })),
        integrityEvents: signals
          .filter((e) => e.attempt_id === a.id)
          .map((e) => ({
            id: e.id,
            type: e.type,
            ip: e.ip,
            userAgent: e.user_agent,
            details: parseJson(e.details) ?? {},
            createdAt: toIso(e.created_at),
          })),
        sessions: sessions
          .filter((s) => s.attempt_id === a.id)
          .map((s) => ({
            id: s.id,
            ip: s.ip,
            userAgent: s.user_agent,
            createdAt: toIso(s.created_at),
            expiresAt: toIso(s.expires_at),
          })),
      };
    }),
    emails: emails.map((e) => ({
      id: e.id,
      kind: e.kind,
      to: e.to_address,
      subject: e.subject,
      status: e.status,
      createdAt: toIso(e.created_at),
      sentAt: toIsoOrNull(e.sent_at),
    })),
    notes: notes.map((n) => ({
      id: n.id,
      invitationId: n.invitation_id,
      kind: n.kind,
      body: n.body,
      authorUserId: n.author_user_id,
      createdAt: toIso(n.created_at),
    })),
    reviews: reviews.map((r) => ({
      id: r.id,
      attemptId: r.attempt_id,
      sectionKey: r.section_key,
      reviewerUserId: r.reviewer_user_id,
      scores: parseJson(r.scores),
      total: r.total,
      comment: r.comment,
      createdAt: toIso(r.created_at),
      updatedAt: toIso(r.updated_at),
    })),
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      data: parseJson(e.data) ?? {},
      createdAt: toIso(e.created_at),
    })),
  };
  await recordAudit(ctx, ctx.db, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: 'candidate.exported',
    targetType: 'candidate',
    targetId: c.id,
    meta,
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Erasure

export type ErasureCause =
  | { kind: 'request'; actor: StaffActor; meta: RequestMeta }
  | { kind: 'retention'; retentionDays: number };

/** POST /candidates/{id}/erase: erases the candidate's personal data, irreversibly. */
export async function eraseCandidate(
  ctx: Ctx,
  actor: StaffActor,
  candidateId: string,
  meta: RequestMeta,
): Promise<ErasureResult> {
  authorize(actor, 'privacy.manage');
  const r = await eraseCandidateData(ctx, actor.orgId, candidateId, { kind: 'request', actor, meta });
  if (!r) throw notFound('Candidate');
  return r;
}

/**
 * The erasure itself, in one transaction: the candidate row is anonymised; their registrations,
 * emails, candidate sessions and stored API responses that mention them are deleted; their uploads
 * lose their names and fingerprints and the files are deleted by a job enqueued in the same
 * transaction (so a crash can't leave a file behind); integrity signals lose addresses and browsers;
 * import reports lose their address; notes about them and reviewers' comments on their work are
 * wiped (rubric scores stay). Repeating it is harmless. Undefined for an unknown candidate.
 */
export async function eraseCandidateData(
  ctx: Ctx,
  orgId: string,
  candidateId: string,
  cause: ErasureCause,
): Promise<ErasureResult | undefined> {
  const before = await findCandidate(ctx.db, orgId, candidateId);
  if (!before) return undefined;
  const address = before.email.toLowerCase();
  // Responses stored for idempotent replays are sealed; open them outside the transaction (they are
  // few: kept 24 hours) and delete, inside it, those that mention the candidate.
  const stored = before.erased_at === null ? await listStoredResponses(ctx.db, orgId) : [];
  const mentioning = stored
    .filter((s) => {
      try {
        const plain = ctx.sealer.open(s.response_sealed ?? '');
        return plain.includes(candidateId) || plain.toLowerCase().includes(address);
      } catch {
        return false;
      }
    })
    .map((s) => s.id);
  const reports = (await listImportReports(ctx.db, orgId)).filter((r) =>
    r.report.toLowerCase().includes(address),
  );

  const now = ctx.clock.now();
  const result = await ctx.db.transaction().execute(async (trx: Trx) => {
    const c = await lockCandidate(trx, orgId, candidateId, now);
    if (!c) return undefined;
    const attempts = await listAttemptsOfCandidate(trx, orgId, c.id);
    const attemptIds = attempts.map((a) => a.id);
    const invitationIds = (await listInvitationsOfCandidate(trx, orgId, c.id)).map((i) => i.id);
    const uploads = await listUploadsOf(trx, orgId, attemptIds);
    const blobKeys = uploads.map((u) => u.blob_key);
    await anonymiseCandidate(trx, orgId, c.id, now);
    const erased = {
      uploads: await anonymiseUploads(trx, orgId, attemptIds, now),
      emails: await deleteEmailsTo(trx, orgId, address),
      registrations: await deleteRegistrationsOf(trx, orgId, address),
      sessions: await deleteCandidateSessionsOf(trx, attemptIds),
      integrityEvents: await anonymiseIntegrityEvents(trx, orgId, attemptIds),
      storedResponses: await deleteStoredResponses(trx, orgId, mentioning),
      importReports: 0,
      notes: await wipeNotesOf(trx, orgId, invitationIds),
      reviewComments: await wipeReviewCommentsOf(trx, orgId, attemptIds),
    };
    for (const r of reports) {
      const rows = JSON.parse(r.report) as Array<{ row: number; email: string; reason: string }>;
      const wiped = rows.map((x) => (x.email.toLowerCase() === address ? { ...x, email: '[erased]' } : x));
      await updateImportReport(trx, orgId, r.id, JSON.stringify(wiped));
      erased.importReports++;
    }
    await scheduleBlobDeletion(ctx, trx, blobKeys);
    await recordAudit(ctx, trx, {
      orgId,
      actorUserId: cause.kind === 'request' ? cause.actor.userId : null,
      action: 'candidate.erased',
      targetType: 'candidate',
      targetId: c.id,
      details:
        cause.kind === 'request'
          ? { reason: 'request', ...erased }
          : { reason: 'retention', retentionDays: cause.retentionDays, ...erased },
      ...(cause.kind === 'request' ? { meta: cause.meta } : {}),
    });
    return { candidateId: c.id, erasedAt: toIso(now), erased };
  });
  return result;
}

// ---------------------------------------------------------------------------------------------
// Retention

const RETENTION_BATCH = 100;
const RETENTION_MAX_PER_ORG = 5_000;

/** The recurring job: erases every candidate whose organization's retention period has run out. */
export async function enforceRetention(ctx: Ctx): Promise<number> {
  let erased = 0;
  for (const policy of await listRetentionPolicies(ctx.db)) {
    const days = policy.retention_days;
    if (days === null) continue;
    const cutoff = ctx.clock.now() - days * DAY_MS;
    let done = 0;
    while (done < RETENTION_MAX_PER_ORG) {
      const due = await listCandidatesPastRetention(ctx.db, policy.org_id, cutoff, RETENTION_BATCH);
      for (const c of due) {
        if (await eraseCandidateData(ctx, policy.org_id, c.id, { kind: 'retention', retentionDays: days }))
          erased++;
      }
      done += due.length;
      if (due.length < RETENTION_BATCH) break;
    }
  }
  return erased;
}
