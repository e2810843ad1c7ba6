import { z } from 'zod';
import { isoTime } from '../../http/schemas.js';

export const candidateIdParam = z.object({ candidateId: z.string().min(1).max(100) });

export const privacySettingsSchema = z.object({
  retentionDays: z
    .number()
    .int()
    .nullable()
    .describe(
      "Days after the decision (stage rejected or hired, or the assessment closed) before a candidate's personal data is erased; null keeps it until someone erases it",
    ),
  updatedAt: isoTime.nullable(),
});

export const updatePrivacySettingsBody = z
  .object({ retentionDays: z.number().int().min(1).max(3650).nullable() })
  .strict();

const json = z.record(z.string(), z.unknown());

/** Everything Assay holds about one candidate (GDPR Art. 15 and 20), in one JSON document. */
export const candidateExportSchema = z.object({
  exportedAt: isoTime,
  candidate: z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    externalId: z.string().nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
    erasedAt: isoTime.nullable(),
  }),
  invitations: z.array(
    z.object({
      id: z.string(),
      assessmentId: z.string(),
      assessmentName: z.string(),
      source: z.string(),
      status: z.string(),
      stage: z.string(),
      extraTime: z.number(),
      remindersSent: z.number().int(),
      createdAt: isoTime,
      sentAt: isoTime.nullable(),
      openedAt: isoTime.nullable(),
      startedAt: isoTime.nullable(),
      completedAt: isoTime.nullable(),
      revokedAt: isoTime.nullable(),
      expiresAt: isoTime,
    }),
  ),
  registrations: z.array(
    z.object({
      id: z.string(),
      assessmentId: z.string(),
      email: z.string(),
      name: z.string(),
      createdAt: isoTime,
      verifiedAt: isoTime.nullable(),
    }),
  ),
  attempts: z.array(
    z.object({
      id: z.string(),
      invitationId: z.string().nullable(),
      assessmentId: z.string(),
      status: z.string(),
      startedAt: isoTime,
      submittedAt: isoTime.nullable(),
      gradedAt: isoTime.nullable(),
      score: z.number().nullable(),
      scores: json.nullable(),
      percentile: z.number().nullable(),
      integrityTier: z.string(),
      sections: z.array(
        z.object({
          key: z.string(),
          title: z.string(),
          kind: z.string(),
          startedAt: isoTime.nullable(),
          deadlineAt: isoTime.nullable(),
          submittedAt: isoTime.nullable(),
        }),
      ),
      answers: z.array(
        z.object({
          itemKey: z.string(),
          choice: z.array(z.string()),
          seq: z.number().int(),
          savedAt: isoTime,
        }),
      ),
      uploads: z.array(
        z.object({
          id: z.string(),
          sectionKey: z.string(),
          name: z.string(),
          extension: z.string(),
          contentType: z.string(),
          size: z.number().int(),
          sha256: z.string(),
          createdAt: isoTime,
          removedAt: isoTime.nullable(),
        }),
      ),
      integrityEvents: z.array(
        z.object({
          id: z.string(),
          type: z.string(),
          ip: z.string().nullable(),
          userAgent: z.string().nullable(),
          details: json,
          createdAt: isoTime,
        }),
      ),
      sessions: z.array(
        z.object({
          id: z.string(),
          ip: z.string().nullable(),
          userAgent: z.string().nullable(),
          createdAt: isoTime,
          expiresAt: isoTime,
        }),
      ),
    }),
  ),
  emails: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      to: z.string(),
      subject: z.string(),
      status: z.string(),
      createdAt: isoTime,
      sentAt: isoTime.nullable(),
    }),
  ),
  notes: z.array(
    z.object({
      id: z.string(),
      invitationId: z.string(),
      kind: z.string(),
      body: z.string(),
      authorUserId: z.string().nullable(),
      createdAt: isoTime,
    }),
  ),
  reviews: z.array(
    z.object({
      id: z.string(),
      attemptId: z.string(),
      sectionKey: z.string(),
      reviewerUserId: z.string(),
      scores: json.nullable(),
      total: z.number(),
      comment: z.string(),
      createdAt: isoTime,
      updatedAt: isoTime,
    }),
  ),
  events: z.array(z.object({ id: z.string(), type: z.string(), data: json, createdAt: isoTime })),
});
export type CandidateExport = z.infer<typeof candidateExportSchema>;

export const erasureResultSchema = z.object({
  candidateId: z.string(),
  erasedAt: isoTime,
  /** Counts of what was erased; aggregates (scores, stages, answers) are kept, anonymised. */
  erased: z.object({
    uploads: z.number().int(),
    emails: z.number().int(),
    registrations: z.number().int(),
    sessions: z.number().int(),
    integrityEvents: z.number().int(),
    storedResponses: z.number().int(),
    importReports: z.number().int(),
    notes: z.number().int(),
    reviewComments: z.number().int(),
  }),
});
export type ErasureResult = z.infer<typeof erasureResultSchema>;
