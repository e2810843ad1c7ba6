// The question bank's content model, independent of storage and of any interchange format.
// YAML content, the database, QTI, GIFT and Moodle XML all convert to and from these shapes.
import { z } from 'zod';

export const subtopicIds = [
  'server-side-languages',
  'databases',
  'api-integration',
  'server-management',
  'security-auth',
  'caching-performance',
] as const;
export type SubtopicId = (typeof subtopicIds)[number];

export const difficulties = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof difficulties)[number];

export const questionKinds = ['single', 'multiple'] as const;
export type QuestionKind = (typeof questionKinds)[number];

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lowercase letters, digits and single hyphens')
  .max(100);

export const optionSchema = z.object({
  id: z.string().regex(/^[a-z0-9]{1,12}$/, 'option ids are short lowercase letters or digits'),
  text: z.string().trim().min(1).max(2000),
});

/** A multiple-choice question as content authors write it (see docs/content-format.md). */
export const questionSchema = z
  .object({
    id: slug,
    kind: z.enum(questionKinds),
    subtopic: z.string(),
    difficulty: z.enum(difficulties),
    seconds: z.number().int().min(10).max(600),
    tags: z.array(slug.max(40)).max(12).default([]),
    stem: z.string().trim().min(1).max(10_000),
    options: z.array(optionSchema).min(2).max(8),
    correct: z.array(z.string()).min(1),
    explanation: z.string().max(10_000),
    retired: z.boolean().default(false),
  })
  .strict();
export type BankQuestion = z.output<typeof questionSchema>;

export const rubricLevelSchema = z.object({
  score: z.number().int().min(0).max(10),
  descriptor: z.string().trim().min(1).max(2000),
});
export const rubricCriterionSchema = z.object({
  id: slug,
  name: z.string().trim().min(1).max(200),
  levels: z.array(rubricLevelSchema).min(3).max(5),
});

/** A File Upload task with its rubric. */
export const uploadTaskSchema = z
  .object({
    id: slug,
    title: z.string().trim().min(1).max(200),
    subtopics: z.array(z.string()).min(1),
    minutes: z.number().int().min(5).max(480),
    accept: z.array(z.string().regex(/^\.[a-z0-9]{1,10}$/, 'extensions look like .sql')).min(1),
    maxSizeMb: z.number().positive().max(2048),
    maxFiles: z.number().int().min(1).max(20).default(1),
    allowZip: z.boolean().default(false),
    prompt: z.string().trim().min(1).max(20_000),
    rubric: z.array(rubricCriterionSchema).min(3).max(6),
    reviewerNotes: z.string().trim().min(1).max(20_000),
    retired: z.boolean().default(false),
  })
  .strict();
export type BankUploadTask = z.output<typeof uploadTaskSchema>;

export const roleTemplateSchema = z
  .object({
    id: slug,
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().min(1).max(2000),
    weights: z.record(z.string(), z.number().int().min(0).max(100)),
    difficulty: z.object({
      easy: z.number().int().min(0).max(100),
      medium: z.number().int().min(0).max(100),
      hard: z.number().int().min(0).max(100),
    }),
    questionCount: z.number().int().min(1).max(200),
    minutes: z.number().int().min(1).max(480),
    uploadTasks: z.array(z.string()).default([]),
  })
  .strict();
export type RoleTemplate = z.output<typeof roleTemplateSchema>;

export const taxonomySchema = z.object({
  skills: z
    .array(
      z.object({
        id: slug,
        name: z.string().min(1),
        aliases: z.array(z.string()).default([]),
        description: z.string().default(''),
        subtopics: z
          .array(z.object({ id: slug, name: z.string().min(1), description: z.string().min(1) }))
          .min(1),
      }),
    )
    .min(1),
});
export type Taxonomy = z.output<typeof taxonomySchema>;

/** `pack.yaml` at the root of a private content pack (ASSAY_CONTENT_DIRS). */
export const packManifestSchema = z
  .object({
    organization: z.string().trim().min(1).max(100),
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
  })
  .strict();
export type PackManifest = z.output<typeof packManifestSchema>;

/** Where a bank item comes from: the built-in library, an organization's content pack, or the API. */
export const questionSources = ['builtin', 'pack', 'custom'] as const;
export type QuestionSource = (typeof questionSources)[number];

/** Grades one answer: single is 1 or 0; multiple is max(0, (right chosen − wrong chosen) / right total). */
export function gradeChoice(
  kind: QuestionKind,
  correct: readonly string[],
  chosen: readonly string[],
): number {
  const key = new Set(correct);
  const picked = new Set(chosen);
  if (kind === 'single') return picked.size === 1 && key.has([...picked][0]!) ? 1 : 0;
  let right = 0;
  let wrong = 0;
  for (const c of picked) key.has(c) ? right++ : wrong++;
  return Math.max(0, (right - wrong) / key.size);
}
