// Import and export of bank items in QTI 2.1/3.0, GIFT and Moodle XML. The converters in interchange/
// are pure; this file adds the organization's rules: a preview first, then one transaction that
// imports every acceptable item when the user confirms. A malformed file changes nothing.
import type { Ctx } from '../../context.js';
import { invalid } from '../../errors.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { newId } from '../../ids.js';
import { authorize } from '../accounts/accounts.service.js';
import { recordAudit } from '../audit/audit.service.js';
import type { BankQuestion, BankUploadTask } from './bank.model.js';
import {
  findQuestionIdBySlug,
  findUploadTaskIdBySlug,
  insertQuestions,
  insertQuestionVersions,
  insertUploadTasks,
  insertUploadTaskVersions,
  listQuestions,
  listUploadTasks,
  type SourceScope,
} from './bank.repository.js';
import { questionRuleProblems, uploadTaskRuleProblems } from './bank.rules.js';
import { questionVersionRow, subtopicIds, uploadTaskVersionRow } from './bank.service.js';
import {
  exportInterchange,
  ImportError,
  type InterchangeFormat,
  type InterchangeItem,
  importInterchange,
} from './interchange/index.js';

const EXPORT_LIMIT = 10_000;

export type ImportPreviewItem = {
  index: number;
  sourceId: string | null;
  title: string;
  type: 'question' | 'upload-task' | null;
  id: string | null;
  status: 'new' | 'unchanged' | 'skipped';
  reason: string | null;
  notes: string[];
};

/**
 * Reads the file and says, item by item, what an import would do. With `confirm`, imports every
 * acceptable item in one transaction; items that already exist with the same id are left alone
 * (an import never overwrites the organization's edits).
 */
export async function importBankFile(
  ctx: Ctx,
  actor: StaffActor,
  input: { filename: string; bytes: Uint8Array; confirm: boolean; defaultSubtopic?: string },
  meta: RequestMeta,
) {
  authorize(actor, 'bank.import');
  const known = subtopicIds();
  let report: ReturnType<typeof importInterchange>;
  try {
    report = importInterchange(input.filename, input.bytes, {
      defaultSubtopic: input.defaultSubtopic,
      knownSubtopics: [...known],
    });
  } catch (err) {
    if (err instanceof ImportError)
      throw invalid(`The file could not be imported: ${err.message}`, { file: err.message });
    throw err;
  }

  const items: Array<ImportPreviewItem & { item?: InterchangeItem }> = [];
  for (const r of report.items) {
    const base = { index: r.index, sourceId: r.sourceId, title: r.title, notes: r.notes ?? [] };
    if (r.status !== 'ok' || !r.item) {
      items.push({
        ...base,
        type: null,
        id: null,
        status: 'skipped',
        reason: r.reason ?? 'Unsupported item',
      });
      continue;
    }
    const it = r.item;
    const problems =
      it.type === 'question'
        ? questionRuleProblems(it.question, known)
        : uploadTaskRuleProblems(it.task, known);
    const id = it.type === 'question' ? it.question.id : it.task.id;
    if (problems.length) {
      items.push({
        ...base,
        type: it.type,
        id,
        status: 'skipped',
        reason: problems.map((p) => `${p.path.join('.') || 'item'}: ${p.message}`).join('; '),
      });
      continue;
    }
    const exists =
      it.type === 'question'
        ? await findQuestionIdBySlug(ctx.db, actor.orgId, id)
        : await findUploadTaskIdBySlug(ctx.db, actor.orgId, id);
    const duplicateInFile = items.some((x) => x.id === id && x.type === it.type && x.status === 'new');
    items.push({
      ...base,
      type: it.type,
      id,
      status: exists ? 'unchanged' : duplicateInFile ? 'skipped' : 'new',
      reason: exists
        ? 'Your organization already has an item with this id; it is left as it is'
        : duplicateInFile
          ? 'The same id appears earlier in the file'
          : null,
      item: it,
    });
  }

  const toImport = items.filter((i) => i.status === 'new' && i.item);
  if (input.confirm && toImport.length) {
    await ctx.db.transaction().execute(async (trx) => {
      const now = ctx.clock.now();
      for (const { item } of toImport) {
        if (item!.type === 'question') await insertImportedQuestion(trx, actor.orgId, item!.question, now);
        else await insertImportedTask(trx, actor.orgId, item!.task, now);
      }
      await recordAudit(ctx, trx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: 'bank.imported',
        details: {
          format: report.format,
          imported: toImport.length,
          skipped: items.length - toImport.length,
        },
        meta,
      });
    });
  }
  return {
    format: report.format,
    confirmed: input.confirm,
    counts: {
      total: items.length,
      new: toImport.length,
      unchanged: items.filter((i) => i.status === 'unchanged').length,
      skipped: items.filter((i) => i.status === 'skipped').length,
    },
    items: items.map(({ item: _item, ...rest }) => rest),
  };
}

async function insertImportedQuestion(
  trx: Parameters<typeof insertQuestions>[0],
  orgId: string,
  q: BankQuestion,
  now: number,
) {
  const id = newId(now);
  const { id: slug, retired, ...content } = q;
  const version = questionVersionRow(id, 1, content, now);
  await insertQuestions(trx, [
    {
      id,
      org_id: orgId,
      slug,
      source: 'custom',
      kind: q.kind,
      subtopic: q.subtopic,
      difficulty: q.difficulty,
      current_version_id: version.id,
      retired: retired ? 1 : 0,
      created_at: now,
      updated_at: now,
    },
  ]);
  await insertQuestionVersions(trx, [version]);
}

async function insertImportedTask(
  trx: Parameters<typeof insertUploadTasks>[0],
  orgId: string,
  t: BankUploadTask,
  now: number,
) {
  const id = newId(now);
  const { id: slug, retired, ...content } = t;
  const version = uploadTaskVersionRow(id, 1, content, now);
  await insertUploadTasks(trx, [
    {
      id,
      org_id: orgId,
      slug,
      source: 'custom',
      current_version_id: version.id,
      retired: retired ? 1 : 0,
      created_at: now,
      updated_at: now,
    },
  ]);
  await insertUploadTaskVersions(trx, [version]);
}

/** Exports the bank (or a filtered part) as a file, with a summary of the fields the format dropped. */
export async function exportBank(
  ctx: Ctx,
  actor: StaffActor,
  q: { format: InterchangeFormat; source: SourceScope; subtopic?: string; includeUploadTasks: boolean },
  meta: RequestMeta,
) {
  authorize(actor, 'bank.export');
  const questions = await listQuestions(ctx.db, {
    orgId: actor.orgId,
    source: q.source,
    subtopic: q.subtopic,
    includeRetired: false,
    limit: EXPORT_LIMIT,
  });
  const tasks = q.includeUploadTasks
    ? await listUploadTasks(ctx.db, {
        orgId: actor.orgId,
        source: q.source,
        subtopic: q.subtopic,
        includeRetired: false,
        limit: EXPORT_LIMIT,
      })
    : [];
  const items: InterchangeItem[] = [
    ...questions.slice(0, EXPORT_LIMIT).map((r) => ({
      type: 'question' as const,
      question: {
        id: r.slug,
        kind: r.kind,
        subtopic: r.subtopic,
        difficulty: r.difficulty,
        seconds: r.seconds,
        tags: JSON.parse(r.tags) as string[],
        stem: r.stem,
        options: JSON.parse(r.options) as BankQuestion['options'],
        correct: JSON.parse(r.correct) as string[],
        explanation: r.explanation,
        retired: r.retired === 1,
      },
    })),
    ...tasks.slice(0, EXPORT_LIMIT).map((t) => ({
      type: 'upload-task' as const,
      task: {
        id: t.slug,
        title: t.title,
        subtopics: JSON.parse(t.subtopics) as string[],
        minutes: t.minutes,
        accept: JSON.parse(t.accept) as string[],
        maxSizeMb: t.max_size_mb,
        maxFiles: t.max_files,
        allowZip: t.allow_zip === 1,
        prompt: t.prompt,
        rubric: JSON.parse(t.rubric) as BankUploadTask['rubric'],
        reviewerNotes: t.reviewer_notes,
        retired: t.retired === 1,
      },
    })),
  ];
  const result = exportInterchange(q.format, items);
  const droppedSummary: Record<string, number> = {};
  for (const d of result.dropped) for (const f of d.fields) droppedSummary[f] = (droppedSummary[f] ?? 0) + 1;
  await recordAudit(ctx, ctx.db, {
    orgId: actor.orgId,
    actorUserId: actor.userId,
    action: 'bank.exported',
    details: { format: q.format, source: q.source, items: items.length },
    meta,
  });
  return { ...result, items: items.length, droppedSummary };
}
