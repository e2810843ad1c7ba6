// Reviewer-facing schemas. They are blind by construction: no field can carry the candidate's name,
// email or external id, the original file names, or the quiz score. Other reviewers' scores appear
// only in `others`, which the service fills only after the caller's own review is in.
import { z } from 'zod';
import { isoTime } from '../../http/schemas.js';

export const reviewItemParams = z.object({ reviewItemId: z.string().min(1).max(100) });
export const reviewFileParams = z.object({
  reviewItemId: z.string().min(1).max(100),
  uploadId: z.string().min(1).max(100),
});

export const queueQuery = z.object({
  cursor: z.string().max(200).optional().describe('The nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const queueItem = z.object({
  id: z.string(),
  assessment: z.object({ name: z.string() }),
  section: z.object({ title: z.string() }),
  submittedAt: isoTime,
  reviewsRequired: z.number().int(),
  reviewsDone: z.number().int(),
  demo: z.boolean(),
});
export const queueSchema = z.object({ items: z.array(queueItem), nextCursor: z.string().nullable() });

const rubricLevel = z.object({ score: z.number().int(), descriptor: z.string() });
const rubricCriterion = z.object({ id: z.string(), name: z.string(), levels: z.array(rubricLevel) });

const scoresSchema = z.record(z.string(), z.number());

export const myReviewSchema = z.object({
  id: z.string(),
  scores: scoresSchema,
  /** Sum of the chosen levels over the sum of each criterion's best level, in [0, 1]. */
  total: z.number(),
  comment: z.string(),
  submittedAt: isoTime,
  updatedAt: isoTime,
});

const otherReview = z.object({
  /** "Reviewer 2": reviewers see each other's scores, never names. */
  label: z.string(),
  scores: scoresSchema,
  total: z.number(),
  comment: z.string(),
});

export const reviewItemSchema = z.object({
  id: z.string(),
  state: z.enum(['open', 'complete']),
  assessment: z.object({ name: z.string() }),
  section: z.object({ key: z.string(), title: z.string() }),
  task: z.object({
    title: z.string(),
    prompt: z.string(),
    rubric: z.array(rubricCriterion),
    reviewerNotes: z.string(),
  }),
  files: z.array(
    z.object({
      id: z.string(),
      /** `submission-<n>.<ext>`: the candidate's own file name is never shown to reviewers. */
      label: z.string(),
      size: z.number().int(),
      sha256: z.string(),
      downloadUrl: z.string(),
    }),
  ),
  submittedAt: isoTime,
  reviewsRequired: z.number().int(),
  reviewsDone: z.number().int(),
  /** Yours, once submitted. */
  mine: myReviewSchema.nullable(),
  /** The other reviewers' scores: null until your own review is in. */
  others: z.array(otherReview).nullable(),
  /** The section's final score and the disagreement flag: null until your review is in and all are. */
  outcome: z.object({ score: z.number(), disagreement: z.boolean() }).nullable(),
});

export const reviewBody = z.object({
  /** One level score per rubric criterion, by criterion id. */
  scores: z.record(z.string().max(100), z.number().int().min(0).max(10)),
  comment: z.string().trim().max(10_000).default(''),
});

export const myReviewsQuery = queueQuery;
export const myReviewsSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      reviewItemId: z.string(),
      assessment: z.object({ name: z.string() }),
      section: z.object({ title: z.string() }),
      state: z.enum(['open', 'complete']),
      total: z.number(),
      submittedAt: isoTime,
      updatedAt: isoTime,
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const reviewParams = z.object({ reviewId: z.string().min(1).max(100) });

/** One review for staff and integrations (reviews.read): the reviewer named, the section's outcome. */
export const staffReviewSchema = z.object({
  id: z.string(),
  reviewItemId: z.string(),
  attemptId: z.string(),
  assessmentId: z.string(),
  sectionKey: z.string(),
  reviewer: z.object({ userId: z.string(), name: z.string().nullable() }),
  scores: scoresSchema,
  total: z.number(),
  comment: z.string(),
  submittedAt: isoTime,
  updatedAt: isoTime,
  item: z.object({
    state: z.enum(['open', 'complete']),
    reviewsRequired: z.number().int(),
    reviewsDone: z.number().int(),
    score: z.number().nullable(),
    disagreement: z.boolean(),
  }),
});
