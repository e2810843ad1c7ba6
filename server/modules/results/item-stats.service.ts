// Reading item statistics (results.read): what the analytics job stored, with the questions' text.
import type { Ctx } from '../../context.js';
import { notFound } from '../../errors.js';
import type { StaffActor } from '../../http/access.js';
import { toIso } from '../../http/schemas.js';
import { authorize } from '../accounts/accounts.service.js';
import { findAssessmentOfOrg } from '../assessments/assessments.service.js';
import { getQuestionVersions } from '../bank/bank.service.js';
import type { ItemFlag } from './item-stats.js';
import { findAssessmentStats, listItemStats, listQuestionStats } from './results.repository.js';

type StatRow = {
  question_id: string;
  question_version_id: string;
  n: number;
  option_counts: string;
  facility: number | null;
  discrimination: number | null;
  flags: string;
  computed_at: number;
};

async function withQuestions(ctx: Ctx, rows: readonly StatRow[]) {
  const versions = await getQuestionVersions(
    ctx.db,
    rows.map((r) => r.question_version_id),
  );
  return rows.map((r) => {
    const v = versions.get(r.question_version_id);
    const counts = JSON.parse(r.option_counts) as Record<string, number>;
    const key = new Set(v?.correct ?? []);
    return {
      questionId: r.question_id,
      questionVersionId: r.question_version_id,
      version: v?.version ?? null,
      stem: v?.stem ?? '',
      subtopic: v?.subtopic ?? null,
      difficulty: v?.difficulty ?? null,
      kind: v?.kind ?? null,
      n: r.n,
      facility: r.facility,
      discrimination: r.discrimination,
      options: (v?.options ?? []).map((o) => ({
        id: o.id,
        text: o.text,
        correct: key.has(o.id),
        count: counts[o.id] ?? 0,
        share: r.n ? (counts[o.id] ?? 0) / r.n : 0,
      })),
      unanswered: counts[''] ?? 0,
      flags: JSON.parse(r.flags) as ItemFlag[],
      computedAt: toIso(r.computed_at),
    };
  });
}

export async function getAssessmentItemStats(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  query: { flagged?: boolean; cursor?: string; limit: number },
) {
  authorize(actor, 'results.read');
  if (!(await findAssessmentOfOrg(ctx.db, actor.orgId, assessmentId))) throw notFound('Assessment');
  const [summary, rows] = await Promise.all([
    findAssessmentStats(ctx.db, actor.orgId, assessmentId),
    listItemStats(ctx.db, { orgId: actor.orgId, assessmentId, ...query }),
  ]);
  const page = rows.slice(0, query.limit);
  return {
    summary: summary
      ? {
          attempts: summary.attempts,
          items: summary.items,
          mean: summary.mean,
          sd: summary.sd,
          alpha: summary.alpha,
          sem: summary.sem,
          computedAt: toIso(summary.computed_at),
        }
      : null,
    items: await withQuestions(ctx, page),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.question_version_id ?? null) : null,
  };
}

/** Question versions across the organization's (non-demo) assessments; `flagged` narrows the list. */
export async function listOrgItemStats(
  ctx: Ctx,
  actor: StaffActor,
  query: { flagged?: boolean; cursor?: string; limit: number },
) {
  authorize(actor, 'results.read');
  const rows = await listQuestionStats(ctx.db, { orgId: actor.orgId, ...query });
  const page = rows.slice(0, query.limit);
  return {
    items: await withQuestions(ctx, page),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.question_version_id ?? null) : null,
  };
}
