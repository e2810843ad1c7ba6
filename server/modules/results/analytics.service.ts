// The heavy analytics, run by a job after grading (never on a request): an assessment's item
// statistics and quiz reliability, the organization's statistics per question version, and the
// role benchmark its reports compare against. Demo data is kept apart: a demo assessment's own
// statistics come from its demo attempts; organization totals and live benchmarks never include any.
import type { Ctx } from '../../context.js';
import { findAssessmentOfOrg } from '../assessments/assessments.service.js';
import { parsePlan } from '../attempts/attempt.model.js';
import { getQuestionVersions } from '../bank/bank.service.js';
import {
  accumulateItemSums,
  discriminationOf,
  emptySums,
  facilityOf,
  flagsFor,
  type ItemResponse,
  type ItemSums,
  median,
  mergeSums,
  testStatistics,
} from './item-stats.js';
import {
  listAnswersOf,
  listGradedScoresForRole,
  listItemSumsForVersions,
  listScoredAttemptsPage,
  replaceAssessmentStats,
  replaceQuestionStats,
  upsertBenchmark,
} from './results.repository.js';

/** Reports show a role benchmark only from this many graded candidates. */
export const BENCHMARK_MIN_GRADED = 20;

type StoredScores = { byItem?: Record<string, number>; bySubtopic?: Record<string, number> };

export async function refreshAssessmentAnalytics(
  ctx: Ctx,
  orgId: string,
  assessmentId: string,
  opts: { pageSize?: number } = {},
) {
  const assessment = await findAssessmentOfOrg(ctx.db, orgId, assessmentId);
  if (!assessment) return;
  const demo = assessment.is_demo === 1;
  await refreshItemStatistics(ctx, orgId, assessmentId, demo, opts.pageSize ?? PAGE);
  if (assessment.role_template_id) await refreshRoleBenchmark(ctx, orgId, assessment.role_template_id, demo);
}

/** Attempts read per page: the job's memory stays flat however many candidates an assessment has. */
const PAGE = 500;

async function refreshItemStatistics(
  ctx: Ctx,
  orgId: string,
  assessmentId: string,
  demo: boolean,
  pageSize: number,
) {
  const sums = new Map<string, ItemSums>();
  let attemptCount = 0;
  // Quiz reliability is computed over slots (item positions), as Moodle does for random questions;
  // only attempts with the most common set of slots form the matrix. Only their marks are kept.
  const bySlots = new Map<string, number[][]>();
  let afterId: string | null = null;
  for (;;) {
    const attempts = await listScoredAttemptsPage(ctx.db, {
      orgId,
      assessmentId,
      demo,
      afterId,
      limit: pageSize,
    });
    if (!attempts.length) break;
    afterId = attempts[attempts.length - 1]!.id;
    const chosen = new Map<string, string[]>();
    for (const r of await listAnswersOf(
      ctx.db,
      attempts.map((a) => a.id),
    ))
      chosen.set(`${r.attempt_id}\n${r.item_key}`, JSON.parse(r.choice) as string[]);
    const responses: ItemResponse[][] = [];
    for (const a of attempts) {
      const plan = parsePlan(a.plan);
      const scores = JSON.parse(a.scores ?? '{}') as StoredScores;
      const row: ItemResponse[] = [];
      for (const s of plan.sections) {
        if (s.kind !== 'quiz') continue;
        for (const item of s.items) {
          row.push({
            itemId: item.questionVersionId,
            mark: scores.byItem?.[item.key] ?? 0,
            chosen: chosen.get(`${a.id}\n${item.key}`) ?? [],
          });
        }
      }
      if (!row.length) continue;
      responses.push(row);
      const keys = plan.sections
        .flatMap((s) => (s.kind === 'quiz' ? s.items.map((i) => i.key) : []))
        .join(',');
      const list = bySlots.get(keys) ?? [];
      list.push(row.map((r) => r.mark));
      bySlots.set(keys, list);
    }
    accumulateItemSums(responses, sums);
    attemptCount += responses.length;
    if (attempts.length < pageSize) break;
  }
  const matrix = [...bySlots.values()].sort((x, y) => y.length - x.length)[0] ?? [];
  const test = testStatistics(matrix);

  const versionIds = [...sums.keys()];
  const versions = await getQuestionVersions(ctx.db, versionIds);
  const now = ctx.clock.now();
  const items = versionIds.flatMap((id) => {
    const s = sums.get(id)!;
    const v = versions.get(id);
    if (!v) return [];
    const facility = facilityOf(s);
    const discrimination = discriminationOf(s);
    const flags = flagsFor(
      { n: s.n, facility, discrimination, options: s.options },
      { optionIds: v.options.map((o) => o.id), correct: v.correct },
    );
    return [
      {
        org_id: orgId,
        assessment_id: assessmentId,
        question_version_id: id,
        question_id: v.questionId,
        is_demo: demo ? 1 : 0,
        n: s.n,
        sums: JSON.stringify(s),
        option_counts: JSON.stringify(s.options),
        facility,
        discrimination,
        flags: JSON.stringify(flags),
        flagged: flags.length ? 1 : 0,
        computed_at: now,
      },
    ];
  });
  await ctx.db.transaction().execute(async (trx) => {
    await replaceAssessmentStats(
      trx,
      assessmentId,
      {
        assessment_id: assessmentId,
        org_id: orgId,
        attempts: attemptCount,
        items: test.items,
        mean: test.mean,
        sd: test.sd,
        alpha: test.alpha,
        sem: test.sem,
        computed_at: now,
      },
      items,
    );
  });
  if (!demo) await refreshQuestionStatistics(ctx, orgId, versionIds);
}

/** Organization totals for these question versions: the sums of every (non-demo) assessment's rows. */
async function refreshQuestionStatistics(ctx: Ctx, orgId: string, versionIds: readonly string[]) {
  if (!versionIds.length) return;
  const rows = await listItemSumsForVersions(ctx.db, orgId, versionIds);
  const merged = new Map<string, { questionId: string; sums: ItemSums }>();
  for (const r of rows) {
    const cur = merged.get(r.question_version_id);
    const sums = JSON.parse(r.sums) as ItemSums;
    merged.set(r.question_version_id, {
      questionId: r.question_id,
      sums: mergeSums(cur?.sums ?? emptySums(), sums),
    });
  }
  const versions = await getQuestionVersions(ctx.db, [...merged.keys()]);
  const now = ctx.clock.now();
  const out = [...merged].flatMap(([versionId, m]) => {
    const v = versions.get(versionId);
    if (!v) return [];
    const facility = facilityOf(m.sums);
    const discrimination = discriminationOf(m.sums);
    const flags = flagsFor(
      { n: m.sums.n, facility, discrimination, options: m.sums.options },
      { optionIds: v.options.map((o) => o.id), correct: v.correct },
    );
    return [
      {
        org_id: orgId,
        question_version_id: versionId,
        question_id: m.questionId,
        n: m.sums.n,
        option_counts: JSON.stringify(m.sums.options),
        facility,
        discrimination,
        flags: JSON.stringify(flags),
        flagged: flags.length ? 1 : 0,
        computed_at: now,
      },
    ];
  });
  await ctx.db.transaction().execute((trx) => replaceQuestionStats(trx, orgId, versionIds, out));
}

/** The median overall and per-subtopic score of graded candidates on a role template's assessments. */
export async function refreshRoleBenchmark(ctx: Ctx, orgId: string, roleTemplateId: string, demo: boolean) {
  const rows = await listGradedScoresForRole(ctx.db, orgId, roleTemplateId, demo);
  const overall = rows.map((r) => r.score).filter((s): s is number => s !== null);
  const bySubtopic = new Map<string, number[]>();
  for (const r of rows) {
    const s = JSON.parse(r.scores ?? '{}') as StoredScores;
    for (const [k, v] of Object.entries(s.bySubtopic ?? {})) {
      const list = bySubtopic.get(k) ?? [];
      list.push(v);
      bySubtopic.set(k, list);
    }
  }
  await upsertBenchmark(ctx.db, {
    org_id: orgId,
    role_template_id: roleTemplateId,
    cohort: demo ? 'demo' : 'live',
    graded_count: overall.length,
    median_score: median(overall),
    median_by_subtopic: JSON.stringify(Object.fromEntries([...bySubtopic].map(([k, v]) => [k, median(v)]))),
    computed_at: ctx.clock.now(),
  });
}
