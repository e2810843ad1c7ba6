// Candidate file uploads for upload sections: checked before the body is read (the section is open,
// this session writes, the quota has room), streamed to the blob store under a server-made key with
// the size limit enforced as bytes arrive, inspected (extension, magic bytes, UTF-8, zip contents),
// and only then recorded. Anything refused leaves nothing stored.
import type { Readable } from 'node:stream';
import { BlobTooLargeError } from '../../blobs/blob-store.js';
import { scanWithin } from '../../blobs/scan-hook.js';
import type { Ctx } from '../../context.js';
import { AppError, conflict, invalid, notFound } from '../../errors.js';
import type { CandidateActor, RequestMeta, StaffActor } from '../../http/access.js';
import { toIso } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { authorize } from '../accounts/accounts.service.js';
import { recordAudit } from '../audit/audit.service.js';
import { scheduleBlobDeletion } from '../privacy/privacy.service.js';
import { type PlanUploadSection, parsePlan } from './attempt.model.js';
import {
  findAttempt,
  findUpload,
  insertUpload,
  listActiveUploads,
  lockAttempt,
  markUploadRemoved,
} from './attempts.repository.js';
import { loadPlanIndex, writeRefusal } from './attempts.service.js';
import {
  checkMagicBytes,
  createInspector,
  extensionOf,
  isBinaryExtension,
  measureZip,
  readZipDirectory,
  sanitizeDisplayName,
  tooLarge,
  zipInflateCap,
} from './upload-inspection.js';

const MB = 1024 * 1024;
const SCAN_TIMEOUT_MS = 60_000;

export type PreparedUpload = {
  sectionKey: string;
  sectionIndex: number;
  section: PlanUploadSection;
  /** The most bytes one file may have: the section's limit, bounded by the instance's. */
  limitBytes: number;
};

function limitOf(ctx: Ctx, section: PlanUploadSection): number {
  return Math.min(Math.floor(section.maxSizeMb * MB), ctx.config.uploadMaxBytes);
}

/** The checks that need no body: run before a single byte of the file is read. */
export async function prepareUpload(
  ctx: Ctx,
  actor: CandidateActor,
  sectionKey: string,
): Promise<PreparedUpload> {
  const idx = await loadPlanIndex(ctx.db, actor.orgId, actor.attemptId);
  const sectionIndex = idx.sectionByKey.get(sectionKey);
  const section = sectionIndex === undefined ? undefined : idx.sections[sectionIndex];
  if (sectionIndex === undefined || section?.kind !== 'upload') throw notFound('Upload section');
  const a = await findAttempt(ctx.db, actor.orgId, actor.attemptId);
  const refusal = writeRefusal(a, actor, { sectionIndex }, ctx.clock.now(), ctx.config.attemptGraceMs);
  if (refusal) throw refusal;
  const active = await listActiveUploads(ctx.db, actor.orgId, actor.attemptId);
  if (active.filter((u) => u.section_key === sectionKey).length >= section.maxFiles) {
    throw conflict(`This section takes at most ${section.maxFiles} file(s); remove one first`);
  }
  return { sectionKey, sectionIndex, section, limitBytes: limitOf(ctx, section) };
}

function isTooLarge(err: unknown): boolean {
  const e = err as { code?: string } | null;
  return err instanceof BlobTooLargeError || e?.code === 'FST_REQ_FILE_TOO_LARGE';
}

/** Streams, inspects and records one file. */
export async function storeUpload(
  ctx: Ctx,
  actor: CandidateActor,
  prep: PreparedUpload,
  file: { filename: string; stream: Readable & { truncated?: boolean } },
) {
  const name = sanitizeDisplayName(file.filename);
  const ext = extensionOf(name);
  const { section } = prep;
  const allowed = ext === '.zip' ? section.allowZip : ext !== '' && section.accept.includes(ext);
  if (!allowed) {
    file.stream.resume();
    const list = [...section.accept, ...(section.allowZip ? ['.zip'] : [])].join(', ');
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `This section accepts ${list} files`);
  }
  const isZip = ext === '.zip';
  const inspector = createInspector({ text: !isBinaryExtension(ext), keepTail: isZip });
  // The put's pipeline reports the inspector's errors; this keeps them from also going unhandled.
  inspector.on('error', () => {});
  file.stream.on('error', (err) => inspector.destroy(err));
  file.stream.pipe(inspector);
  let put: Awaited<ReturnType<Ctx['blobs']['put']>>;
  try {
    put = await ctx.blobs.put(inspector, { maxBytes: prep.limitBytes, prefix: 'uploads' });
  } catch (err) {
    file.stream.resume();
    if (isTooLarge(err)) throw tooLarge(`The file is larger than ${section.maxSizeMb} MB`);
    throw err;
  }
  try {
    if (file.stream.truncated) throw tooLarge(`The file is larger than ${section.maxSizeMb} MB`);
    if (put.size === 0) throw invalid('The file is empty', { file: 'Choose a file with content' });
    const contentType = await checkMagicBytes(ext, inspector.head());
    if (isZip) {
      const entries = readZipDirectory(inspector.tail(), put.size);
      await measureZip(await ctx.blobs.get(put.key), entries, zipInflateCap(prep.limitBytes));
    }
    // The virus scanner, when one is configured: it fails closed (server/blobs/scan-hook.ts).
    if (ctx.scanUpload) {
      const verdict = await scanWithin(
        ctx.scanUpload,
        { name, size: put.size, sha256: put.sha256, contentType },
        () => ctx.blobs.get(put.key),
        SCAN_TIMEOUT_MS,
      ).catch((err: unknown) => {
        ctx.log.error({ err }, 'upload refused: the virus scanner is unavailable');
        throw new AppError('UNAVAILABLE', 'The virus scanner is unavailable; try again shortly');
      });
      if (!verdict.clean) {
        ctx.log.warn({ sha256: put.sha256, reason: verdict.reason }, 'upload refused by the virus scanner');
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The virus scanner refused this file');
      }
    }
    const now = ctx.clock.now();
    const id = newId(now);
    await ctx.db.transaction().execute(async (trx) => {
      const a = await lockAttempt(trx, actor.orgId, actor.attemptId, now);
      const refusal = writeRefusal(
        a,
        actor,
        { sectionIndex: prep.sectionIndex },
        now,
        ctx.config.attemptGraceMs,
      );
      if (refusal) throw refusal;
      const active = await listActiveUploads(trx, actor.orgId, actor.attemptId);
      if (active.filter((u) => u.section_key === prep.sectionKey).length >= section.maxFiles) {
        throw conflict(`This section takes at most ${section.maxFiles} file(s); remove one first`);
      }
      // The attempt's quota: never more than every upload section's files at their limits.
      const plan = parsePlan((a as { plan: string }).plan);
      const quota = plan.sections.reduce(
        (s, x) => (x.kind === 'upload' ? s + limitOf(ctx, x) * x.maxFiles : s),
        0,
      );
      if (active.reduce((s, u) => s + u.size, 0) + put.size > quota)
        throw tooLarge('The files for this attempt exceed its quota');
      await insertUpload(trx, {
        id,
        org_id: actor.orgId,
        attempt_id: actor.attemptId,
        section_key: prep.sectionKey,
        blob_key: put.key,
        display_name: name,
        extension: ext,
        content_type: contentType,
        size: put.size,
        sha256: put.sha256,
        created_at: now,
        removed_at: null,
      });
    });
    return { id, name, size: put.size, sha256: put.sha256, createdAt: toIso(now) };
  } catch (err) {
    // Refused or failed: the file must not stay. If the store can't delete it now, a job will.
    await ctx.blobs
      .delete(put.key)
      .catch(() => scheduleBlobDeletion(ctx, ctx.db, [put.key]))
      .catch((e) => ctx.log.error({ err: e }, 'could not delete or schedule deleting a refused upload'));
    throw err;
  }
}

/** DELETE /take/uploads/{id}: while the section is open; replacing a file is delete + upload. */
export async function removeUpload(ctx: Ctx, actor: CandidateActor, uploadId: string): Promise<void> {
  const idx = await loadPlanIndex(ctx.db, actor.orgId, actor.attemptId);
  const blobKey = await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const a = await lockAttempt(trx, actor.orgId, actor.attemptId, now);
    const upload = await findUpload(trx, actor.orgId, actor.attemptId, uploadId);
    if (!upload || upload.removed_at !== null) throw notFound('File');
    const sectionIndex = idx.sectionByKey.get(upload.section_key) ?? -1;
    const refusal = writeRefusal(a, actor, { sectionIndex }, now, ctx.config.attemptGraceMs);
    if (refusal) throw refusal;
    await markUploadRemoved(trx, actor.orgId, upload.id, now);
    // The backstop, in the same transaction: if the delete below fails (or the process dies before
    // it), a job deletes the file, retrying until the store confirms.
    await scheduleBlobDeletion(ctx, trx, [upload.blob_key]);
    return upload.blob_key;
  });
  // After the commit: the row no longer points at the blob; the job above covers a failure here.
  await ctx.blobs.delete(blobKey).catch((err) => ctx.log.warn({ err }, 'could not delete a removed upload'));
}

/** GET /attempts/{id}/uploads/{id}/download: the stored bytes, for staff. */
export async function openUploadForStaff(
  ctx: Ctx,
  actor: StaffActor,
  attemptId: string,
  uploadId: string,
  meta?: RequestMeta,
) {
  authorize(actor, 'results.read');
  const upload = await findUpload(ctx.db, actor.orgId, attemptId, uploadId);
  if (!upload) throw notFound('File');
  const stream = await ctx.blobs.get(upload.blob_key).catch(() => {
    throw notFound('File');
  });
  // A candidate's file leaving the building is audited.
  if (meta) {
    await recordAudit(ctx, ctx.db, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'upload.downloaded',
      targetType: 'upload',
      targetId: upload.id,
      details: { attemptId },
      meta,
    }).catch((err: unknown) => {
      stream.destroy();
      throw err;
    });
  }
  return { name: upload.display_name, size: upload.size, stream };
}
