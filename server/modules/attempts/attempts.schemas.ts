// Request and response schemas for attempts. The candidate-facing ones are their own types with no
// field that could carry an answer key, an explanation, a rubric, reviewer notes or a score before
// grading: what isn't in these schemas can't leave the server on a candidate route.
import { z } from 'zod';
import { isoTime } from '../../http/schemas.js';
import { clientSignalTypes } from './integrity.js';

const key = z.string().min(1).max(40);
const optionId = z.string().min(1).max(12);

// ---------------------------------------------------------------------------------------------
// Candidate requests

export const startBody = z.object({ token: z.string().min(10).max(200) });
export const startReply = z.object({ attemptUrl: z.literal('/take') });

/** Sequence numbers order one browser's saves of an item; the server keeps the highest. */
const seq = z.number().int().min(0).max(2_147_483_647);

export const answerBody = z.object({
  choice: z.array(optionId).max(12),
  seq,
});
export const itemKeyParam = z.object({ itemKey: key });
export const sectionKeyParam = z.object({ sectionKey: key });
export const uploadIdParam = z.object({ uploadId: z.string().min(1).max(100) });

export const batchAnswer = z.object({ itemKey: key, choice: z.array(optionId).max(12), seq });
export const batchAnswersBody = z.object({ answers: z.array(batchAnswer).max(500) });
export const finalAnswersBody = z.object({ answers: z.array(batchAnswer).max(500).optional() });

export const answerReply = z.object({
  itemKey: z.string(),
  /** The sequence number the server holds now: yours, or a newer one it already had. */
  seq: z.number().int(),
  /** False when the server already held this or a newer save (nothing changed). */
  saved: z.boolean(),
});
export const batchAnswersReply = z.object({
  results: z.array(
    answerReply.extend({
      /** locked: a section without going back had already moved past this item. */
      outcome: z.enum(['saved', 'stale', 'locked']),
    }),
  ),
});

export const integrityBody = z.object({
  type: z.enum(clientSignalTypes),
  details: z
    .record(z.string().max(40), z.union([z.string().max(200), z.number(), z.boolean(), z.null()]))
    .refine((d) => Object.keys(d).length <= 10, 'At most 10 details')
    .optional(),
});
export const integrityReply = z.object({ recorded: z.boolean() });

// ---------------------------------------------------------------------------------------------
// Candidate state

const candidateOption = z.object({ id: z.string(), text: z.string() });
const candidateItem = z.object({
  key: z.string(),
  stem: z.string(),
  kind: z.enum(['single', 'multiple']),
  /** In the order this candidate sees them. */
  options: z.array(candidateOption),
  /** The chosen option ids as last saved. */
  answer: z.array(z.string()),
  /** The sequence number of that save (0 when unanswered): continue above it. */
  seq: z.number().int(),
});
const uploadedFile = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  createdAt: isoTime,
});
const currentQuiz = z.object({
  kind: z.literal('quiz'),
  key: z.string(),
  allowBack: z.boolean(),
  /** Sections without going back refuse changes to items before this index. */
  furthestItem: z.number().int(),
  items: z.array(candidateItem),
});
const currentUpload = z.object({
  kind: z.literal('upload'),
  key: z.string(),
  prompt: z.string(),
  accept: z.array(z.string()),
  maxSizeMb: z.number(),
  maxFiles: z.number().int(),
  allowZip: z.boolean(),
  files: z.array(uploadedFile),
});
const sectionSummary = z.object({
  key: z.string(),
  title: z.string(),
  kind: z.enum(['quiz', 'upload']),
  minutes: z.number(),
  /** This candidate's limit, extra time included. */
  timeLimitMs: z.number().int(),
  itemCount: z.number().int().nullable(),
  /** pending: later; ready: may be started now; active: running; submitted: done. */
  state: z.enum(['pending', 'ready', 'active', 'submitted']),
});

export const attemptStateSchema = z.object({
  organization: z.object({ name: z.string() }),
  assessment: z.object({ name: z.string(), intro: z.string() }),
  status: z.enum(['in_progress', 'submitted', 'awaiting_review', 'graded']),
  preview: z.boolean(),
  /** section: a section is running; between-sections: the next one waits for the candidate. */
  phase: z.enum(['section', 'between-sections', 'finished']),
  serverTime: isoTime,
  sections: z.array(sectionSummary),
  currentSectionIndex: z.number().int().nullable(),
  deadlineAt: isoTime.nullable(),
  /** Time left in the current section by the server's clock. */
  remainingMs: z.number().int().nullable(),
  /** Writes this long after the deadline are still accepted (network latency). */
  graceMs: z.number().int(),
  /** False when another browser or device has taken this attempt over; claim it back to write. */
  writer: z.boolean(),
  /** The browser signals this assessment records. */
  integritySignals: z.array(z.enum(clientSignalTypes)),
  current: z.discriminatedUnion('kind', [currentQuiz, currentUpload]).nullable(),
});
export type AttemptState = z.infer<typeof attemptStateSchema>;

export const uploadReply = uploadedFile;

export const resultSchema = z.object({
  status: z.enum(['in_progress', 'submitted', 'awaiting_review', 'graded']),
  /** Overall score in [0, 1], when the feedback policy shares it. */
  score: z.number().optional(),
  bySubtopic: z.array(z.object({ subtopic: z.string(), label: z.string(), score: z.number() })).optional(),
  /** While uploads wait for review: what was received. */
  receipt: z
    .object({
      submittedAt: isoTime,
      files: z.array(z.object({ name: z.string(), size: z.number().int(), sha256: z.string() })),
    })
    .optional(),
});

// ---------------------------------------------------------------------------------------------
// Staff

export const previewReply = z.object({ attemptId: z.string(), attemptUrl: z.literal('/take') });

const staffItem = z.object({
  key: z.string(),
  questionId: z.string().nullable(),
  questionVersionId: z.string(),
  subtopic: z.string(),
  difficulty: z.string(),
  kind: z.enum(['single', 'multiple']),
  stem: z.string(),
  options: z.array(candidateOption),
  correct: z.array(z.string()),
  chosen: z.array(z.string()),
  mark: z.number().nullable(),
});

export const staffAttemptSchema = z.object({
  id: z.string(),
  assessmentId: z.string(),
  invitationId: z.string().nullable(),
  candidateId: z.string().nullable(),
  preview: z.boolean(),
  status: z.enum(['in_progress', 'submitted', 'awaiting_review', 'graded']),
  extraTime: z.number(),
  startedAt: isoTime,
  submittedAt: isoTime.nullable(),
  gradedAt: isoTime.nullable(),
  closeAt: isoTime,
  score: z.number().nullable(),
  percentile: z.number().nullable(),
  integrityTier: z.enum(['none', 'some', 'major']),
  bySubtopic: z.record(z.string(), z.number()),
  sections: z.array(
    z.object({
      key: z.string(),
      title: z.string(),
      kind: z.enum(['quiz', 'upload']),
      minutes: z.number(),
      weight: z.number(),
      startedAt: isoTime.nullable(),
      deadlineAt: isoTime.nullable(),
      submittedAt: isoTime.nullable(),
      score: z.number().nullable(),
      items: z.array(staffItem).optional(),
      uploads: z
        .array(
          uploadedFile.extend({
            contentType: z.string(),
            removedAt: isoTime.nullable(),
          }),
        )
        .optional(),
    }),
  ),
  integrityEvents: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      details: z.record(z.string(), z.unknown()),
      createdAt: isoTime,
    }),
  ),
});
export const attemptIdParam = z.object({ attemptId: z.string().min(1).max(100) });
export const attemptUploadParams = z.object({
  attemptId: z.string().min(1).max(100),
  uploadId: z.string().min(1).max(100),
});
export const assessmentIdParam = z.object({ assessmentId: z.string().min(1).max(100) });
