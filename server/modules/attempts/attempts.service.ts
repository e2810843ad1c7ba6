// Attempts: a candidate's sitting of an assessment. This module owns starting (the frozen draw and the
// server-side deadlines), autosave, section and final submits, the session that may write, the
// candidate's view and result, and closing what the candidate walked away from.
import type { Ctx } from '../../context.js';
import { randomToken } from '../../crypto.js';
import type { DbOrTrx, Trx } from '../../db/database.js';
import { AppError, conflict, invalid, notFound } from '../../errors.js';
import { recordEvent } from '../../events/events.js';
import type { CandidateActor, RequestMeta, StaffActor } from '../../http/access.js';
import { toIso, toIsoOrNull } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { authorize } from '../accounts/accounts.service.js';
import { recordAudit } from '../audit/audit.service.js';
import { getUploadTaskVersion } from '../bank/bank.service.js';
import { loadQuestionVersions } from '../bank/question-cache.js';
import {
  type AttemptPlan,
  type PlanSection,
  type PlanUploadSection,
  parsePlan,
  sectionLimitMs,
} from './attempt.model.js';
import { queueAttemptEmail, subtopicLabel } from './attempts.emails.js';
import { gradeAttemptJob } from './attempts.jobs.js';
import {
  buildAttemptPlan,
  findAssessmentRow,
  findLiveInvitationByToken,
  getAttemptContext,
  markInvitationCompleted,
  markInvitationStarted,
} from './attempts.ports.js';
import {
  type AnswerWrite,
  findAnswerSeqs,
  findAttempt,
  findAttemptByInvitation,
  insertAttempt,
  listActiveUploads,
  listAllUploads,
  listAnswers,
  listCloseOverdue,
  listIntegrityEvents,
  listSectionOverdue,
  lockAttempt,
  lockAttemptForWrite,
  raiseFurthestItem,
  transitionAttempt,
  updateAttempt,
  upsertAnswer,
  upsertAnswerIfOpen,
} from './attempts.repository.js';
import type { AttemptState } from './attempts.schemas.js';
import type { AttemptRow } from './attempts.table.js';
import { createCandidateSession } from './candidate-sessions.service.js';
import {
  type ClientSignalType,
  enabledClientSignals,
  insertIntegrityEvent,
  MAJOR_THRESHOLDS,
  refreshIntegrityTier,
  signalOf,
} from './integrity.js';

const DAY_MS = 24 * 3600_000;

// ---------------------------------------------------------------------------------------------
// The plan's sections never change after start, so their index is cached per attempt: the autosave
// hot path then needs no read of the plan at all.

export type ItemRef = {
  sectionIndex: number;
  itemIndex: number;
  allowBack: boolean;
  single: boolean;
  /** The item's option ids, joined by OPTION_SEPARATOR: one string instead of an array of them. */
  options: string;
};
export type PlanIndex = {
  /** Upload sections in full; a quiz section is known through its items. */
  sections: Array<PlanUploadSection | { kind: 'quiz' }>;
  items: Map<string, ItemRef>;
  sectionByKey: Map<string, number>;
};

// Compact on purpose: thousands of candidates in an exam keep thousands of these in memory, and a
// whole parsed plan is about 14 KB where this is a few.
const planIndexCache = new Map<string, PlanIndex>();
const PLAN_CACHE_MAX = 5000;
const OPTION_SEPARATOR = '\u0001';

export function indexPlan(plan: Pick<AttemptPlan, 'sections'>): PlanIndex {
  const items = new Map<string, ItemRef>();
  const sectionByKey = new Map<string, number>();
  const sections = plan.sections.map((section, sectionIndex) => {
    sectionByKey.set(section.key, sectionIndex);
    if (section.kind !== 'quiz') return section;
    section.items.forEach((item, itemIndex) => {
      items.set(item.key, {
        sectionIndex,
        itemIndex,
        allowBack: section.allowBack,
        single: item.kind === 'single',
        options: item.optionOrder.join(OPTION_SEPARATOR),
      });
    });
    return { kind: 'quiz' as const };
  });
  return { sections, items, sectionByKey };
}

function rememberPlan(attemptId: string, plan: Pick<AttemptPlan, 'sections'>): PlanIndex {
  const idx = indexPlan(plan);
  if (planIndexCache.size >= PLAN_CACHE_MAX)
    planIndexCache.delete(planIndexCache.keys().next().value as string);
  planIndexCache.set(attemptId, idx);
  return idx;
}

export async function loadPlanIndex(db: DbOrTrx, orgId: string, attemptId: string): Promise<PlanIndex> {
  const hit = planIndexCache.get(attemptId);
  if (hit) return hit;
  const row = await db
    .selectFrom('attempts')
    .select('plan')
    .where('org_id', '=', orgId)
    .where('id', '=', attemptId)
    .executeTakeFirst();
  if (!row) throw notFound('Attempt');
  return rememberPlan(attemptId, parsePlan(row.plan));
}

// ---------------------------------------------------------------------------------------------
// Starting

export type StartedSession = { attemptId: string; token: string; expiresAt: number };

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === '23505' || /UNIQUE constraint failed/i.test(e?.message ?? '');
}

function emptyTimes(sections: PlanSection[]) {
  return sections.map(() => ({ startedAt: null, deadlineAt: null, submittedAt: null }));
}

/**
 * When the whole attempt closes: the sum of the section limits plus a day for breaks between
 * sections, cut at the invitation's expiry, but never before the candidate has had their full time
 * (someone who starts just before the link expires still gets every minute).
 */
export function closeTimeFor(
  now: number,
  sections: PlanSection[],
  extraTime: number,
  expiresAt: number | null,
) {
  const total = sections.reduce((s, x) => s + sectionLimitMs(x, extraTime), 0);
  const window = now + total + DAY_MS;
  return Math.max(now + total, expiresAt === null ? window : Math.min(expiresAt, window));
}

/**
 * POST /take/start: exchanges the link token for a candidate session. The first start creates the
 * attempt in one transaction (frozen plan, first section running, invitation started, event); a later
 * start with the same link continues the same attempt in a new session (another device), never
 * resetting any time.
 */
export async function startAttempt(ctx: Ctx, token: string, meta: RequestMeta): Promise<StartedSession> {
  const now = ctx.clock.now();
  const inv = await findLiveInvitationByToken(ctx.db, token, now);
  if (!inv) throw notFound('Invitation');
  const existing = await findAttemptByInvitation(ctx.db, inv.orgId, inv.id);
  if (existing) return continueAttempt(ctx, existing, meta);

  const assessment = inv.assessment;
  if (inv.state !== 'ready' || assessment.state !== 'open') {
    throw conflict('This assessment is not open for candidates');
  }
  const seed = randomToken(16);
  // The draw only reads the bank: it runs before the transaction, which then holds only the writes.
  const built = await buildAttemptPlan(ctx.db, assessment, { seed });
  if (!built.sections.length) throw conflict('This assessment has no sections');
  const plan: AttemptPlan = {
    assessmentRevision: assessment.revision,
    seed,
    sections: built.sections,
    times: emptyTimes(built.sections),
  };
  const closeAt = closeTimeFor(now, plan.sections, inv.extraTime, inv.expiresAt);
  const deadline = startSectionTimes(plan, 0, now, closeAt, inv.extraTime);
  const attemptId = newId(now);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      await insertAttempt(trx, {
        id: attemptId,
        org_id: inv.orgId,
        assessment_id: inv.assessmentId,
        invitation_id: inv.id,
        candidate_id: inv.candidateId,
        is_preview: 0,
        is_demo: inv.isDemo || assessment.is_demo ? 1 : 0,
        status: 'in_progress',
        plan: JSON.stringify(plan),
        current_section: 0,
        furthest_item: 0,
        section_deadline_at: deadline,
        close_at: closeAt,
        session_id: null,
        extra_time: inv.extraTime,
        started_at: now,
        integrity_tier: 'none',
        updated_at: now,
      });
      const session = await createCandidateSession(ctx, trx, attemptId, closeAt, meta);
      await updateAttempt(trx, inv.orgId, attemptId, { session_id: session.id });
      await markInvitationStarted(ctx, trx, inv.id);
      await recordEvent(ctx, trx, {
        orgId: inv.orgId,
        type: 'attempt.started',
        subjectId: attemptId,
        data: {
          attemptId,
          assessmentId: inv.assessmentId,
          candidateId: inv.candidateId,
          invitationId: inv.id,
        },
      });
      return { attemptId, token: session.token, expiresAt: session.expiresAt };
    });
  } catch (err) {
    // Two starts raced (double click, two devices): the other one created the attempt; continue it.
    if (!isUniqueViolation(err)) throw err;
    const winner = await findAttemptByInvitation(ctx.db, inv.orgId, inv.id);
    if (!winner) throw err;
    return continueAttempt(ctx, winner, meta);
  }
}

async function continueAttempt(ctx: Ctx, attempt: AttemptRow, meta: RequestMeta): Promise<StartedSession> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const a = await lockAttempt(trx, attempt.org_id, attempt.id, now);
    if (!a) throw notFound('Invitation');
    const session = await createCandidateSession(ctx, trx, a.id, Math.max(a.close_at, now), meta);
    if (a.status === 'in_progress') {
      await updateAttempt(trx, a.org_id, a.id, { session_id: session.id });
      if (a.session_id && a.session_id !== session.id) {
        await noteSecondSession(ctx, trx, a, meta, 'link-reopened');
      }
    }
    return { attemptId: a.id, token: session.token, expiresAt: session.expiresAt };
  });
}

async function noteSecondSession(
  ctx: Ctx,
  trx: Trx,
  a: AttemptRow,
  meta: RequestMeta,
  via: 'link-reopened' | 'claim',
): Promise<void> {
  // Always recorded (who held the attempt is a security fact); it counts toward the tier only
  // when the assessment enables the signal.
  await insertIntegrityEvent(trx, {
    orgId: a.org_id,
    attemptId: a.id,
    type: 'second-session',
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { via },
    at: ctx.clock.now(),
  });
  const { settings } = await getAttemptContext(trx, a.org_id, a.assessment_id, ctx.clock.now());
  await refreshIntegrityTier(trx, a.org_id, a.id, settings.integritySignals);
}

/** POST /assessments/{id}/preview: a staff member takes the assessment as a candidate would. */
export async function startPreview(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  meta: RequestMeta,
): Promise<StartedSession> {
  authorize(actor, 'assessments.read');
  const assessment = await findAssessmentRow(ctx.db, actor.orgId, assessmentId);
  if (!assessment) throw notFound('Assessment');
  const now = ctx.clock.now();
  const seed = randomToken(16);
  const built = await buildAttemptPlan(ctx.db, assessment, { seed });
  if (!built.sections.length) throw conflict('This assessment has no sections yet');
  const plan: AttemptPlan = {
    assessmentRevision: assessment.revision,
    seed,
    sections: built.sections,
    times: emptyTimes(built.sections),
  };
  const closeAt = closeTimeFor(now, plan.sections, 1, null);
  const deadline = startSectionTimes(plan, 0, now, closeAt, 1);
  const attemptId = newId(now);
  return ctx.db.transaction().execute(async (trx) => {
    await insertAttempt(trx, {
      id: attemptId,
      org_id: actor.orgId,
      assessment_id: assessment.id,
      invitation_id: null,
      candidate_id: null,
      is_preview: 1,
      is_demo: 0,
      status: 'in_progress',
      plan: JSON.stringify(plan),
      current_section: 0,
      furthest_item: 0,
      section_deadline_at: deadline,
      close_at: closeAt,
      session_id: null,
      extra_time: 1,
      started_at: now,
      integrity_tier: 'none',
      updated_at: now,
    });
    const session = await createCandidateSession(ctx, trx, attemptId, closeAt, meta);
    await updateAttempt(trx, actor.orgId, attemptId, { session_id: session.id });
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'assessment.previewed',
      targetType: 'assessment',
      targetId: assessment.id,
      details: { attemptId },
      meta,
    });
    return { attemptId, token: session.token, expiresAt: session.expiresAt };
  });
}

// ---------------------------------------------------------------------------------------------
// Section timing

/** Starts section i in the plan's times; returns its deadline (never past the attempt's close). */
function startSectionTimes(
  plan: AttemptPlan,
  i: number,
  now: number,
  closeAt: number,
  extraTime: number,
): number {
  const section = plan.sections[i];
  if (!section) throw new Error(`no section ${i}`);
  const deadlineAt = Math.min(now + sectionLimitMs(section, extraTime), closeAt);
  plan.times[i] = { startedAt: now, deadlineAt, submittedAt: null };
  return deadlineAt;
}

/**
 * Ends section `si` (the current one). The next section starts at once when the candidate asked for
 * it (`startNext`); when time ran out, it waits for the candidate to come back and start it. After
 * the last section the attempt is submitted.
 */
async function finishSection(
  ctx: Ctx,
  trx: Trx,
  a: AttemptRow,
  plan: AttemptPlan,
  si: number,
  now: number,
  startNext: boolean,
): Promise<void> {
  const t = plan.times[si];
  if (t && t.submittedAt === null) plan.times[si] = { ...t, submittedAt: now };
  const next = si + 1;
  if (next >= plan.sections.length || now >= a.close_at) {
    await submitInTransaction(ctx, trx, a, plan, now);
    return;
  }
  const deadline = startNext ? startSectionTimes(plan, next, now, a.close_at, a.extra_time) : null;
  await updateAttempt(trx, a.org_id, a.id, {
    plan: JSON.stringify(plan),
    current_section: next,
    section_deadline_at: deadline,
    furthest_item: 0,
    updated_at: now,
  });
}

/**
 * The one transition to `submitted`: a conditional UPDATE, and only the caller whose UPDATE changed
 * the row records the event, enqueues grading (with a dedupe key as a second guard) and, when uploads
 * wait for review, queues the receipt. Returns whether this call submitted.
 */
async function submitInTransaction(ctx: Ctx, trx: Trx, a: AttemptRow, plan: AttemptPlan, now: number) {
  const cur = plan.times[a.current_section];
  if (cur?.startedAt !== null && cur?.startedAt !== undefined && cur.submittedAt === null) {
    plan.times[a.current_section] = { ...cur, submittedAt: now };
  }
  const changed = await transitionAttempt(trx, a.org_id, a.id, 'in_progress', {
    status: 'submitted',
    submitted_at: now,
    section_deadline_at: null,
    plan: JSON.stringify(plan),
    updated_at: now,
  });
  if (!changed) return false;
  await ctx.jobs.enqueue(
    trx,
    gradeAttemptJob,
    { orgId: a.org_id, attemptId: a.id },
    { key: `attempts.grade:${a.id}` },
  );
  if (a.is_preview) return true;
  if (a.invitation_id) await markInvitationCompleted(ctx, trx, a.invitation_id);
  await recordEvent(ctx, trx, {
    orgId: a.org_id,
    type: 'attempt.submitted',
    subjectId: a.id,
    data: { attemptId: a.id, assessmentId: a.assessment_id, candidateId: a.candidate_id },
  });
  if (a.candidate_id && plan.sections.some((s) => s.kind === 'upload')) {
    const files = await listActiveUploads(trx, a.org_id, a.id);
    await queueAttemptEmail(ctx, trx, {
      kind: 'receipt',
      orgId: a.org_id,
      candidateId: a.candidate_id,
      context: await getAttemptContext(trx, a.org_id, a.assessment_id, now),
      files: files.map((f) => ({ name: f.display_name, size: f.size, sha256: f.sha256 })),
    });
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Write checks

type WriteTarget = { sectionIndex: number; itemIndex?: number };

/** Why a write to the attempt is refused, or nothing when it may go ahead. */
type WriteState = Pick<
  AttemptRow,
  'status' | 'session_id' | 'close_at' | 'current_section' | 'section_deadline_at' | 'furthest_item'
>;

export function writeRefusal(
  a: WriteState | undefined,
  actor: CandidateActor,
  target: WriteTarget,
  now: number,
  graceMs: number,
): AppError | undefined {
  if (!a) return notFound('Attempt');
  if (a.status !== 'in_progress') return new AppError('ATTEMPT_CLOSED', 'This attempt has been submitted');
  if (a.session_id !== actor.sessionId) {
    return new AppError(
      'SESSION_MOVED',
      'This attempt continued in another browser or device; take it back here to keep working',
    );
  }
  if (now > a.close_at + graceMs) return new AppError('ATTEMPT_CLOSED', 'The time for this attempt is over');
  if (target.sectionIndex < a.current_section)
    return new AppError('ATTEMPT_CLOSED', 'This section is closed');
  if (target.sectionIndex > a.current_section || a.section_deadline_at === null) {
    return conflict('This section has not started');
  }
  if (now > a.section_deadline_at + graceMs) {
    return new AppError('ATTEMPT_CLOSED', 'Time is up for this section');
  }
  if (target.itemIndex !== undefined && target.itemIndex < a.furthest_item) {
    return conflict('This section does not allow going back to earlier questions');
  }
  return undefined;
}

function checkChoice(ref: ItemRef, choice: string[], field: string): void {
  const allowed = new Set(ref.options.split(OPTION_SEPARATOR));
  const seen = new Set<string>();
  for (const c of choice) {
    if (!allowed.has(c))
      throw invalid('That option does not belong to this question', { [field]: `Unknown option ${c}` });
    if (seen.has(c)) throw invalid('An option is chosen twice', { [field]: `Option ${c} is repeated` });
    seen.add(c);
  }
  if (ref.single && choice.length > 1) {
    throw invalid('This question takes one answer', { [field]: 'Choose at most one option' });
  }
}

function itemRefOf(idx: PlanIndex, itemKey: string): ItemRef {
  const ref = idx.items.get(itemKey);
  if (!ref) throw notFound('Question');
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Autosave

export type SavedAnswer = { itemKey: string; seq: number; saved: boolean };

/**
 * PUT /take/answers/{itemKey}: one conditional upsert (the attempt check is in the same statement),
 * acknowledged only after it committed. An older or repeated sequence number changes nothing and
 * still succeeds with the stored one, so retries are harmless.
 */
export async function saveAnswer(
  ctx: Ctx,
  actor: CandidateActor,
  itemKey: string,
  input: { choice: string[]; seq: number },
): Promise<SavedAnswer> {
  const idx = await loadPlanIndex(ctx.db, actor.orgId, actor.attemptId);
  const ref = itemRefOf(idx, itemKey);
  checkChoice(ref, input.choice, 'body.choice');
  const now = ctx.clock.now();
  const graceMs = ctx.config.attemptGraceMs;
  const noBack = !ref.allowBack;
  const written = await upsertAnswerIfOpen(
    ctx.db,
    ctx.dialect,
    {
      orgId: actor.orgId,
      attemptId: actor.attemptId,
      sessionId: actor.sessionId,
      sectionIndex: ref.sectionIndex,
      notBefore: now - graceMs,
      ...(noBack ? { itemIndex: ref.itemIndex } : {}),
    },
    { itemKey, choice: input.choice, seq: input.seq },
    now,
  );
  if (written !== undefined) {
    if (noBack)
      await raiseFurthestItem(ctx.db, actor.orgId, actor.attemptId, ref.sectionIndex, ref.itemIndex);
    return { itemKey, seq: written, saved: true };
  }
  // Nothing written: find out why. Either the attempt refuses writes, or the stored save is newer.
  const a = await findAttempt(ctx.db, actor.orgId, actor.attemptId);
  const refusal = writeRefusal(
    a,
    actor,
    { sectionIndex: ref.sectionIndex, ...(noBack ? { itemIndex: ref.itemIndex } : {}) },
    now,
    graceMs,
  );
  if (refusal) throw refusal;
  const stored = (await findAnswerSeqs(ctx.db, actor.attemptId, [itemKey])).get(itemKey);
  return { itemKey, seq: stored ?? input.seq, saved: false };
}

/**
 * Writes a batch of answers inside a transaction that holds the attempt's lock; every answer must
 * belong to the current section. In a section without going back, an answer to an item the
 * candidate had already moved past (in the order of the batch's sequence numbers) is skipped.
 */
async function applyAnswers(
  trx: Trx,
  idx: PlanIndex,
  a: Pick<AttemptRow, 'id' | 'org_id' | 'furthest_item'>,
  answers: AnswerWrite[],
  now: number,
): Promise<Array<SavedAnswer & { outcome: 'saved' | 'stale' | 'locked' }>> {
  const out: Array<SavedAnswer & { outcome: 'saved' | 'stale' | 'locked' }> = [];
  let furthest = a.furthest_item;
  const ordered = [...answers].sort((x, y) => x.seq - y.seq);
  for (const ans of ordered) {
    const ref = itemRefOf(idx, ans.itemKey);
    if (!ref.allowBack && ref.itemIndex < furthest) {
      out.push({ itemKey: ans.itemKey, seq: ans.seq, saved: false, outcome: 'locked' });
      continue;
    }
    const written = await upsertAnswer(trx, a.id, ans, now);
    if (!ref.allowBack) furthest = Math.max(furthest, ref.itemIndex);
    out.push({
      itemKey: ans.itemKey,
      seq: written ?? ans.seq,
      saved: written !== undefined,
      outcome: written !== undefined ? 'saved' : 'stale',
    });
  }
  const stale = out.filter((r) => r.outcome === 'stale').map((r) => r.itemKey);
  if (stale.length) {
    const seqs = await findAnswerSeqs(trx, a.id, stale);
    for (const r of out) if (r.outcome === 'stale') r.seq = seqs.get(r.itemKey) ?? r.seq;
  }
  if (furthest > a.furthest_item) {
    await updateAttempt(trx, a.org_id, a.id, { furthest_item: furthest });
    a.furthest_item = furthest;
  }
  return out;
}

function validateBatch(idx: PlanIndex, answers: AnswerWrite[]): Set<number> {
  const sections = new Set<number>();
  answers.forEach((ans, i) => {
    const ref = itemRefOf(idx, ans.itemKey);
    checkChoice(ref, ans.choice, `body.answers.${i}.choice`);
    sections.add(ref.sectionIndex);
  });
  return sections;
}

/** PUT /take/answers: the batch form, for the offline flush. All or nothing on the attempt's state. */
export async function saveAnswers(ctx: Ctx, actor: CandidateActor, answers: AnswerWrite[]) {
  const idx = await loadPlanIndex(ctx.db, actor.orgId, actor.attemptId);
  const sections = validateBatch(idx, answers);
  if (!answers.length) return { results: [] };
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const a = await lockAttemptForWrite(trx, actor.orgId, actor.attemptId, now);
    if (!a) throw notFound('Attempt');
    for (const sectionIndex of sections) {
      const refusal = writeRefusal(a, actor, { sectionIndex }, now, ctx.config.attemptGraceMs);
      if (refusal) throw refusal;
    }
    return { results: await applyAnswers(trx, idx, a, answers, now) };
  });
}

// ---------------------------------------------------------------------------------------------
// Sections and submit

function sectionIndexOf(idx: PlanIndex, sectionKey: string): number {
  const si = idx.sectionByKey.get(sectionKey);
  if (si === undefined) throw notFound('Section');
  return si;
}

/**
 * POST /take/sections/{key}/submit: ends the current section, with its final answers, and starts the
 * next (its clock starts now) or submits the attempt after the last. Repeating it is harmless.
 */
export async function submitSection(
  ctx: Ctx,
  actor: CandidateActor,
  sectionKey: string,
  answers: AnswerWrite[] = [],
): Promise<AttemptState> {
  const idx = await loadPlanIndex(ctx.db, actor.orgId, actor.attemptId);
  const si = sectionIndexOf(idx, sectionKey);
  const sections = validateBatch(idx, answers);
  if ([...sections].some((s) => s !== si)) {
    throw invalid('Answers must belong to the section being submitted', { 'body.answers': 'Wrong section' });
  }
  const late = await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const a = await lockAttempt(trx, actor.orgId, actor.attemptId, now);
    if (!a) throw notFound('Attempt');
    // Already done (a retry, or the deadline job got there first): nothing to do.
    if (a.status !== 'in_progress' || si < a.current_section) return false;
    const refusal = writeRefusal(a, actor, { sectionIndex: si }, now, ctx.config.attemptGraceMs);
    const isLate = refusal?.code === 'ATTEMPT_CLOSED';
    if (refusal && !isLate) throw refusal;
    if (!isLate && answers.length) await applyAnswers(trx, idx, a, answers, now);
    await finishSection(ctx, trx, a, parsePlan(a.plan), si, now, !isLate);
    return isLate && answers.length > 0;
  });
  if (late)
    throw new AppError('ATTEMPT_CLOSED', 'Time was up: the section closed without these last answers');
  return getAttemptState(ctx, actor);
}

/** POST /take/sections/{key}/start: starts the next section after a break; its clock starts now. */
export async function startSection(
  ctx: Ctx,
  actor: CandidateActor,
  sectionKey: string,
): Promise<AttemptState> {
  const idx = await loadPlanIndex(ctx.db, actor.orgId, actor.attemptId);
  const si = sectionIndexOf(idx, sectionKey);
  await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const a = await lockAttempt(trx, actor.orgId, actor.attemptId, now);
    if (!a) throw notFound('Attempt');
    if (a.status !== 'in_progress') throw new AppError('ATTEMPT_CLOSED', 'This attempt has been submitted');
    if (a.session_id !== actor.sessionId) {
      throw new AppError('SESSION_MOVED', 'This attempt continued in another browser or device');
    }
    if (si < a.current_section) throw new AppError('ATTEMPT_CLOSED', 'This section is closed');
    if (si > a.current_section) throw conflict('Finish the current section first');
    if (a.section_deadline_at !== null) return; // already running
    const plan = parsePlan(a.plan);
    if (now >= a.close_at) {
      await submitInTransaction(ctx, trx, a, plan, now);
      return;
    }
    const deadline = startSectionTimes(plan, si, now, a.close_at, a.extra_time);
    await updateAttempt(trx, a.org_id, a.id, {
      plan: JSON.stringify(plan),
      section_deadline_at: deadline,
      furthest_item: 0,
      updated_at: now,
    });
  });
  return getAttemptState(ctx, actor);
}

/**
 * POST /take/submit: the final submit, idempotent. Fifty parallel calls make one status change, one
 * event, one grading job and one email, because only the UPDATE that changed the row acts.
 */
export async function submitAttempt(
  ctx: Ctx,
  actor: CandidateActor,
  answers: AnswerWrite[] = [],
): Promise<AttemptState> {
  const idx = await loadPlanIndex(ctx.db, actor.orgId, actor.attemptId);
  const sections = validateBatch(idx, answers);
  const late = await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const a = await lockAttempt(trx, actor.orgId, actor.attemptId, now);
    if (!a) throw notFound('Attempt');
    if (a.status !== 'in_progress') return false;
    if (a.session_id !== actor.sessionId) {
      throw new AppError('SESSION_MOVED', 'This attempt continued in another browser or device');
    }
    let isLate = false;
    if (answers.length) {
      for (const sectionIndex of sections) {
        const refusal = writeRefusal(a, actor, { sectionIndex }, now, ctx.config.attemptGraceMs);
        if (refusal?.code === 'ATTEMPT_CLOSED') isLate = true;
        else if (refusal) throw refusal;
      }
      if (!isLate) await applyAnswers(trx, idx, a, answers, now);
    }
    await submitInTransaction(ctx, trx, a, parsePlan(a.plan), now);
    return isLate;
  });
  if (late)
    throw new AppError('ATTEMPT_CLOSED', 'Time was up: the attempt was submitted without these last answers');
  return getAttemptState(ctx, actor);
}

/** POST /take/session/claim: this browser becomes the attempt's writer again (newest wins). */
export async function claimSession(
  ctx: Ctx,
  actor: CandidateActor,
  meta: RequestMeta,
): Promise<AttemptState> {
  await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const a = await lockAttempt(trx, actor.orgId, actor.attemptId, now);
    if (!a) throw notFound('Attempt');
    if (a.status !== 'in_progress') throw new AppError('ATTEMPT_CLOSED', 'This attempt has been submitted');
    if (a.session_id === actor.sessionId) return;
    await updateAttempt(trx, a.org_id, a.id, { session_id: actor.sessionId });
    await noteSecondSession(ctx, trx, a, meta, 'claim');
  });
  return getAttemptState(ctx, actor);
}

// ---------------------------------------------------------------------------------------------
// Overdue attempts

/**
 * Closes what ran out of time: a section whose deadline (plus grace) passed is submitted, and the
 * next one waits for the candidate; an attempt whose close time passed is submitted and graded.
 * Returns whether it changed anything.
 */
export async function closeIfOverdue(ctx: Ctx, orgId: string, attemptId: string): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const a = await lockAttempt(trx, orgId, attemptId, now);
    if (a?.status !== 'in_progress') return false;
    const graceMs = ctx.config.attemptGraceMs;
    const plan = parsePlan(a.plan);
    if (now > a.close_at + graceMs) {
      await submitInTransaction(ctx, trx, a, plan, now);
      return true;
    }
    if (a.section_deadline_at !== null && now > a.section_deadline_at + graceMs) {
      await finishSection(ctx, trx, a, plan, a.current_section, now, false);
      return true;
    }
    return false;
  });
}

const SWEEP_BATCH = 200;
const SWEEP_MAX_BATCHES = 50;

/** The recurring sweep: index-backed, in batches, each attempt in its own short transaction. */
export async function closeOverdueAttempts(ctx: Ctx): Promise<number> {
  let closed = 0;
  for (const list of [listSectionOverdue, listCloseOverdue]) {
    for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
      const before = ctx.clock.now() - ctx.config.attemptGraceMs;
      const rows = await list(ctx.db, before, SWEEP_BATCH);
      for (const r of rows) if (await closeIfOverdue(ctx, r.org_id, r.id)) closed++;
      if (rows.length < SWEEP_BATCH) break;
    }
  }
  return closed;
}

// ---------------------------------------------------------------------------------------------
// The candidate's view

function sectionState(a: AttemptRow, i: number): 'pending' | 'ready' | 'active' | 'submitted' {
  if (a.status !== 'in_progress' || i < a.current_section) return 'submitted';
  if (i > a.current_section) return 'pending';
  return a.section_deadline_at === null ? 'ready' : 'active';
}

/** GET /take/attempt: everything the candidate app shows, from the server's clock. */
export async function getAttemptState(ctx: Ctx, actor: CandidateActor): Promise<AttemptState> {
  let a = await findAttempt(ctx.db, actor.orgId, actor.attemptId);
  if (!a) throw notFound('Attempt');
  const graceMs = ctx.config.attemptGraceMs;
  // The sweep may lag a few seconds; the candidate must never see a section the clock has closed.
  if (
    a.status === 'in_progress' &&
    (ctx.clock.now() > a.close_at + graceMs ||
      (a.section_deadline_at !== null && ctx.clock.now() > a.section_deadline_at + graceMs))
  ) {
    await closeIfOverdue(ctx, actor.orgId, actor.attemptId);
    a = (await findAttempt(ctx.db, actor.orgId, actor.attemptId)) ?? a;
  }
  const now = ctx.clock.now();
  const plan = parsePlan(a.plan);
  const context = await getAttemptContext(ctx.db, a.org_id, a.assessment_id, now);
  const inProgress = a.status === 'in_progress';
  const section = inProgress ? plan.sections[a.current_section] : undefined;
  const running = inProgress && a.section_deadline_at !== null;

  let current: AttemptState['current'] = null;
  if (section && running && section.kind === 'quiz') {
    const [answers, versions] = await Promise.all([
      listAnswers(ctx.db, a.id),
      loadQuestionVersions(
        ctx.db,
        section.items.map((i) => i.questionVersionId),
      ),
    ]);
    const byKey = new Map(answers.map((r) => [r.item_key, r]));
    current = {
      kind: 'quiz',
      key: section.key,
      allowBack: section.allowBack,
      furthestItem: a.furthest_item,
      items: section.items.map((item) => {
        const v = versions.get(item.questionVersionId);
        if (!v) throw new Error(`question version ${item.questionVersionId} is missing`);
        const text = new Map(v.options.map((o) => [o.id, o.text]));
        const saved = byKey.get(item.key);
        return {
          key: item.key,
          stem: v.stem,
          kind: item.kind,
          options: item.optionOrder.map((id) => ({ id, text: text.get(id) ?? '' })),
          answer: saved ? (JSON.parse(saved.choice) as string[]) : [],
          seq: saved?.client_seq ?? 0,
        };
      }),
    };
  } else if (section && running && section.kind === 'upload') {
    const [task, files] = await Promise.all([
      getUploadTaskVersion(ctx.db, a.org_id, section.taskVersionId),
      listActiveUploads(ctx.db, a.org_id, a.id),
    ]);
    current = {
      kind: 'upload',
      key: section.key,
      prompt: task.prompt,
      accept: section.accept,
      maxSizeMb: section.maxSizeMb,
      maxFiles: section.maxFiles,
      allowZip: section.allowZip,
      files: files
        .filter((f) => f.section_key === section.key)
        .map((f) => ({
          id: f.id,
          name: f.display_name,
          size: f.size,
          sha256: f.sha256,
          createdAt: toIso(f.created_at),
        })),
    };
  }

  return {
    organization: { name: context.organizationName },
    assessment: { name: context.assessmentName, intro: context.settings.intro },
    status: a.status,
    preview: a.is_preview === 1,
    phase: !inProgress ? 'finished' : running ? 'section' : 'between-sections',
    serverTime: toIso(now),
    sections: plan.sections.map((s, i) => ({
      key: s.key,
      title: s.title,
      kind: s.kind,
      minutes: s.minutes,
      timeLimitMs: sectionLimitMs(s, a.extra_time),
      itemCount: s.kind === 'quiz' ? s.items.length : null,
      state: sectionState(a, i),
    })),
    currentSectionIndex: inProgress ? a.current_section : null,
    deadlineAt: running ? toIsoOrNull(a.section_deadline_at) : null,
    remainingMs: running && a.section_deadline_at !== null ? Math.max(0, a.section_deadline_at - now) : null,
    graceMs,
    writer: a.session_id === actor.sessionId,
    integritySignals: enabledClientSignals(context.settings.integritySignals),
    current,
  };
}

/** GET /take/result: what the feedback policy lets the candidate see; never keys or explanations. */
export async function getResult(ctx: Ctx, actor: CandidateActor) {
  const a = await findAttempt(ctx.db, actor.orgId, actor.attemptId);
  if (!a) throw notFound('Attempt');
  if (a.status === 'in_progress' || a.status === 'submitted') return { status: a.status };
  if (a.status === 'awaiting_review') {
    const files = await listActiveUploads(ctx.db, a.org_id, a.id);
    return {
      status: a.status,
      receipt: {
        submittedAt: toIso(a.submitted_at ?? a.updated_at),
        files: files.map((f) => ({ name: f.display_name, size: f.size, sha256: f.sha256 })),
      },
    };
  }
  const { settings } = await getAttemptContext(ctx.db, a.org_id, a.assessment_id, ctx.clock.now());
  if (settings.feedbackPolicy === 'none' || a.score === null) return { status: a.status };
  if (settings.feedbackPolicy === 'overall') return { status: a.status, score: a.score };
  const scores = a.scores ? (JSON.parse(a.scores) as { bySubtopic?: Record<string, number> }) : {};
  return {
    status: a.status,
    score: a.score,
    bySubtopic: Object.entries(scores.bySubtopic ?? {}).map(([subtopic, score]) => ({
      subtopic,
      label: subtopicLabel(subtopic),
      score,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Integrity signals from the browser

/** POST /take/integrity: cheap; ignored when the signal is off or the attempt is over. */
export async function recordClientSignal(
  ctx: Ctx,
  actor: CandidateActor,
  input: { type: ClientSignalType; details?: Record<string, string | number | boolean | null> },
  meta: RequestMeta,
): Promise<{ recorded: boolean }> {
  const a = await ctx.db
    .selectFrom('attempts')
    .select(['status', 'assessment_id', 'integrity_tier'])
    .where('org_id', '=', actor.orgId)
    .where('id', '=', actor.attemptId)
    .executeTakeFirst();
  if (a?.status !== 'in_progress') return { recorded: false };
  const now = ctx.clock.now();
  const { settings } = await getAttemptContext(ctx.db, actor.orgId, a.assessment_id, now);
  if (!settings.integritySignals.includes(signalOf[input.type])) return { recorded: false };
  await insertIntegrityEvent(ctx.db, {
    orgId: actor.orgId,
    attemptId: actor.attemptId,
    type: input.type,
    ip: meta.ip,
    userAgent: meta.userAgent,
    ...(input.details ? { details: input.details } : {}),
    at: now,
  });
  if (a.integrity_tier !== 'major' && MAJOR_THRESHOLDS[input.type]) {
    await refreshIntegrityTier(ctx.db, actor.orgId, actor.attemptId, settings.integritySignals);
  }
  return { recorded: true };
}

// ---------------------------------------------------------------------------------------------
// Staff

/** GET /attempts/{id}: the staff view with answers, keys, marks, scores and integrity events. */
export async function getAttemptForStaff(ctx: Ctx, actor: StaffActor, attemptId: string, meta?: RequestMeta) {
  authorize(actor, 'results.read');
  const a = await findAttempt(ctx.db, actor.orgId, attemptId);
  if (!a) throw notFound('Attempt');
  // Reading a candidate's answers and results is a security-relevant access: it is audited.
  if (meta) {
    await recordAudit(ctx, ctx.db, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'attempt.viewed',
      targetType: 'attempt',
      targetId: a.id,
      meta,
    });
  }
  const plan = parsePlan(a.plan);
  const versionIds = plan.sections.flatMap((s) =>
    s.kind === 'quiz' ? s.items.map((i) => i.questionVersionId) : [],
  );
  const [answers, versions, uploads, events] = await Promise.all([
    listAnswers(ctx.db, a.id),
    loadQuestionVersions(ctx.db, versionIds),
    listAllUploads(ctx.db, a.org_id, a.id),
    listIntegrityEvents(ctx.db, a.org_id, a.id, 1000),
  ]);
  const chosen = new Map(answers.map((r) => [r.item_key, JSON.parse(r.choice) as string[]]));
  const scores = a.scores
    ? (JSON.parse(a.scores) as {
        byItem?: Record<string, number>;
        bySection?: Record<string, number | null>;
        bySubtopic?: Record<string, number>;
      })
    : {};
  return {
    id: a.id,
    assessmentId: a.assessment_id,
    invitationId: a.invitation_id,
    candidateId: a.candidate_id,
    preview: a.is_preview === 1,
    status: a.status,
    extraTime: a.extra_time,
    startedAt: toIso(a.started_at),
    submittedAt: toIsoOrNull(a.submitted_at),
    gradedAt: toIsoOrNull(a.graded_at),
    closeAt: toIso(a.close_at),
    score: a.score,
    percentile: a.percentile,
    integrityTier: a.integrity_tier,
    bySubtopic: scores.bySubtopic ?? {},
    sections: plan.sections.map((s, i) => {
      const t = plan.times[i];
      const base = {
        key: s.key,
        title: s.title,
        kind: s.kind,
        minutes: s.minutes,
        weight: s.weight,
        startedAt: toIsoOrNull(t?.startedAt ?? null),
        deadlineAt: toIsoOrNull(t?.deadlineAt ?? null),
        submittedAt: toIsoOrNull(t?.submittedAt ?? null),
        score: scores.bySection?.[s.key] ?? null,
      };
      if (s.kind === 'upload') {
        return {
          ...base,
          uploads: uploads
            .filter((u) => u.section_key === s.key)
            .map((u) => ({
              id: u.id,
              name: u.display_name,
              size: u.size,
              sha256: u.sha256,
              contentType: u.content_type,
              createdAt: toIso(u.created_at),
              removedAt: toIsoOrNull(u.removed_at),
            })),
        };
      }
      return {
        ...base,
        items: s.items.map((item) => {
          const v = versions.get(item.questionVersionId);
          const text = new Map((v?.options ?? []).map((o) => [o.id, o.text]));
          return {
            key: item.key,
            questionId: v?.questionId ?? null,
            questionVersionId: item.questionVersionId,
            subtopic: item.subtopic,
            difficulty: item.difficulty,
            kind: item.kind,
            stem: v?.stem ?? '',
            options: item.optionOrder.map((id) => ({ id, text: text.get(id) ?? '' })),
            correct: v?.correct ?? [],
            chosen: chosen.get(item.key) ?? [],
            mark: scores.byItem?.[item.key] ?? null,
          };
        }),
      };
    }),
    integrityEvents: events.map((e) => ({
      id: e.id,
      type: e.type,
      ip: e.ip,
      userAgent: e.user_agent,
      details: JSON.parse(e.details) as Record<string, unknown>,
      createdAt: toIso(e.created_at),
    })),
  };
}
