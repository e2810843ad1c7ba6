// The bank's API shapes. These are staff schemas: they carry answer keys, explanations, rubrics and
// reviewer notes, so no candidate route may ever use them.
import { z } from 'zod';
import { isoTime, pageQuery } from '../../http/schemas.js';
import {
  difficulties,
  optionSchema,
  questionKinds,
  questionSources,
  rubricCriterionSchema,
} from './bank.model.js';

const slugField = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Use lowercase letters, digits and single hyphens')
  .max(100);
const markdown = (max: number) => z.string().trim().min(1, 'Required').max(max).describe('Markdown');
const booleanQuery = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');
const sourceQuery = z
  .enum(['builtin', 'organization', 'all'])
  .default('all')
  .describe('builtin: the shipped library; organization: your own (packs and custom); all: both');

// ---------------------------------------------------------------------------------------------
// Taxonomy and role templates

export const skillSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    aliases: z.array(z.string()),
    description: z.string(),
    subtopics: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })),
  })
  .meta({ id: 'Skill' });
export const skillsQuery = z.object({
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .describe('A skill name or alias, any case (e.g. "Backend Engineering")'),
});

const difficultyMix = z.object({ easy: z.number(), medium: z.number(), hard: z.number() });
export const roleTemplateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    weights: z.record(z.string(), z.number()).describe('Subtopic id → weight in percent'),
    difficulty: difficultyMix.describe('Percent of easy, medium and hard questions'),
    questionCount: z.number().int(),
    minutes: z.number().int().describe('Time limit of the quiz section'),
    draw: z
      .object({ bySubtopic: z.record(z.string(), z.number().int()), byDifficulty: difficultyMix })
      .describe('How many questions a draw takes per subtopic and per difficulty'),
    uploadTasks: z
      .array(z.object({ id: z.string(), slug: z.string(), title: z.string() }))
      .describe('Suggested upload tasks: id is the upload task id, slug its content id'),
  })
  .meta({ id: 'RoleTemplate' });

// ---------------------------------------------------------------------------------------------
// Questions

const questionFields = {
  kind: z.enum(questionKinds),
  subtopic: z.string().min(1).max(100),
  difficulty: z.enum(difficulties),
  seconds: z.number().int().min(10).max(600).describe('Estimated time to answer'),
  tags: z.array(slugField.max(40)).max(12),
  stem: markdown(10_000),
  options: z.array(optionSchema).min(2).max(8),
  correct: z.array(z.string().min(1).max(12)).min(1).max(8).describe('Ids of the correct options'),
  explanation: markdown(10_000).describe('Markdown; why the key is right. Staff only'),
};

export const questionVersionSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    kind: z.enum(questionKinds),
    subtopic: z.string(),
    difficulty: z.enum(difficulties),
    seconds: z.number().int(),
    tags: z.array(z.string()),
    stem: z.string(),
    options: z.array(z.object({ id: z.string(), text: z.string() })),
    correct: z.array(z.string()),
    explanation: z.string(),
    contentHash: z.string(),
    createdAt: isoTime,
  })
  .meta({ id: 'QuestionVersion' });

export const questionSchema = z
  .object({
    id: z.string(),
    slug: z.string().describe('The content id (`id:` in YAML); stable across versions'),
    source: z.enum(questionSources),
    editable: z.boolean().describe('Only custom questions of your organization can be edited here'),
    retired: z.boolean(),
    versionId: z.string(),
    version: z.number().int(),
    kind: z.enum(questionKinds),
    subtopic: z.string(),
    difficulty: z.enum(difficulties),
    seconds: z.number().int(),
    tags: z.array(z.string()),
    stem: z.string(),
    options: z.array(z.object({ id: z.string(), text: z.string() })),
    correct: z.array(z.string()),
    explanation: z.string(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Question' });

export const questionDetailSchema = questionSchema
  .extend({ versions: z.array(questionVersionSchema).describe('Every version, newest first') })
  .meta({ id: 'QuestionDetail' });

export const questionListQuery = pageQuery.extend({
  subtopic: z.string().max(100).optional(),
  difficulty: z.enum(difficulties).optional(),
  kind: z.enum(questionKinds).optional(),
  q: z.string().trim().min(1).max(200).optional().describe('Text to find in the stem or the content id'),
  source: sourceQuery,
  includeRetired: booleanQuery,
});

export const createQuestionBody = z
  .object({
    slug: slugField.optional().describe('A content id of your choice; generated when omitted'),
    ...questionFields,
    tags: questionFields.tags.default([]),
  })
  .strict();
export const updateQuestionBody = z
  .object({
    kind: questionFields.kind.optional(),
    subtopic: questionFields.subtopic.optional(),
    difficulty: questionFields.difficulty.optional(),
    seconds: questionFields.seconds.optional(),
    tags: questionFields.tags.optional(),
    stem: questionFields.stem.optional(),
    options: questionFields.options.optional(),
    correct: questionFields.correct.optional(),
    explanation: questionFields.explanation.optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Upload tasks

const rubricSchema = z.array(rubricCriterionSchema).min(3).max(6);
const uploadTaskFields = {
  title: z.string().trim().min(1, 'Required').max(200),
  subtopics: z.array(z.string().min(1).max(100)).min(1).max(6),
  minutes: z.number().int().min(5).max(480),
  accept: z
    .array(z.string().regex(/^\.[a-z0-9]{1,10}$/, 'Extensions look like .sql'))
    .min(1)
    .max(30),
  maxSizeMb: z.number().positive().max(2048),
  maxFiles: z.number().int().min(1).max(20),
  allowZip: z.boolean(),
  prompt: markdown(20_000),
  rubric: rubricSchema,
  reviewerNotes: markdown(20_000).describe('Markdown for reviewers only'),
};

export const uploadTaskVersionSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    title: z.string(),
    subtopics: z.array(z.string()),
    minutes: z.number().int(),
    accept: z.array(z.string()),
    maxSizeMb: z.number(),
    maxFiles: z.number().int(),
    allowZip: z.boolean(),
    prompt: z.string(),
    rubric: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        levels: z.array(z.object({ score: z.number().int(), descriptor: z.string() })),
      }),
    ),
    reviewerNotes: z.string(),
    contentHash: z.string(),
    createdAt: isoTime,
  })
  .meta({ id: 'UploadTaskVersion' });

const uploadTaskBase = {
  id: z.string(),
  slug: z.string(),
  source: z.enum(questionSources),
  editable: z.boolean(),
  retired: z.boolean(),
  versionId: z.string(),
  version: z.number().int(),
  title: z.string(),
  subtopics: z.array(z.string()),
  minutes: z.number().int(),
  accept: z.array(z.string()),
  maxSizeMb: z.number(),
  maxFiles: z.number().int(),
  allowZip: z.boolean(),
  prompt: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime,
};

/** In lists: everything but the rubric and reviewer notes, which the detail carries. */
export const uploadTaskSummarySchema = z.object(uploadTaskBase).meta({ id: 'UploadTaskSummary' });
export const uploadTaskDetailSchema = z
  .object({
    ...uploadTaskBase,
    rubric: uploadTaskVersionSchema.shape.rubric,
    reviewerNotes: z.string(),
    versions: z.array(uploadTaskVersionSchema).describe('Every version, newest first'),
  })
  .meta({ id: 'UploadTask' });

export const uploadTaskListQuery = pageQuery.extend({
  subtopic: z.string().max(100).optional(),
  q: z.string().trim().min(1).max(200).optional().describe('Text to find in the title, prompt or content id'),
  source: sourceQuery,
  includeRetired: booleanQuery,
});

export const createUploadTaskBody = z
  .object({
    slug: slugField.optional().describe('A content id of your choice; generated when omitted'),
    ...uploadTaskFields,
    maxFiles: uploadTaskFields.maxFiles.default(1),
    allowZip: uploadTaskFields.allowZip.default(false),
  })
  .strict();
export const updateUploadTaskBody = z
  .object({
    title: uploadTaskFields.title.optional(),
    subtopics: uploadTaskFields.subtopics.optional(),
    minutes: uploadTaskFields.minutes.optional(),
    accept: uploadTaskFields.accept.optional(),
    maxSizeMb: uploadTaskFields.maxSizeMb.optional(),
    maxFiles: uploadTaskFields.maxFiles.optional(),
    allowZip: uploadTaskFields.allowZip.optional(),
    prompt: uploadTaskFields.prompt.optional(),
    rubric: uploadTaskFields.rubric.optional(),
    reviewerNotes: uploadTaskFields.reviewerNotes.optional(),
  })
  .strict();

export type QuestionListQuery = z.output<typeof questionListQuery>;
export type CreateQuestionInput = z.output<typeof createQuestionBody>;
export type UpdateQuestionInput = z.output<typeof updateQuestionBody>;
export type UploadTaskListQuery = z.output<typeof uploadTaskListQuery>;
export type CreateUploadTaskInput = z.output<typeof createUploadTaskBody>;
export type UpdateUploadTaskInput = z.output<typeof updateUploadTaskBody>;
