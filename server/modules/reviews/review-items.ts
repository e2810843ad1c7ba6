// Opening the review queue's entries for an attempt whose upload sections wait for reviewers. Called
// by the grading job right after it grades (kept apart from reviews.service.ts, which depends on the
// attempts jobs, so the jobs can import this without a cycle).

import type { Insertable } from 'kysely';
import type { Ctx } from '../../context.js';
import { newId } from '../../ids.js';
import { parsePlan } from '../attempts/attempt.model.js';
import { findAttempt } from '../attempts/attempts.repository.js';
import { enqueueResultsAnalytics } from '../results/results.jobs.js';
import { insertReviewItemsIfAbsent } from './reviews.repository.js';
import type { ReviewItemsTable } from './reviews.table.js';

/**
 * One review item per upload section of an attempt awaiting review. Idempotent (unique per attempt
 * and section). Previews never reach the queue: they never count.
 */
export async function openReviewItems(ctx: Ctx, orgId: string, attemptId: string): Promise<number> {
  const a = await findAttempt(ctx.db, orgId, attemptId);
  if (a?.status !== 'awaiting_review' || a.is_preview) return 0;
  const plan = parsePlan(a.plan);
  const now = ctx.clock.now();
  const rows: Insertable<ReviewItemsTable>[] = plan.sections.flatMap((s) =>
    s.kind === 'upload'
      ? [
          {
            id: newId(now),
            org_id: a.org_id,
            assessment_id: a.assessment_id,
            attempt_id: a.id,
            section_key: s.key,
            section_title: s.title,
            task_version_id: s.taskVersionId,
            is_demo: a.is_demo,
            reviewers_required: Math.min(3, Math.max(1, s.reviewersRequired ?? 1)),
            reviews_done: 0,
            state: 'open' as const,
            score: null,
            disagreement: 0,
            submitted_at: a.submitted_at ?? now,
            created_at: now,
            completed_at: null,
          },
        ]
      : [],
  );
  return ctx.db.transaction().execute(async (trx) => {
    const created = await insertReviewItemsIfAbsent(trx, rows);
    // The quiz marks of an attempt awaiting review are final: they count in the item statistics.
    if (created.length)
      await enqueueResultsAnalytics(ctx, trx, { orgId: a.org_id, assessmentId: a.assessment_id });
    return created.length;
  });
}
