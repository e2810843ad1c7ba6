// Grading: marks per item, scores per section and per subtopic, and the weighted overall score.
// Pure and O(questions); the job that runs it (attempts.jobs.ts) loads the plan, the answers and the
// question versions in a few queries and stores the result in one conditional transaction.
import type { Ctx } from '../../context.js';
import type { Trx } from '../../db/database.js';
import { recordEvent } from '../../events/events.js';
import { gradeChoice } from '../bank/bank.model.js';
import type { QuestionVersionContent } from '../bank/bank.service.js';
import { loadQuestionVersions } from '../bank/question-cache.js';
import type { AttemptPlan, PlanSection } from './attempt.model.js';
import { parsePlan } from './attempt.model.js';
import { queueAttemptEmail } from './attempts.emails.js';
import { getAttemptContext } from './attempts.ports.js';
import { findAttempt, listAnswers, transitionAttempt } from './attempts.repository.js';

export type AttemptScores = {
  /** Mark of each quiz item in [0, 1], by item key. */
  byItem: Record<string, number>;
  /** Score of each section in [0, 1]; null for an upload section until its review is done. */
  bySection: Record<string, number | null>;
  /** Mean mark of the items of each subtopic. */
  bySubtopic: Record<string, number>;
};

export type GradeResult = {
  scores: AttemptScores;
  /** Overall score; preliminary (quiz sections only) when uploads await review, null if none. */
  score: number | null;
  needsReview: boolean;
};

/**
 * Overall = Σ weight × section score over the sections that have a score, divided by the weights
 * counted, so a preliminary score from quiz sections is on the same 0–1 scale as the final one.
 */
export function combineSectionScores(
  sections: ReadonlyArray<Pick<PlanSection, 'key' | 'weight' | 'minutes'>>,
  bySection: Readonly<Record<string, number | null>>,
): number | null {
  let sum = 0;
  let weights = 0;
  const allZero = sections.every((s) => !(s.weight > 0));
  for (const s of sections) {
    const v = bySection[s.key];
    if (v === null || v === undefined) continue;
    // Weights are resolved when the plan is built; should they all be zero, time limits decide.
    const w = allZero ? s.minutes : s.weight;
    sum += w * v;
    weights += w;
  }
  return weights > 0 ? sum / weights : null;
}

export function gradeAttempt(
  plan: Pick<AttemptPlan, 'sections'>,
  answers: ReadonlyMap<string, readonly string[]>,
  versions: ReadonlyMap<string, Pick<QuestionVersionContent, 'kind' | 'correct'>>,
): GradeResult {
  const byItem: Record<string, number> = {};
  const bySection: Record<string, number | null> = {};
  const subtopicSum = new Map<string, { sum: number; n: number }>();
  let needsReview = false;
  for (const section of plan.sections) {
    if (section.kind === 'upload') {
      bySection[section.key] = null;
      needsReview = true;
      continue;
    }
    let sum = 0;
    for (const item of section.items) {
      const v = versions.get(item.questionVersionId);
      if (!v) throw new Error(`question version ${item.questionVersionId} is missing`);
      const mark = gradeChoice(item.kind, v.correct, answers.get(item.key) ?? []);
      byItem[item.key] = mark;
      sum += mark;
      const acc = subtopicSum.get(item.subtopic) ?? { sum: 0, n: 0 };
      acc.sum += mark;
      acc.n++;
      subtopicSum.set(item.subtopic, acc);
    }
    bySection[section.key] = section.items.length ? sum / section.items.length : 0;
  }
  const bySubtopic = Object.fromEntries([...subtopicSum].map(([k, v]) => [k, v.sum / v.n]));
  return {
    scores: { byItem, bySection, bySubtopic },
    score: combineSectionScores(plan.sections, bySection),
    needsReview,
  };
}

/**
 * Grades a submitted attempt, once: the status change is conditional, and only the caller that made
 * it records the event, queues the email and the percentile refresh. (The invitation was completed
 * when the attempt was submitted.)
 * Returns false when the attempt was not waiting to be graded (already graded, or unknown).
 */
export async function gradeSubmittedAttempt(
  ctx: Ctx,
  orgId: string,
  attemptId: string,
  onGraded: (trx: Trx, a: { orgId: string; assessmentId: string }) => Promise<void>,
): Promise<boolean> {
  const attempt = await findAttempt(ctx.db, orgId, attemptId);
  if (attempt?.status !== 'submitted') return false;
  const plan = parsePlan(attempt.plan);
  const answerRows = await listAnswers(ctx.db, attempt.id);
  const answers = new Map(answerRows.map((r) => [r.item_key, JSON.parse(r.choice) as string[]]));
  const versionIds = plan.sections.flatMap((s) =>
    s.kind === 'quiz' ? s.items.map((i) => i.questionVersionId) : [],
  );
  const versions = await loadQuestionVersions(ctx.db, versionIds);
  const result = gradeAttempt(plan, answers, versions);
  const now = ctx.clock.now();
  const status = result.needsReview ? 'awaiting_review' : 'graded';
  const context = await getAttemptContext(ctx.db, attempt.org_id, attempt.assessment_id, now);
  return ctx.db.transaction().execute(async (trx) => {
    const changed = await transitionAttempt(trx, attempt.org_id, attempt.id, 'submitted', {
      status,
      score: result.score,
      scores: JSON.stringify(result.scores),
      graded_at: result.needsReview ? null : now,
      updated_at: now,
    });
    if (!changed) return false;
    if (attempt.is_preview) return true;
    if (status === 'graded') {
      await recordEvent(ctx, trx, {
        orgId: attempt.org_id,
        type: 'attempt.graded',
        subjectId: attempt.id,
        data: {
          attemptId: attempt.id,
          assessmentId: attempt.assessment_id,
          candidateId: attempt.candidate_id,
          score: result.score,
          status,
        },
      });
      if (attempt.candidate_id) {
        await queueAttemptEmail(ctx, trx, {
          kind: context.settings.feedbackPolicy === 'none' ? 'thanks' : 'result',
          orgId: attempt.org_id,
          candidateId: attempt.candidate_id,
          context,
          score: result.score,
          bySubtopic: result.scores.bySubtopic,
        });
      }
      await onGraded(trx, { orgId: attempt.org_id, assessmentId: attempt.assessment_id });
    }
    return true;
  });
}
