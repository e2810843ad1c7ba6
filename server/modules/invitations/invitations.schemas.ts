// The invitations API shapes. Staff schemas first; the candidate-facing and public ones after them
// are separate on purpose: they carry no other candidate's data, no ids beyond what the caller holds,
// and nothing about scoring.
import { z } from 'zod';
import { emailField, isoTime, nameField, pageQuery } from '../../http/schemas.js';
import { integritySignals } from '../assessments/assessment.model.js';

export const invitationStatuses = [
  'invited',
  'opened',
  'started',
  'completed',
  'expired',
  'revoked',
] as const;
export const stages = ['new', 'shortlisted', 'interview', 'rejected', 'hired'] as const;
export const invitationSources = ['single', 'csv', 'public', 'api', 'demo'] as const;

// ---------------------------------------------------------------------------------------------
// Staff

export const invitationSchema = z
  .object({
    id: z.string(),
    assessmentId: z.string(),
    candidate: z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      externalId: z.string().nullable(),
    }),
    status: z
      .enum(invitationStatuses)
      .describe('invited and opened turn into expired once expiresAt has passed'),
    stage: z.enum(stages),
    source: z.enum(invitationSources),
    extraTime: z.number().describe('Time limits are multiplied by this'),
    remindersSent: z.number().int(),
    createdAt: isoTime,
    sentAt: isoTime.nullable(),
    openedAt: isoTime.nullable(),
    startedAt: isoTime.nullable(),
    completedAt: isoTime.nullable(),
    revokedAt: isoTime.nullable(),
    expiresAt: isoTime,
  })
  .meta({ id: 'Invitation' });

export const inviteCandidateBody = z.object({
  email: emailField,
  name: nameField,
  externalId: z.string().trim().max(200).nullable().optional().describe("The applicant-tracking system's id"),
  extraTime: z
    .number()
    .min(1)
    .max(3)
    .optional()
    .describe("Multiplier for the time limits (accommodations), up to the assessment's maxExtraTime"),
});

export const inviteResultSchema = z
  .object({
    created: z.boolean().describe('false: the candidate was already invited and nothing was sent'),
    invitation: invitationSchema,
  })
  .meta({ id: 'InviteResult' });

export const listInvitationsQuery = pageQuery.extend({
  status: z.enum(invitationStatuses).optional(),
  q: z.string().trim().max(200).optional().describe('Part of the name, email or external id'),
});

export const extendBody = z
  .object({
    days: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(7)
      .describe('Days added to the expiry (counted from now if it has passed); default 7'),
  })
  .nullish();

export const bulkBody = z.object({
  action: z.enum(['resend', 'revoke', 'extend']),
  invitationIds: z.array(z.string().min(1).max(100)).min(1).max(500),
  days: z.number().int().min(1).max(365).optional().describe('For extend; default 7'),
});

export const bulkResultSchema = z
  .object({
    results: z.array(
      z.object({
        invitationId: z.string(),
        ok: z.boolean(),
        error: z.object({ code: z.string(), message: z.string() }).nullable(),
      }),
    ),
  })
  .meta({ id: 'BulkInvitationResult' });

export const importSchema = z
  .object({
    id: z.string(),
    assessmentId: z.string(),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    totalRows: z.number().int(),
    processedRows: z.number().int(),
    accepted: z.number().int().describe('Rows that created an invitation'),
    alreadyInvited: z.number().int().describe('Rows whose candidate was already invited: nothing sent'),
    rejected: z.number().int(),
    report: z
      .array(z.object({ row: z.number().int(), email: z.string(), reason: z.string() }))
      .describe('Every rejected row and why, once the import is done; rows count the header as row 1'),
    error: z.string().nullable().describe('Why the whole import failed'),
    createdAt: isoTime,
    finishedAt: isoTime.nullable(),
  })
  .meta({ id: 'CandidateImport' });

// ---------------------------------------------------------------------------------------------
// Public and candidate-facing

export const tokenBody = z.object({ token: z.string().min(10).max(200) });

export const landingSchema = z
  .object({
    organizationName: z.string(),
    assessmentName: z.string(),
    intro: z.string().describe('Markdown'),
    candidateName: z.string(),
    sections: z.array(
      z.object({
        title: z.string(),
        kind: z.enum(['quiz', 'upload']),
        minutes: z.number().int().describe('Including your extra time'),
        questionCount: z.number().int().nullable(),
      }),
    ),
    extraTime: z.number(),
    integritySignals: z.array(z.enum(integritySignals)).describe('What is recorded while you take it'),
    privacyNotice: z.string(),
    accommodationsContact: z.string(),
    expiresAt: isoTime,
    state: z.enum(['ready', 'in_progress', 'completed', 'closed']),
  })
  .meta({ id: 'CandidateLanding' });

export const publicLinkInfoSchema = z
  .object({ organizationName: z.string(), assessmentName: z.string(), intro: z.string() })
  .meta({ id: 'PublicLinkInfo' });

export const registerBody = tokenBody.extend({ name: nameField, email: emailField });

export const verifyResultSchema = z
  .object({ invitationUrl: z.string().describe('Your personal invitation link') })
  .meta({ id: 'VerifiedRegistration' });
