// Exports (results.export, audited): an assessment's pipeline as CSV, streamed page by page in a
// stable, documented column order (docs/results.md), and one candidate's full report as JSON.
import { Readable } from 'node:stream';
import type { Ctx } from '../../context.js';
import { notFound } from '../../errors.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { authorize } from '../accounts/accounts.service.js';
import { findAssessmentOfOrg } from '../assessments/assessments.service.js';
import { recordAudit } from '../audit/audit.service.js';
import { subtopicIds } from '../bank/bank.model.js';
import { csvRow } from './csv-writer.js';
import { type PipelineFilters, pipelineFilterOf, toPipelineRow, walkPipeline } from './pipeline.service.js';
import { getReport } from './reports.service.js';

/** The CSV columns, in order. Append new ones at the end; never reorder (docs/results.md). */
export const CSV_COLUMNS = [
  'invitation_id',
  'attempt_id',
  'candidate_id',
  'candidate_name',
  'candidate_email',
  'external_id',
  'assessment_id',
  'assessment_name',
  'status',
  'stage',
  'score_percent',
  'percentile',
  ...subtopicIds.map((s) => `score_${s.replaceAll('-', '_')}_percent`),
  'time_taken_seconds',
  'integrity_tier',
  'invited_at',
  'started_at',
  'submitted_at',
  'expires_at',
  'last_activity_at',
  'demo',
] as const;

const percent = (x: number | null | undefined) =>
  x === null || x === undefined ? null : Math.round(x * 1000) / 10;

/** Starts an assessment's CSV export: checks and audits now, streams the rows as they are read. */
export async function exportAssessmentCsv(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  filters: PipelineFilters,
  meta: RequestMeta,
): Promise<{ filename: string; stream: Readable }> {
  authorize(actor, 'results.export');
  const assessment = await findAssessmentOfOrg(ctx.db, actor.orgId, assessmentId);
  if (!assessment) throw notFound('Assessment');
  const f = pipelineFilterOf(actor.orgId, assessmentId, filters, { limit: 1 }, ctx.clock.now());
  await recordAudit(ctx, ctx.db, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: 'export.csv',
    targetType: 'assessment',
    targetId: assessmentId,
    details: { filters: { ...filters, q: filters.q ? '(search)' : undefined } },
    meta,
  });
  const { after: _after, limit: _limit, ...walk } = f;
  async function* lines() {
    // A byte-order mark, so spreadsheet programs read the file as UTF-8.
    yield `\uFEFF${csvRow(CSV_COLUMNS)}`;
    for await (const r of walkPipeline(ctx, walk)) {
      const row = toPipelineRow(r);
      yield csvRow([
        row.invitationId,
        row.attemptId,
        row.candidate.id,
        row.candidate.name,
        row.candidate.email,
        row.candidate.externalId,
        row.assessment.id,
        row.assessment.name,
        row.status,
        row.stage,
        percent(row.score),
        row.percentile === null ? null : Math.round(row.percentile * 10) / 10,
        ...subtopicIds.map((s) => percent(row.bySubtopic[s])),
        row.timeTakenMs === null ? null : Math.round(row.timeTakenMs / 1000),
        row.integrityTier,
        row.invitedAt,
        row.startedAt,
        row.submittedAt,
        row.expiresAt,
        row.lastActivityAt,
        row.demo,
      ]);
    }
  }
  return { filename: `assessment-${assessmentId}-results.csv`, stream: Readable.from(lines()) };
}

/** One candidate's full report as JSON (audited as export.json). */
export async function exportAttemptJson(ctx: Ctx, actor: StaffActor, attemptId: string, meta: RequestMeta) {
  authorize(actor, 'results.export');
  const report = await getReport(ctx, actor, attemptId);
  await recordAudit(ctx, ctx.db, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: 'export.json',
    targetType: 'attempt',
    targetId: attemptId,
    details: { candidateId: report.candidate?.id ?? null },
    meta,
  });
  return { filename: `attempt-${attemptId}-report.json`, report };
}
