// The question bank: the skills taxonomy, role templates, questions and upload tasks with their
// versions. Built-in and pack items come from files (content-sync.service.ts); an organization's
// custom items are written here. Other modules draw from the bank through the functions at the end.
import { randomBytes } from 'node:crypto';
import type { Ctx } from '../../context.js';
import type { DbOrTrx } from '../../db/database.js';
import { AppError, conflict, invalid, notFound } from '../../errors.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { toIso } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { authorize } from '../accounts/accounts.service.js';
import { recordAudit } from '../audit/audit.service.js';
import type { BankQuestion, BankUploadTask, Difficulty, QuestionKind, QuestionSource } from './bank.model.js';
import {
  type DrawFilter,
  findQuestionForOrg,
  findQuestionIdBySlug,
  findUploadTaskForOrg,
  findUploadTaskIdBySlug,
  findUploadTaskVersion,
  insertQuestions,
  insertQuestionVersions,
  insertUploadTasks,
  insertUploadTaskVersions,
  listDrawable,
  listQuestions as listQuestionRows,
  listQuestionVersions,
  listQuestionVersionsByIds,
  listUploadTasks as listUploadTaskRows,
  listUploadTasksBySlugs,
  listUploadTaskVersions,
  type QuestionWithCurrent,
  setQuestionsRetired,
  setUploadTasksRetired,
  type UploadTaskWithCurrent,
  updateQuestion as updateQuestionRow,
  updateUploadTask as updateUploadTaskRow,
} from './bank.repository.js';
import {
  type PathProblem,
  questionContentHash,
  questionRuleProblems,
  sortCorrect,
  uploadTaskContentHash,
  uploadTaskRuleProblems,
} from './bank.rules.js';
import type {
  CreateQuestionInput,
  CreateUploadTaskInput,
  QuestionListQuery,
  UpdateQuestionInput,
  UpdateUploadTaskInput,
  UploadTaskListQuery,
} from './bank.schemas.js';
import type { QuestionVersionRow, UploadTaskVersionRow } from './bank.table.js';
import { loadCatalog } from './content-loader.js';
import { planCellCounts } from './draw-plan.js';

const parse = <T>(json: string) => JSON.parse(json) as T;
type Option = { id: string; text: string };
type Criterion = BankUploadTask['rubric'][number];

export function subtopicIds(): Set<string> {
  return new Set(loadCatalog().taxonomy.skills.flatMap((s) => s.subtopics.map((t) => t.id)));
}

function assertValid(problems: PathProblem[]): void {
  if (!problems.length) return;
  const fields: Record<string, string> = {};
  for (const p of problems) fields[['body', ...p.path].join('.')] ??= p.message;
  throw invalid('Some fields are invalid', fields);
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === '23505' || /UNIQUE constraint failed/i.test(e?.message ?? '');
}

const generatedSlug = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

// ---------------------------------------------------------------------------------------------
// Skills and role templates

export async function listSkills(_ctx: Ctx, actor: StaffActor, query: { q?: string }) {
  authorize(actor, 'bank.read');
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const q = query.q ? norm(query.q) : '';
  const items = loadCatalog().taxonomy.skills.filter(
    (s) => !q || [s.id, s.name, ...s.aliases].some((name) => norm(name).includes(q)),
  );
  return {
    items: items.map((s) => ({
      id: s.id,
      name: s.name,
      aliases: s.aliases,
      description: s.description.trim(),
      subtopics: s.subtopics.map((t) => ({ id: t.id, name: t.name, description: t.description.trim() })),
    })),
  };
}

export async function listRoleTemplates(ctx: Ctx, actor: StaffActor) {
  authorize(actor, 'bank.read');
  const { roles } = loadCatalog();
  const slugs = [...new Set(roles.flatMap((r) => r.uploadTasks))];
  // Role templates name built-in tasks; an organization's own task of that id doesn't replace one.
  const tasks = new Map((await listUploadTasksBySlugs(ctx.db, null, slugs)).map((t) => [t.slug, t]));
  return {
    items: roles.map((r) => {
      const plan = planCellCounts(r.weights, r.difficulty, r.questionCount);
      return {
        id: r.id,
        name: r.name,
        description: r.description.trim(),
        weights: r.weights,
        difficulty: r.difficulty,
        questionCount: r.questionCount,
        minutes: r.minutes,
        draw: { bySubtopic: plan.bySubtopic, byDifficulty: plan.byDifficulty },
        uploadTasks: r.uploadTasks.flatMap((slug) => {
          const t = tasks.get(slug);
          return t ? [{ id: t.id, slug, title: t.title }] : [];
        }),
      };
    }),
  };
}

/** A role template by id, for the assessments module; undefined when there is none. */
export function findRoleTemplate(roleTemplateId: string) {
  return loadCatalog().roles.find((r) => r.id === roleTemplateId);
}

// ---------------------------------------------------------------------------------------------
// Questions

function questionOut(orgId: string, r: QuestionWithCurrent) {
  return {
    id: r.id,
    slug: r.slug,
    source: r.source,
    editable: r.source === 'custom' && r.org_id === orgId,
    retired: r.retired === 1,
    versionId: r.version_id,
    version: r.version,
    kind: r.kind,
    subtopic: r.subtopic,
    difficulty: r.difficulty,
    seconds: r.seconds,
    tags: parse<string[]>(r.tags),
    stem: r.stem,
    options: parse<Option[]>(r.options),
    correct: parse<string[]>(r.correct),
    explanation: r.explanation,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

function questionVersionOut(v: QuestionVersionRow) {
  return {
    id: v.id,
    version: v.version,
    kind: v.kind,
    subtopic: v.subtopic,
    difficulty: v.difficulty,
    seconds: v.seconds,
    tags: parse<string[]>(v.tags),
    stem: v.stem,
    options: parse<Option[]>(v.options),
    correct: parse<string[]>(v.correct),
    explanation: v.explanation,
    contentHash: v.content_hash,
    createdAt: toIso(v.created_at),
  };
}

export async function listQuestions(ctx: Ctx, actor: StaffActor, query: QuestionListQuery) {
  authorize(actor, 'bank.read');
  const rows = await listQuestionRows(ctx.db, { ...query, orgId: actor.orgId });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => questionOut(actor.orgId, r)),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getQuestion(ctx: Ctx, actor: StaffActor, questionId: string) {
  authorize(actor, 'bank.read');
  const row = await findQuestionForOrg(ctx.db, actor.orgId, questionId);
  if (!row) throw notFound('Question');
  const versions = await listQuestionVersions(ctx.db, row.id);
  return { ...questionOut(actor.orgId, row), versions: versions.map(questionVersionOut) };
}

/** The question, if the caller's organization may change it; a built-in or pack item is a 409. */
async function getEditableQuestion(db: DbOrTrx, orgId: string, questionId: string) {
  const row = await findQuestionForOrg(db, orgId, questionId);
  if (!row) throw notFound('Question');
  if (row.source === 'builtin') {
    throw conflict(
      'Built-in questions cannot be changed. Create a custom question instead (you can start from a copy of this one).',
    );
  }
  if (row.source === 'pack') {
    throw conflict(
      "This question comes from your organization's content pack; change it in the pack's YAML files.",
    );
  }
  return row;
}

export function questionVersionRow(
  questionId: string,
  version: number,
  q: Omit<BankQuestion, 'id' | 'retired'>,
  now: number,
) {
  return {
    id: newId(now),
    question_id: questionId,
    version,
    kind: q.kind,
    subtopic: q.subtopic,
    difficulty: q.difficulty,
    stem: q.stem,
    options: JSON.stringify(q.options.map((o) => ({ id: o.id, text: o.text }))),
    correct: JSON.stringify(sortCorrect(q.options, q.correct)),
    explanation: q.explanation,
    seconds: q.seconds,
    tags: JSON.stringify(q.tags),
    content_hash: questionContentHash(q),
    created_at: now,
  };
}

export async function createQuestion(
  ctx: Ctx,
  actor: StaffActor,
  input: CreateQuestionInput,
  meta: RequestMeta,
) {
  authorize(actor, 'bank.write');
  const { slug: wanted, ...content } = input;
  assertValid(questionRuleProblems(content, subtopicIds()));
  const slug = wanted ?? generatedSlug('custom');
  const now = ctx.clock.now();
  const id = newId(now);
  const version = questionVersionRow(id, 1, content, now);
  try {
    await ctx.db.transaction().execute(async (trx) => {
      if (await findQuestionIdBySlug(trx, actor.orgId, slug)) throw slugTaken('question', slug);
      await insertQuestions(trx, [
        {
          id,
          org_id: actor.orgId,
          slug,
          source: 'custom',
          kind: content.kind,
          subtopic: content.subtopic,
          difficulty: content.difficulty,
          current_version_id: version.id,
          retired: 0,
          created_at: now,
          updated_at: now,
        },
      ]);
      await insertQuestionVersions(trx, [version]);
      await recordAudit(ctx, trx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: 'question.created',
        targetType: 'question',
        targetId: id,
        details: { slug, version: 1 },
        meta,
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw slugTaken('question', slug);
    throw err;
  }
  return getQuestion(ctx, actor, id);
}

const slugTaken = (what: string, slug: string) =>
  invalid(`Your organization already has a ${what} with the id "${slug}"`, {
    'body.slug': 'Already in use; choose another id',
  });

export async function updateQuestion(
  ctx: Ctx,
  actor: StaffActor,
  questionId: string,
  patch: UpdateQuestionInput,
  meta: RequestMeta,
) {
  authorize(actor, 'bank.write');
  const row = await getEditableQuestion(ctx.db, actor.orgId, questionId);
  const merged = {
    kind: patch.kind ?? row.kind,
    subtopic: patch.subtopic ?? row.subtopic,
    difficulty: patch.difficulty ?? row.difficulty,
    seconds: patch.seconds ?? row.seconds,
    tags: patch.tags ?? parse<string[]>(row.tags),
    stem: patch.stem ?? row.stem,
    options: patch.options ?? parse<Option[]>(row.options),
    correct: patch.correct ?? parse<string[]>(row.correct),
    explanation: patch.explanation ?? row.explanation,
  };
  assertValid(questionRuleProblems(merged, subtopicIds()));
  if (questionContentHash(merged) === row.content_hash) return getQuestion(ctx, actor, questionId);

  const now = ctx.clock.now();
  const version = questionVersionRow(row.id, row.version + 1, merged, now);
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await insertQuestionVersions(trx, [version]);
      await updateQuestionRow(trx, row.id, {
        current_version_id: version.id,
        kind: merged.kind,
        subtopic: merged.subtopic,
        difficulty: merged.difficulty,
        updated_at: now,
      });
      await recordAudit(ctx, trx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: 'question.updated',
        targetType: 'question',
        targetId: row.id,
        details: { slug: row.slug, version: version.version },
        meta,
      });
    });
  } catch (err) {
    // Two edits of the same version race for its successor's number: the second one loses.
    if (isUniqueViolation(err)) throw conflict('The question was changed meanwhile; reload it and try again');
    throw err;
  }
  return getQuestion(ctx, actor, questionId);
}

export async function setQuestionRetired(
  ctx: Ctx,
  actor: StaffActor,
  questionId: string,
  retired: boolean,
  meta: RequestMeta,
) {
  authorize(actor, 'bank.write');
  const row = await getEditableQuestion(ctx.db, actor.orgId, questionId);
  if ((row.retired === 1) !== retired) {
    await ctx.db.transaction().execute(async (trx) => {
      await setQuestionsRetired(trx, [row.id], retired, ctx.clock.now());
      await recordAudit(ctx, trx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: retired ? 'question.retired' : 'question.restored',
        targetType: 'question',
        targetId: row.id,
        details: { slug: row.slug },
        meta,
      });
    });
  }
  return getQuestion(ctx, actor, questionId);
}

// ---------------------------------------------------------------------------------------------
// Upload tasks

function uploadTaskSummaryOut(orgId: string, r: UploadTaskWithCurrent) {
  return {
    id: r.id,
    slug: r.slug,
    source: r.source,
    editable: r.source === 'custom' && r.org_id === orgId,
    retired: r.retired === 1,
    versionId: r.version_id,
    version: r.version,
    title: r.title,
    subtopics: parse<string[]>(r.subtopics),
    minutes: r.minutes,
    accept: parse<string[]>(r.accept),
    maxSizeMb: r.max_size_mb,
    maxFiles: r.max_files,
    allowZip: r.allow_zip === 1,
    prompt: r.prompt,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

function uploadTaskVersionOut(v: UploadTaskVersionRow) {
  return {
    id: v.id,
    version: v.version,
    title: v.title,
    subtopics: parse<string[]>(v.subtopics),
    minutes: v.minutes,
    accept: parse<string[]>(v.accept),
    maxSizeMb: v.max_size_mb,
    maxFiles: v.max_files,
    allowZip: v.allow_zip === 1,
    prompt: v.prompt,
    rubric: parse<Criterion[]>(v.rubric),
    reviewerNotes: v.reviewer_notes,
    contentHash: v.content_hash,
    createdAt: toIso(v.created_at),
  };
}

export async function listUploadTasks(ctx: Ctx, actor: StaffActor, query: UploadTaskListQuery) {
  authorize(actor, 'bank.read');
  const rows = await listUploadTaskRows(ctx.db, { ...query, orgId: actor.orgId });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => uploadTaskSummaryOut(actor.orgId, r)),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getUploadTask(ctx: Ctx, actor: StaffActor, taskId: string) {
  authorize(actor, 'bank.read');
  const row = await findUploadTaskForOrg(ctx.db, actor.orgId, taskId);
  if (!row) throw notFound('Upload task');
  const versions = await listUploadTaskVersions(ctx.db, row.id);
  return {
    ...uploadTaskSummaryOut(actor.orgId, row),
    rubric: parse<Criterion[]>(row.rubric),
    reviewerNotes: row.reviewer_notes,
    versions: versions.map(uploadTaskVersionOut),
  };
}

async function getEditableUploadTask(db: DbOrTrx, orgId: string, taskId: string) {
  const row = await findUploadTaskForOrg(db, orgId, taskId);
  if (!row) throw notFound('Upload task');
  if (row.source === 'builtin') {
    throw conflict('Built-in upload tasks cannot be changed. Create a custom upload task instead.');
  }
  if (row.source === 'pack') {
    throw conflict(
      "This upload task comes from your organization's content pack; change it in the pack's YAML files.",
    );
  }
  return row;
}

type UploadTaskContent = Omit<BankUploadTask, 'id' | 'retired'>;

export function uploadTaskVersionRow(taskId: string, version: number, t: UploadTaskContent, now: number) {
  return {
    id: newId(now),
    task_id: taskId,
    version,
    title: t.title,
    subtopics: JSON.stringify(t.subtopics),
    minutes: t.minutes,
    accept: JSON.stringify(t.accept),
    max_size_mb: t.maxSizeMb,
    max_files: t.maxFiles,
    allow_zip: t.allowZip ? 1 : 0,
    prompt: t.prompt,
    rubric: JSON.stringify(t.rubric),
    reviewer_notes: t.reviewerNotes,
    content_hash: uploadTaskContentHash(t),
    created_at: now,
  };
}

export async function createUploadTask(
  ctx: Ctx,
  actor: StaffActor,
  input: CreateUploadTaskInput,
  meta: RequestMeta,
) {
  authorize(actor, 'bank.write');
  const { slug: wanted, ...content } = input;
  assertValid(uploadTaskRuleProblems(content, subtopicIds()));
  const slug = wanted ?? generatedSlug('task');
  const now = ctx.clock.now();
  const id = newId(now);
  const version = uploadTaskVersionRow(id, 1, content, now);
  try {
    await ctx.db.transaction().execute(async (trx) => {
      if (await findUploadTaskIdBySlug(trx, actor.orgId, slug)) throw slugTaken('upload task', slug);
      await insertUploadTasks(trx, [
        {
          id,
          org_id: actor.orgId,
          slug,
          source: 'custom',
          current_version_id: version.id,
          retired: 0,
          created_at: now,
          updated_at: now,
        },
      ]);
      await insertUploadTaskVersions(trx, [version]);
      await recordAudit(ctx, trx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: 'upload_task.created',
        targetType: 'upload_task',
        targetId: id,
        details: { slug, version: 1 },
        meta,
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw slugTaken('upload task', slug);
    throw err;
  }
  return getUploadTask(ctx, actor, id);
}

export async function updateUploadTask(
  ctx: Ctx,
  actor: StaffActor,
  taskId: string,
  patch: UpdateUploadTaskInput,
  meta: RequestMeta,
) {
  authorize(actor, 'bank.write');
  const row = await getEditableUploadTask(ctx.db, actor.orgId, taskId);
  const merged: UploadTaskContent = {
    title: patch.title ?? row.title,
    subtopics: patch.subtopics ?? parse<string[]>(row.subtopics),
    minutes: patch.minutes ?? row.minutes,
    accept: patch.accept ?? parse<string[]>(row.accept),
    maxSizeMb: patch.maxSizeMb ?? row.max_size_mb,
    maxFiles: patch.maxFiles ?? row.max_files,
    allowZip: patch.allowZip ?? row.allow_zip === 1,
    prompt: patch.prompt ?? row.prompt,
    rubric: patch.rubric ?? parse<Criterion[]>(row.rubric),
    reviewerNotes: patch.reviewerNotes ?? row.reviewer_notes,
  };
  assertValid(uploadTaskRuleProblems(merged, subtopicIds()));
  if (uploadTaskContentHash(merged) === row.content_hash) return getUploadTask(ctx, actor, taskId);

  const now = ctx.clock.now();
  const version = uploadTaskVersionRow(row.id, row.version + 1, merged, now);
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await insertUploadTaskVersions(trx, [version]);
      await updateUploadTaskRow(trx, row.id, { current_version_id: version.id, updated_at: now });
      await recordAudit(ctx, trx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: 'upload_task.updated',
        targetType: 'upload_task',
        targetId: row.id,
        details: { slug: row.slug, version: version.version },
        meta,
      });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('The upload task was changed meanwhile; reload it and try again');
    throw err;
  }
  return getUploadTask(ctx, actor, taskId);
}

export async function setUploadTaskRetired(
  ctx: Ctx,
  actor: StaffActor,
  taskId: string,
  retired: boolean,
  meta: RequestMeta,
) {
  authorize(actor, 'bank.write');
  const row = await getEditableUploadTask(ctx.db, actor.orgId, taskId);
  if ((row.retired === 1) !== retired) {
    await ctx.db.transaction().execute(async (trx) => {
      await setUploadTasksRetired(trx, [row.id], retired, ctx.clock.now());
      await recordAudit(ctx, trx, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        action: retired ? 'upload_task.retired' : 'upload_task.restored',
        targetType: 'upload_task',
        targetId: row.id,
        details: { slug: row.slug },
        meta,
      });
    });
  }
  return getUploadTask(ctx, actor, taskId);
}

// ---------------------------------------------------------------------------------------------
// For other modules (assessments, attempts, grading). These take no actor: the caller has already
// checked its own permission and passes the organization from the actor, never from a request body.

export type DrawableQuestionRef = {
  questionId: string;
  /** The current version: freeze this id in the attempt, so later edits never change it. */
  versionId: string;
  subtopic: string;
  difficulty: Difficulty;
};

/**
 * The active (not retired) questions an organization may draw from, as references: the built-in
 * library plus its own packs and custom questions, or only its own with `ownOnly` (high-stakes
 * hiring, since the built-in answer keys are public). Narrow with `subtopic` and `difficulty` to
 * draw one cell of a plan (see draw-plan.ts). Ordered by question id, so a seeded shuffle of the
 * result is reproducible.
 */
export async function listDrawableQuestions(db: DbOrTrx, filter: DrawFilter): Promise<DrawableQuestionRef[]> {
  const rows = await listDrawable(db, filter);
  return rows.map((r) => ({
    questionId: r.id,
    versionId: r.current_version_id,
    subtopic: r.subtopic,
    difficulty: r.difficulty,
  }));
}

export type QuestionVersionContent = {
  versionId: string;
  questionId: string;
  /** Null for built-in questions; otherwise the owning organization. */
  orgId: string | null;
  slug: string;
  source: QuestionSource;
  version: number;
  kind: QuestionKind;
  subtopic: string;
  difficulty: Difficulty;
  seconds: number;
  tags: string[];
  stem: string;
  options: Option[];
  /** The answer key. Never send it, or the explanation, to a candidate. */
  correct: string[];
  explanation: string;
};

/**
 * The full content of question versions by id (in one query per 200 ids), keyed by version id.
 * Versions are immutable, so the result can be cached freely. Ids that don't exist are absent; a
 * caller holding ids from its own attempt rows can trust them, anyone else must check `orgId`.
 */
export async function getQuestionVersions(
  db: DbOrTrx,
  versionIds: readonly string[],
): Promise<Map<string, QuestionVersionContent>> {
  const rows = await listQuestionVersionsByIds(db, [...new Set(versionIds)]);
  return new Map(
    rows.map((v) => [
      v.id,
      {
        versionId: v.id,
        questionId: v.question_id,
        orgId: v.org_id,
        slug: v.slug,
        source: v.source,
        version: v.version,
        kind: v.kind,
        subtopic: v.subtopic,
        difficulty: v.difficulty,
        seconds: v.seconds,
        tags: parse<string[]>(v.tags),
        stem: v.stem,
        options: parse<Option[]>(v.options),
        correct: parse<string[]>(v.correct),
        explanation: v.explanation,
      },
    ]),
  );
}

export type UploadTaskVersionContent = ReturnType<typeof uploadTaskVersionOut> & {
  taskId: string;
  orgId: string | null;
  slug: string;
  source: QuestionSource;
};

/**
 * One upload task version's full content (prompt, limits, rubric, reviewer notes), for an upload
 * section. Throws NOT_FOUND when it doesn't exist or belongs to another organization.
 */
export async function getUploadTaskVersion(
  db: DbOrTrx,
  orgId: string,
  versionId: string,
): Promise<UploadTaskVersionContent> {
  const v = await findUploadTaskVersion(db, versionId);
  if (!v || (v.org_id !== null && v.org_id !== orgId)) throw notFound('Upload task version');
  return { ...uploadTaskVersionOut(v), taskId: v.task_id, orgId: v.org_id, slug: v.slug, source: v.source };
}

/**
 * The current version of an upload task the organization may use, by task id; what an assessment
 * freezes when it adds an upload section. Retired tasks are refused with a conflict.
 */
export async function getCurrentUploadTaskVersion(
  db: DbOrTrx,
  orgId: string,
  taskId: string,
): Promise<UploadTaskVersionContent> {
  const t = await findUploadTaskForOrg(db, orgId, taskId);
  if (!t) throw notFound('Upload task');
  if (t.retired === 1) throw new AppError('CONFLICT', 'This upload task is retired');
  return getUploadTaskVersion(db, orgId, t.version_id);
}
