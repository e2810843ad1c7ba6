// What an assessment is made of: ordered sections (quiz or upload) and candidate-facing settings.
// Stored as JSON on the assessment row; validated with these schemas on every write.
import { z } from 'zod';
import { difficulties, subtopicIds } from '../bank/bank.model.js';

const key = z.string().regex(/^[a-z0-9-]{1,40}$/);
const percent = z.number().int().min(0).max(100);

export const difficultyMixSchema = z
  .object({ easy: percent, medium: percent, hard: percent })
  .refine((d) => d.easy + d.medium + d.hard === 100, 'The difficulty mix must add up to 100');

export const subtopicWeightsSchema = z
  .record(z.enum(subtopicIds), percent)
  .refine(
    (w) => Object.values(w).reduce((a, b) => a + (b ?? 0), 0) === 100,
    'Subtopic weights must add up to 100',
  );

export const quizSectionSchema = z.object({
  key,
  kind: z.literal('quiz'),
  title: z.string().trim().min(1).max(200),
  minutes: z.number().int().min(1).max(480),
  /** Share of the overall score; null means in proportion to the sections' time limits. */
  weight: z.number().min(0).max(100).nullable().default(null),
  questionCount: z.number().int().min(1).max(200),
  subtopicWeights: subtopicWeightsSchema,
  difficulty: difficultyMixSchema,
  /** random: a fresh draw per candidate; fixed: everyone gets the same set. */
  draw: z.enum(['random', 'fixed']).default('random'),
  shuffleQuestions: z.boolean().default(true),
  shuffleOptions: z.boolean().default(true),
  allowBack: z.boolean().default(true),
  /** Question ids always included; they count toward their subtopic. */
  pinnedQuestionIds: z.array(z.string()).max(200).default([]),
  /** Draw only from the organization's own questions (private bank). */
  ownQuestionsOnly: z.boolean().default(false),
});

export const uploadSectionSchema = z.object({
  key,
  kind: z.literal('upload'),
  title: z.string().trim().min(1).max(200),
  minutes: z.number().int().min(1).max(480),
  weight: z.number().min(0).max(100).nullable().default(null),
  /** An upload task id from the bank (built-in, pack or custom). */
  taskId: z.string().min(1),
  accept: z.array(z.string().regex(/^\.[a-z0-9]{1,10}$/)).min(1),
  maxSizeMb: z.number().positive(),
  maxFiles: z.number().int().min(1).max(20).default(1),
  allowZip: z.boolean().default(false),
  /** How many reviewers grade each submission (1–3); the final score is their mean. */
  reviewersRequired: z.number().int().min(1).max(3).default(1),
});

export const sectionSchema = z.discriminatedUnion('kind', [quizSectionSchema, uploadSectionSchema]);
export type Section = z.output<typeof sectionSchema>;
export type QuizSection = z.output<typeof quizSectionSchema>;
export type UploadSection = z.output<typeof uploadSectionSchema>;

export const integritySignals = [
  'tab-hidden',
  'window-blur',
  'copy-paste',
  'fullscreen-exit',
  'ip-change',
  'second-session',
] as const;
export type IntegritySignal = (typeof integritySignals)[number];

export const assessmentSettingsSchema = z.object({
  intro: z.string().max(10_000).default(''),
  feedbackPolicy: z.enum(['none', 'overall', 'by-subtopic']).default('overall'),
  invitationDays: z.number().int().min(1).max(365).default(14),
  integritySignals: z
    .array(z.enum(integritySignals))
    .default(['tab-hidden', 'copy-paste', 'second-session', 'ip-change']),
  /** The largest extra-time multiplier a recruiter may grant one candidate (accommodations). */
  maxExtraTime: z.number().min(1).max(3).default(2),
  /** Whether candidates can ask for accommodations from the landing page. */
  accommodationsContact: z.string().max(300).default(''),
  publicLink: z
    .object({ enabled: z.boolean(), cap: z.number().int().min(1).max(100_000).nullable() })
    .default({ enabled: false, cap: null }),
  /** Reviewers' totals that differ by more than this share of the maximum raise a disagreement flag. */
  disagreementThreshold: z.number().min(0).max(1).default(0.25),
});
export type AssessmentSettings = z.output<typeof assessmentSettingsSchema>;

export { difficulties };

/** The sections of a stored assessment row (validated on write, so parsing is cheap and total). */
export function parseSections(json: string): Section[] {
  return z.array(sectionSchema).parse(JSON.parse(json));
}

/** The settings of a stored assessment row, with defaults filled in for fields added later. */
export function parseSettings(json: string): AssessmentSettings {
  return assessmentSettingsSchema.parse(JSON.parse(json));
}
