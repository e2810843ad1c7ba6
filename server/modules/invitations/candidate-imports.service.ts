// Bulk CSV invitations: the upload (checked at once, stored as a blob) and the job that invites its
// rows in batches, resumable and idempotent, with progress counts and a report of rejected rows.
import { Readable } from 'node:stream';
import type { Ctx } from '../../context.js';
import { invalid, notFound } from '../../errors.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { toIso, toIsoOrNull } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { authorize } from '../accounts/accounts.service.js';
import { parseSettings } from '../assessments/assessment.model.js';
import { findAssessmentOfOrg } from '../assessments/assessments.service.js';
import { recordAudit } from '../audit/audit.service.js';
import { type CheckedCsv, CsvFormatError, checkCandidateCsv } from './csv.js';
import { importCandidatesJob } from './invitations.jobs.js';
import {
  advanceImport,
  findImport,
  findImportById,
  insertImport,
  listImports as listImportRows,
  updateImport,
} from './invitations.repository.js';
import { assertOpen, inviteRows, requireAssessment, targetFor } from './invitations.service.js';
import type { CandidateImportsTable } from './invitations.table.js';

export const MAX_CSV_BYTES = 5 * 1024 * 1024;
/** Rows per transaction, and rows per run of the import job (it re-enqueues itself for the rest). */
export const IMPORT_BATCH_ROWS = 500;
export const IMPORT_ROWS_PER_RUN = 2_500;

function toImport(r: CandidateImportsTable) {
  return {
    id: r.id,
    assessmentId: r.assessment_id,
    status: r.status,
    totalRows: r.total_rows,
    processedRows: r.processed_rows,
    accepted: r.accepted,
    alreadyInvited: r.already_invited,
    rejected: r.rejected,
    report: JSON.parse(r.report) as Array<{ row: number; email: string; reason: string }>,
    error: r.error,
    createdAt: toIso(r.created_at),
    finishedAt: toIsoOrNull(r.finished_at),
  };
}

const decodeCsv = (buf: Buffer) => new TextDecoder('utf-8').decode(buf);

/**
 * Stores the uploaded CSV and queues its import. The file is read only after the assessment is found
 * and open, so a wrong id costs nothing. Its header and size are checked now, so an unusable file is
 * refused at once; the rows are checked and invited by the job.
 */
export async function importCandidatesCsv(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  readFile: () => Promise<Buffer | undefined>,
  meta: RequestMeta,
) {
  authorize(actor, 'candidates.invite');
  const assessment = await requireAssessment(ctx.db, actor.orgId, assessmentId);
  assertOpen(assessment);
  const file = await readFile();
  if (!file?.length) throw invalid('Attach a CSV file', { file: 'Required' });
  let checked: CheckedCsv;
  try {
    checked = checkCandidateCsv(decodeCsv(file), parseSettings(assessment.settings));
  } catch (err) {
    if (err instanceof CsvFormatError) throw invalid('The file cannot be imported', { file: err.message });
    throw err;
  }
  const blob = await ctx.blobs.put(Readable.from(file), { maxBytes: MAX_CSV_BYTES, prefix: 'imports' });
  const now = ctx.clock.now();
  const row: CandidateImportsTable = {
    id: newId(now),
    org_id: actor.orgId,
    assessment_id: assessmentId,
    blob_key: blob.key,
    file_sha256: blob.sha256,
    status: 'queued',
    total_rows: checked.rows.length,
    processed_rows: 0,
    accepted: 0,
    already_invited: 0,
    rejected: 0,
    report: '[]',
    created_by: actor.userId,
    created_at: now,
    finished_at: null,
    error: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await insertImport(trx, row);
    await ctx.jobs.enqueue(
      trx,
      importCandidatesJob,
      { importId: row.id },
      { key: `candidate-import:${row.id}:0` },
    );
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'candidates.import_started',
      targetType: 'candidate_import',
      targetId: row.id,
      details: { assessmentId, totalRows: row.total_rows, fileSha256: row.file_sha256 },
      meta,
    });
  });
  return toImport(row);
}

export async function getImport(ctx: Ctx, actor: StaffActor, importId: string) {
  authorize(actor, 'candidates.read');
  const row = await findImport(ctx.db, actor.orgId, importId);
  if (!row) throw notFound('Import');
  return toImport(row);
}

export async function listImports(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  query: { cursor?: string; limit: number },
) {
  authorize(actor, 'candidates.read');
  await requireAssessment(ctx.db, actor.orgId, assessmentId);
  const rows = await listImportRows(ctx.db, { ...query, orgId: actor.orgId, assessmentId });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(toImport),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

async function readBlob(ctx: Ctx, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await ctx.blobs.get(key)) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

async function failImport(ctx: Ctx, imp: CandidateImportsTable, error: string) {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await updateImport(trx, imp.id, { status: 'failed', error, finished_at: now });
    await recordAudit(ctx, trx, {
      orgId: imp.org_id,
      actorUserId: null,
      action: 'candidates.import_failed',
      targetType: 'candidate_import',
      targetId: imp.id,
      details: { assessmentId: imp.assessment_id, processedRows: imp.processed_rows },
    });
  });
  if (imp.blob_key) await ctx.blobs.delete(imp.blob_key).catch(() => {});
}

/**
 * One run of the import job: up to IMPORT_ROWS_PER_RUN rows from where the last run stopped, in
 * batches of IMPORT_BATCH_ROWS, each batch one transaction that also advances the counts (guarded
 * by processed_rows, so a re-run never counts a batch twice). Returns whether rows are left, and
 * the job then queues the next run.
 */
export async function runImportChunk(
  ctx: Ctx,
  importId: string,
): Promise<{ more: boolean; processedRows: number }> {
  const imp = await findImportById(ctx.db, importId);
  if (!imp || imp.status === 'done' || imp.status === 'failed') return { more: false, processedRows: 0 };
  const assessment = await findAssessmentOfOrg(ctx.db, imp.org_id, imp.assessment_id);
  if (!assessment) return { more: false, processedRows: 0 };
  if (assessment.state !== 'open') {
    await failImport(ctx, imp, 'The assessment was closed before the import finished');
    return { more: false, processedRows: 0 };
  }
  if (!imp.blob_key) {
    await failImport(ctx, imp, 'The uploaded file is gone');
    return { more: false, processedRows: 0 };
  }
  const settings = parseSettings(assessment.settings);
  let checked: CheckedCsv;
  try {
    checked = checkCandidateCsv(decodeCsv(await readBlob(ctx, imp.blob_key)), settings);
  } catch (err) {
    if (!(err instanceof CsvFormatError)) throw err;
    await failImport(ctx, imp, err.message);
    return { more: false, processedRows: 0 };
  }
  if (imp.status === 'queued') await updateImport(ctx.db, imp.id, { status: 'running' });
  const target = await targetFor(ctx, ctx.db, assessment, 'csv');
  const total = checked.rows.length;
  const stop = Math.min(total, imp.processed_rows + IMPORT_ROWS_PER_RUN);
  for (let from = imp.processed_rows; from < stop; from += IMPORT_BATCH_ROWS) {
    const to = Math.min(stop, from + IMPORT_BATCH_ROWS);
    const batch = checked.rows.slice(from, to);
    await ctx.db.transaction().execute(async (trx) => {
      const accepted = batch.flatMap((r) => ('accepted' in r ? [r.accepted] : []));
      const results = accepted.length ? await inviteRows(ctx, trx, target, accepted) : [];
      const created = results.filter((r) => r.created).length;
      const ok = await advanceImport(trx, imp.id, from, {
        to,
        accepted: created,
        alreadyInvited: results.length - created,
        rejected: batch.length - accepted.length,
      });
      // Another run got here first: roll this batch back rather than count it twice.
      if (!ok) throw new Error('candidate import: batch already processed by another run');
    });
  }
  if (stop < total) return { more: true, processedRows: stop };

  const report = checked.rows.flatMap((r) => ('rejected' in r ? [r.rejected] : []));
  const now = ctx.clock.now();
  const finished = await ctx.db.transaction().execute(async (trx) => {
    const done = await updateImport(
      trx,
      imp.id,
      { status: 'done', report: JSON.stringify(report), finished_at: now, blob_key: null },
      { processedRows: total },
    );
    if (!done) return undefined;
    const final = await findImportById(trx, imp.id);
    await recordAudit(ctx, trx, {
      orgId: imp.org_id,
      actorUserId: null,
      action: 'candidates.import_finished',
      targetType: 'candidate_import',
      targetId: imp.id,
      details: {
        assessmentId: imp.assessment_id,
        totalRows: total,
        accepted: final?.accepted ?? 0,
        alreadyInvited: final?.already_invited ?? 0,
        rejected: final?.rejected ?? 0,
      },
    });
    return final;
  });
  // The file held personal data; once the import is done, the report is all that is kept.
  if (finished) await ctx.blobs.delete(imp.blob_key).catch(() => {});
  return { more: false, processedRows: 0 };
}
