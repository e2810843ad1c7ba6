// Request and response schemas for the pipeline, candidate reports, comparisons, exports, saved
// views and item statistics. All staff-facing (results.read and friends); reviewers have their own
// blind schemas in the reviews module.
import { z } from 'zod';
import { isoTime } from '../../http/schemas.js';
import { subtopicIds } from '../bank/bank.model.js';
import { stages } from '../invitations/invitations.schemas.js';
import { integrityTiers, pipelineStatuses } from './pipeline.repository.js';

export const pipelineSorts = [
  'newest',
  'score',
  'percentile',
  'submitted',
  'name',
  ...subtopicIds.map((s) => `subtopic:${s}` as const),
] as const;
export type PipelineSort = (typeof pipelineSorts)[number];

/** A comma-separated list of enum values in a query string (`status=graded,awaiting_review`). */
function csvList<const T extends readonly [string, ...string[]]>(values: T) {
  const allowed = new Set<string>(values);
  return z
    .string()
    .max(500)
    .optional()
    .describe(`Comma-separated: ${values.join(', ')}`)
    .transform((s, c): T[number][] | undefined => {
      if (!s) return undefined;
      const parts = [...new Set(s.split(',').map((p) => p.trim()))].filter(Boolean);
      const bad = parts.filter((p) => !allowed.has(p));
      if (bad.length) {
        c.addIssue({ code: 'custom', message: `Unknown value(s): ${bad.join(', ')}` });
        return z.NEVER;
      }
      return parts as T[number][];
    });
}

const scoreBound = z.coerce.number().min(0).max(1);

/** The filters and sort of a pipeline (also what a saved view stores). */
export const pipelineFilterQuery = z.object({
  status: csvList(pipelineStatuses),
  stage: csvList(stages),
  integrityTier: csvList(integrityTiers),
  minScore: scoreBound.optional().describe('Overall score at least this (0–1); unscored rows drop out'),
  maxScore: scoreBound.optional().describe('Overall score at most this (0–1); unscored rows drop out'),
  q: z.string().trim().max(200).optional().describe("Search the candidate's name, email and external id"),
  sort: z
    .enum(pipelineSorts)
    .default('newest')
    .describe(
      'newest (invitation order), score, percentile, submitted, name, or subtopic:<id>. Rows without a ' +
        'score, percentile or submission sort as the lowest. Subtopic sorts are not index-backed.',
    ),
  order: z.enum(['asc', 'desc']).optional().describe('Default: asc for name, desc for the others'),
});

export const pipelineQuery = pipelineFilterQuery.extend({
  cursor: z.string().max(400).optional().describe('The nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type PipelineQueryInput = z.output<typeof pipelineQuery>;

export const pipelineStatusSchema = z.enum(pipelineStatuses);
const tierSchema = z.enum(integrityTiers);

export const pipelineRowSchema = z.object({
  invitationId: z.string(),
  assessment: z.object({ id: z.string(), name: z.string() }),
  candidate: z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    externalId: z.string().nullable(),
  }),
  /** Demo data (`POST /api/v1/demo`). */
  demo: z.boolean(),
  status: pipelineStatusSchema,
  stage: z.enum(stages),
  attemptId: z.string().nullable(),
  /** Overall score in [0, 1]; preliminary (quiz sections only) while uploads await review. */
  score: z.number().nullable(),
  percentile: z.number().nullable(),
  bySubtopic: z.record(z.string(), z.number()),
  /** From start to submission. */
  timeTakenMs: z.number().int().nullable(),
  integrityTier: tierSchema.nullable(),
  invitedAt: isoTime,
  startedAt: isoTime.nullable(),
  submittedAt: isoTime.nullable(),
  expiresAt: isoTime,
  lastActivityAt: isoTime,
});
export type PipelineRow = z.infer<typeof pipelineRowSchema>;
export const pipelinePageSchema = z.object({
  items: z.array(pipelineRowSchema),
  nextCursor: z.string().nullable(),
});

// ---------------------------------------------------------------------------------------------
// Saved views

export const savedViewQuerySchema = z.object({
  status: z.array(pipelineStatusSchema).max(10).optional(),
  stage: z.array(z.enum(stages)).max(10).optional(),
  integrityTier: z.array(tierSchema).max(3).optional(),
  minScore: z.number().min(0).max(1).optional(),
  maxScore: z.number().min(0).max(1).optional(),
  q: z.string().trim().max(200).optional(),
  sort: z.enum(pipelineSorts).default('newest'),
  order: z.enum(['asc', 'desc']).optional(),
});
export type SavedViewQuery = z.output<typeof savedViewQuerySchema>;

export const savedViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  assessmentId: z.string().nullable(),
  query: savedViewQuerySchema,
  createdAt: isoTime,
  updatedAt: isoTime,
});
export const createSavedViewBody = z.object({
  name: z.string().trim().min(1).max(100),
  assessmentId: z.string().min(1).max(100).nullable().default(null),
  query: savedViewQuerySchema,
});
export const updateSavedViewBody = z
  .object({ name: z.string().trim().min(1).max(100), query: savedViewQuerySchema })
  .partial()
  .refine((b) => b.name !== undefined || b.query !== undefined, 'Send a name or a query');
export const savedViewListSchema = z.object({
  items: z.array(savedViewSchema),
  nextCursor: z.string().nullable(),
});

// ---------------------------------------------------------------------------------------------
// Actions

export const stageBody = z.object({
  stage: z.enum(stages),
  note: z.string().trim().min(1).max(10_000).optional(),
});
export const stageResultSchema = z.object({
  invitationId: z.string(),
  stage: z.enum(stages),
  previousStage: z.enum(stages),
  changed: z.boolean(),
});

const invitationIds = z.array(z.string().min(1).max(100)).min(1).max(500);
export const bulkStageBody = stageBody.extend({ invitationIds });
export const bulkActionBody = z.object({
  action: z.enum(['remind', 'extend']),
  invitationIds,
  days: z.number().int().min(1).max(90).optional().describe('For extend: how many days (default 7)'),
});
export const bulkResultSchema = z.object({
  results: z.array(
    z.object({
      invitationId: z.string(),
      ok: z.boolean(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    }),
  ),
});

export const extraTimeBody = z.object({ minutes: z.number().int().min(1).max(600) });
export const extraTimeResultSchema = z.object({
  attemptId: z.string(),
  minutes: z.number().int(),
  sectionDeadlineAt: isoTime.nullable(),
  closeAt: isoTime,
});

export const noteBody = z.object({ body: z.string().trim().min(1).max(10_000) });
export const noteSchema = z.object({
  id: z.string(),
  kind: z.enum(['note', 'stage']),
  body: z.string(),
  author: z.object({ userId: z.string(), name: z.string().nullable() }).nullable(),
  createdAt: isoTime,
});
export const noteListSchema = z.object({ items: z.array(noteSchema) });

// ---------------------------------------------------------------------------------------------
// The candidate report

const reportOption = z.object({
  id: z.string(),
  text: z.string(),
  correct: z.boolean(),
  chosen: z.boolean(),
});
const reportItem = z.object({
  key: z.string(),
  questionId: z.string().nullable(),
  questionVersionId: z.string(),
  subtopic: z.string(),
  difficulty: z.string(),
  kind: z.enum(['single', 'multiple']),
  stem: z.string(),
  options: z.array(reportOption),
  chosen: z.array(z.string()),
  correct: z.array(z.string()),
  mark: z.number().nullable(),
  /** Staff only. */
  explanation: z.string(),
});
const reportReview = z.object({
  id: z.string(),
  reviewer: z.object({ userId: z.string(), name: z.string().nullable() }),
  scores: z.record(z.string(), z.number()),
  total: z.number(),
  comment: z.string(),
  submittedAt: isoTime,
  updatedAt: isoTime,
});
const reportSection = z.object({
  key: z.string(),
  title: z.string(),
  kind: z.enum(['quiz', 'upload']),
  minutes: z.number(),
  weight: z.number(),
  startedAt: isoTime.nullable(),
  deadlineAt: isoTime.nullable(),
  submittedAt: isoTime.nullable(),
  /** Time the section was open for the candidate. */
  timeSpentMs: z.number().int().nullable(),
  score: z.number().nullable(),
  items: z.array(reportItem).optional(),
  uploads: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        size: z.number().int(),
        sha256: z.string(),
        contentType: z.string(),
        createdAt: isoTime,
        removedAt: isoTime.nullable(),
        downloadUrl: z.string(),
      }),
    )
    .optional(),
  review: z
    .object({
      reviewItemId: z.string(),
      state: z.enum(['open', 'complete']),
      reviewsRequired: z.number().int(),
      reviewsDone: z.number().int(),
      score: z.number().nullable(),
      disagreement: z.boolean(),
      reviews: z.array(reportReview),
    })
    .nullable()
    .optional(),
});

export const benchmarkSchema = z.object({
  roleTemplateId: z.string().nullable(),
  gradedCount: z.number().int(),
  /** Median overall score of graded candidates on this organization's assessments of the role. */
  median: z.number().nullable(),
  /** Why there is no benchmark (too few graded candidates, no role template). */
  hiddenReason: z.string().nullable(),
  computedAt: isoTime.nullable(),
});

export const reportSchema = z.object({
  attemptId: z.string(),
  invitationId: z.string().nullable(),
  assessment: z.object({ id: z.string(), name: z.string(), roleTemplateId: z.string().nullable() }),
  candidate: z
    .object({ id: z.string(), name: z.string(), email: z.string(), externalId: z.string().nullable() })
    .nullable(),
  demo: z.boolean(),
  preview: z.boolean(),
  status: z.enum(['in_progress', 'submitted', 'awaiting_review', 'graded']),
  stage: z.enum(stages).nullable(),
  score: z.number().nullable(),
  percentile: z.number().nullable(),
  startedAt: isoTime,
  submittedAt: isoTime.nullable(),
  gradedAt: isoTime.nullable(),
  timeTakenMs: z.number().int().nullable(),
  subtopics: z.array(
    z.object({
      subtopic: z.string(),
      label: z.string(),
      score: z.number(),
      /** The role benchmark's median for this subtopic; null while the benchmark is hidden. */
      benchmark: z.number().nullable(),
    }),
  ),
  benchmark: benchmarkSchema,
  sections: z.array(reportSection),
  integrity: z.object({
    tier: tierSchema,
    events: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        ip: z.string().nullable(),
        userAgent: z.string().nullable(),
        details: z.record(z.string(), z.unknown()),
        createdAt: isoTime,
      }),
    ),
  }),
  notes: z.array(noteSchema),
});
export type Report = z.infer<typeof reportSchema>;

export const reportHtmlQuery = z.object({
  download: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: send as an attachment (report-<attemptId>.html)'),
});

// ---------------------------------------------------------------------------------------------
// Compare

export const compareQuery = z.object({
  attemptIds: z
    .string()
    .max(500)
    .describe('2 to 4 attempt ids, comma-separated')
    .transform((s, c) => {
      const ids = s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      if (ids.length < 2 || ids.length > 4) {
        c.addIssue({ code: 'custom', message: 'Compare 2 to 4 attempts' });
        return z.NEVER;
      }
      if (new Set(ids).size !== ids.length) {
        c.addIssue({ code: 'custom', message: 'An attempt is listed twice' });
        return z.NEVER;
      }
      if (ids.some((id) => id.length > 100)) {
        c.addIssue({ code: 'custom', message: 'Unknown attempt id' });
        return z.NEVER;
      }
      return ids;
    }),
});

export const compareSchema = z.object({
  subtopics: z.array(z.object({ id: z.string(), label: z.string() })),
  attempts: z.array(
    z.object({
      attemptId: z.string(),
      invitationId: z.string().nullable(),
      assessment: z.object({ id: z.string(), name: z.string() }),
      candidate: z.object({ id: z.string(), name: z.string() }).nullable(),
      status: z.enum(['in_progress', 'submitted', 'awaiting_review', 'graded']),
      stage: z.enum(stages).nullable(),
      score: z.number().nullable(),
      percentile: z.number().nullable(),
      bySubtopic: z.record(z.string(), z.number()),
      timeTakenMs: z.number().int().nullable(),
      integrityTier: tierSchema,
    }),
  ),
});

// ---------------------------------------------------------------------------------------------
// Exports

export const exportCsvQuery = pipelineFilterQuery;

// ---------------------------------------------------------------------------------------------
// Item statistics

export const itemFlags = ['negative-discrimination', 'too-easy', 'too-hard', 'unused-distractor'] as const;

export const itemStatsQuery = z.object({
  flagged: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true'))
    .describe('true: only flagged items; false: only unflagged'),
  cursor: z.string().max(100).optional().describe('The nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const itemStatSchema = z.object({
  questionId: z.string(),
  questionVersionId: z.string(),
  version: z.number().int().nullable(),
  stem: z.string(),
  subtopic: z.string().nullable(),
  difficulty: z.string().nullable(),
  kind: z.enum(['single', 'multiple']).nullable(),
  /** Attempts that had the question. */
  n: z.number().int(),
  /** Mean mark over the max mark, in [0, 1]. */
  facility: z.number().nullable(),
  /** Correlation of the item mark with the rest of the test (corrected item-total), in [-1, 1]. */
  discrimination: z.number().nullable(),
  options: z.array(
    z.object({
      id: z.string(),
      text: z.string(),
      correct: z.boolean(),
      count: z.number().int(),
      /** Share of attempts that chose it. */
      share: z.number(),
    }),
  ),
  unanswered: z.number().int(),
  flags: z.array(z.enum(itemFlags)),
  computedAt: isoTime,
});

export const assessmentItemStatsSchema = z.object({
  summary: z
    .object({
      attempts: z.number().int(),
      items: z.number().int(),
      /** Mean quiz mark over the items, in [0, 1]. */
      mean: z.number().nullable(),
      sd: z.number().nullable(),
      /** Cronbach's alpha over the quiz slots (KR-20 for 0/1 marks). */
      alpha: z.number().nullable(),
      sem: z.number().nullable(),
      computedAt: isoTime,
    })
    .nullable(),
  items: z.array(itemStatSchema),
  nextCursor: z.string().nullable(),
});
export const itemStatsPageSchema = z.object({
  items: z.array(itemStatSchema),
  nextCursor: z.string().nullable(),
});
