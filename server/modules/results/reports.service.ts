// The candidate report (scores against the role benchmark, every item with its key and explanation,
// time per section, integrity timeline, files with their reviews, notes), the side-by-side
// comparison, and notes on invitations. Staff only (results.read).
import type { Ctx } from '../../context.js';
import { invalid, notFound } from '../../errors.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { toIso, toIsoOrNull } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { authorize } from '../accounts/accounts.service.js';
import { getAttemptForStaff } from '../attempts/attempts.service.js';
import { getQuestionVersions } from '../bank/bank.service.js';
import { listAttemptReviews } from '../reviews/reviews.service.js';
import { BENCHMARK_MIN_GRADED } from './analytics.service.js';
import { subtopicLabel } from './results.ports.js';
import {
  findAttemptWithContext,
  findBenchmark,
  findInvitationRow,
  insertNote,
  listAttemptsWithContext,
  listNotes as listNoteRows,
} from './results.repository.js';
import type { Report } from './results.schemas.js';

type StoredScores = { bySubtopic?: Record<string, number> };

const NOTES_SHOWN = 200;

function toNote(r: Awaited<ReturnType<typeof listNoteRows>>[number]) {
  return {
    id: r.id,
    kind: r.kind,
    body: r.body,
    author: r.author_user_id ? { userId: r.author_user_id, name: r.author_name } : null,
    createdAt: toIso(r.created_at),
  };
}

async function benchmarkFor(
  ctx: Ctx,
  orgId: string,
  roleTemplateId: string | null,
  demo: boolean,
): Promise<{ summary: Report['benchmark']; bySubtopic: Record<string, number | null> }> {
  if (!roleTemplateId) {
    return {
      summary: {
        roleTemplateId: null,
        gradedCount: 0,
        median: null,
        hiddenReason: 'The assessment was not built from a role template',
        computedAt: null,
      },
      bySubtopic: {},
    };
  }
  const row = await findBenchmark(ctx.db, orgId, roleTemplateId, demo ? 'demo' : 'live');
  const n = row?.graded_count ?? 0;
  if (!row || n < BENCHMARK_MIN_GRADED) {
    return {
      summary: {
        roleTemplateId,
        gradedCount: n,
        median: null,
        hiddenReason: `Shown from ${BENCHMARK_MIN_GRADED} graded candidates for this role (${n} so far)`,
        computedAt: toIsoOrNull(row?.computed_at ?? null),
      },
      bySubtopic: {},
    };
  }
  return {
    summary: {
      roleTemplateId,
      gradedCount: n,
      median: row.median_score,
      hiddenReason: null,
      computedAt: toIso(row.computed_at),
    },
    bySubtopic: JSON.parse(row.median_by_subtopic) as Record<string, number | null>,
  };
}

const span = (from: number | null | undefined, to: number | null | undefined) =>
  from !== null && from !== undefined && to !== null && to !== undefined ? Math.max(0, to - from) : null;

/** The full report of one attempt. Reading it is audited as `attempt.viewed` when `meta` is given. */
export async function getReport(ctx: Ctx, actor: StaffActor, attemptId: string, meta?: RequestMeta) {
  authorize(actor, 'results.read');
  const ctxRow = await findAttemptWithContext(ctx.db, actor.orgId, attemptId);
  if (!ctxRow) throw notFound('Attempt');
  const staff = await getAttemptForStaff(ctx, actor, attemptId, meta);
  const versionIds = staff.sections.flatMap((s) =>
    ('items' in s ? s.items : []).map((i) => i.questionVersionId),
  );
  const demo = ctxRow.is_demo === 1 || ctxRow.assessment_demo === 1;
  const [versions, reviews, bench, notes] = await Promise.all([
    getQuestionVersions(ctx.db, versionIds),
    listAttemptReviews(ctx, actor.orgId, attemptId),
    benchmarkFor(ctx, actor.orgId, ctxRow.role_template_id, demo),
    ctxRow.invitation_id ? listNoteRows(ctx.db, actor.orgId, ctxRow.invitation_id, NOTES_SHOWN) : [],
  ]);
  const reviewBySection = new Map(reviews.map((r) => [r.sectionKey, r]));
  const scores = ctxRow.scores ? (JSON.parse(ctxRow.scores) as StoredScores) : {};
  const report: Report = {
    attemptId: staff.id,
    invitationId: staff.invitationId,
    assessment: {
      id: ctxRow.assessment_id,
      name: ctxRow.assessment_name,
      roleTemplateId: ctxRow.role_template_id,
    },
    candidate:
      ctxRow.candidate_id && ctxRow.candidate_name !== null
        ? {
            id: ctxRow.candidate_id,
            name: ctxRow.candidate_name,
            email: ctxRow.candidate_email ?? '',
            externalId: ctxRow.candidate_external_id,
          }
        : null,
    demo,
    preview: staff.preview,
    status: staff.status,
    stage: ctxRow.stage,
    score: staff.score,
    percentile: staff.percentile,
    startedAt: staff.startedAt,
    submittedAt: staff.submittedAt,
    gradedAt: staff.gradedAt,
    timeTakenMs: span(ctxRow.started_at, ctxRow.submitted_at),
    subtopics: Object.entries(scores.bySubtopic ?? {}).map(([subtopic, score]) => ({
      subtopic,
      label: subtopicLabel(subtopic),
      score,
      benchmark: bench.bySubtopic[subtopic] ?? null,
    })),
    benchmark: bench.summary,
    sections: staff.sections.map((s) => {
      const base = {
        key: s.key,
        title: s.title,
        kind: s.kind,
        minutes: s.minutes,
        weight: s.weight,
        startedAt: s.startedAt,
        deadlineAt: s.deadlineAt,
        submittedAt: s.submittedAt,
        timeSpentMs: span(
          s.startedAt ? Date.parse(s.startedAt) : null,
          s.submittedAt ? Date.parse(s.submittedAt) : null,
        ),
        score: s.score,
      };
      if (s.kind === 'upload') {
        const review = reviewBySection.get(s.key);
        return {
          ...base,
          uploads: ('uploads' in s ? s.uploads : []).map((u) => ({
            ...u,
            downloadUrl: `/api/v1/attempts/${staff.id}/uploads/${u.id}/download`,
          })),
          review: review
            ? {
                reviewItemId: review.reviewItemId,
                state: review.state,
                reviewsRequired: review.reviewsRequired,
                reviewsDone: review.reviewsDone,
                score: review.score,
                disagreement: review.disagreement,
                reviews: review.reviews,
              }
            : null,
        };
      }
      return {
        ...base,
        items: ('items' in s ? s.items : []).map((item) => {
          const correct = new Set(item.correct);
          const chosen = new Set(item.chosen);
          return {
            ...item,
            options: item.options.map((o) => ({
              ...o,
              correct: correct.has(o.id),
              chosen: chosen.has(o.id),
            })),
            explanation: versions.get(item.questionVersionId)?.explanation ?? '',
          };
        }),
      };
    }),
    integrity: { tier: staff.integrityTier, events: staff.integrityEvents },
    notes: notes.map(toNote),
  };
  return report;
}

// ---------------------------------------------------------------------------------------------
// Compare

export async function compareAttempts(ctx: Ctx, actor: StaffActor, attemptIds: readonly string[]) {
  authorize(actor, 'results.read');
  if (attemptIds.length < 2 || attemptIds.length > 4)
    throw invalid('Compare 2 to 4 attempts', { 'query.attemptIds': 'Give 2 to 4 attempt ids' });
  const rows = await listAttemptsWithContext(ctx.db, actor.orgId, attemptIds);
  const byId = new Map(rows.map((r) => [r.id, r]));
  // Any id that isn't this organization's is a 404, like a missing one.
  if (attemptIds.some((id) => !byId.has(id))) throw notFound('Attempt');
  const attempts = attemptIds.map((id) => {
    const r = byId.get(id)!;
    const scores = r.scores ? (JSON.parse(r.scores) as StoredScores) : {};
    return {
      attemptId: r.id,
      invitationId: r.invitation_id,
      assessment: { id: r.assessment_id, name: r.assessment_name },
      candidate:
        r.candidate_id && r.candidate_name !== null ? { id: r.candidate_id, name: r.candidate_name } : null,
      status: r.status,
      stage: r.stage,
      score: r.score,
      percentile: r.percentile,
      bySubtopic: scores.bySubtopic ?? {},
      timeTakenMs: span(r.started_at, r.submitted_at),
      integrityTier: r.integrity_tier,
    };
  });
  const subtopics = [...new Set(attempts.flatMap((a) => Object.keys(a.bySubtopic)))].sort();
  return { subtopics: subtopics.map((id) => ({ id, label: subtopicLabel(id) })), attempts };
}

// ---------------------------------------------------------------------------------------------
// Notes

export async function listNotes(ctx: Ctx, actor: StaffActor, invitationId: string) {
  authorize(actor, 'results.read');
  if (!(await findInvitationRow(ctx.db, actor.orgId, invitationId))) throw notFound('Invitation');
  return { items: (await listNoteRows(ctx.db, actor.orgId, invitationId, NOTES_SHOWN)).map(toNote) };
}

export async function addNote(ctx: Ctx, actor: StaffActor, invitationId: string, body: string) {
  authorize(actor, 'candidates.manage');
  if (!(await findInvitationRow(ctx.db, actor.orgId, invitationId))) throw notFound('Invitation');
  const now = ctx.clock.now();
  const id = newId(now);
  await insertNote(ctx.db, {
    id,
    org_id: actor.orgId,
    invitation_id: invitationId,
    author_user_id: actor.userId,
    kind: 'note',
    body,
    created_at: now,
  });
  const notes = await listNoteRows(ctx.db, actor.orgId, invitationId, NOTES_SHOWN);
  const note = notes.find((n) => n.id === id);
  if (!note) throw notFound('Note');
  return toNote(note);
}
