// The assessments API shapes (staff). Sections and settings are the shared model's schemas, so what
// the builder sends is validated exactly as it is stored.
import { z } from 'zod';
import { isoTime, nameField, pageQuery } from '../../http/schemas.js';
import { difficulties } from '../bank/bank.model.js';
import { assessmentSettingsSchema, sectionSchema } from './assessment.model.js';

export const assessmentStates = ['draft', 'open', 'closed', 'archived'] as const;

const counts = z
  .object({
    invited: z.number().int().describe('Invitations that were not revoked'),
    started: z.number().int().describe('Candidates who started (including those who completed)'),
    completed: z.number().int(),
  })
  .meta({ id: 'AssessmentCounts' });

export const assessmentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    roleTemplateId: z.string().nullable(),
    state: z.enum(assessmentStates),
    revision: z.number().int().describe('Incremented on every edit; send it back to detect concurrent edits'),
    sections: z.array(sectionSchema),
    settings: assessmentSettingsSchema,
    publicLinkActive: z.boolean().describe('Whether a public self-registration link currently works'),
    counts,
    createdAt: isoTime,
    updatedAt: isoTime,
    openedAt: isoTime.nullable(),
    closedAt: isoTime.nullable(),
  })
  .meta({ id: 'Assessment' });

export const assessmentSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    roleTemplateId: z.string().nullable(),
    state: z.enum(assessmentStates),
    revision: z.number().int(),
    sectionCount: z.number().int(),
    totalMinutes: z.number().int(),
    counts,
    createdAt: isoTime,
    updatedAt: isoTime,
    openedAt: isoTime.nullable(),
    closedAt: isoTime.nullable(),
  })
  .meta({ id: 'AssessmentSummary' });

export const listAssessmentsQuery = pageQuery.extend({
  q: z.string().trim().max(200).optional().describe('Part of the name, any case'),
  state: z
    .enum([...assessmentStates, 'all'])
    .optional()
    .describe('Only this state; by default every state except archived'),
});
export type ListAssessmentsQuery = z.output<typeof listAssessmentsQuery>;

export const createAssessmentBody = z
  .object({
    name: nameField.optional().describe('Defaults to the role template name'),
    roleTemplateId: z
      .string()
      .max(100)
      .optional()
      .describe('Prefill from this role template: one quiz section and its suggested upload tasks'),
  })
  .refine((b) => b.name !== undefined || b.roleTemplateId !== undefined, {
    message: 'Give a name, or a role template to start from',
    path: ['name'],
  });
export type CreateAssessmentInput = z.output<typeof createAssessmentBody>;

export const duplicateAssessmentBody = z.object({ name: nameField.optional() }).nullish();

export const updateAssessmentBody = z.object({
  name: nameField.optional(),
  sections: z.array(sectionSchema).max(20).optional().describe('The whole ordered list; replaces it'),
  settings: assessmentSettingsSchema
    .optional()
    .describe('The whole settings object; publicLink is managed by the public-link routes and ignored here'),
  revision: z
    .number()
    .int()
    .optional()
    .describe('The revision you edited; a different current revision answers 409'),
});
export type UpdateAssessmentInput = z.output<typeof updateAssessmentBody>;

export const drawCheckSchema = z
  .object({
    ok: z.boolean(),
    shortages: z
      .array(
        z.object({
          sectionKey: z.string(),
          subtopic: z.string(),
          difficulty: z.enum(difficulties),
          needed: z.number().int().describe('Questions the cell must hold: twice what it draws'),
          available: z.number().int().describe('Active questions in the cell available to this section'),
        }),
      )
      .describe('Subtopic × difficulty cells without enough questions'),
    problems: z
      .array(
        z.object({
          sectionKey: z.string().nullable(),
          code: z.enum([
            'NO_SECTIONS',
            'DUPLICATE_SECTION_KEY',
            'PINNED_NOT_AVAILABLE',
            'PINNED_OVER_SUBTOPIC',
            'UPLOAD_TASK_NOT_AVAILABLE',
          ]),
          id: z.string().nullable(),
          message: z.string(),
        }),
      )
      .describe('Other reasons the assessment cannot be opened'),
  })
  .meta({ id: 'DrawCheck' });
export type DrawCheck = z.output<typeof drawCheckSchema>;

export const publicLinkBody = z
  .object({
    cap: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .nullable()
      .optional()
      .describe('Most candidates who may join through the link; null for no limit; omitted keeps it'),
  })
  .nullish();

export const publicLinkSchema = z
  .object({
    url: z.string().describe('Shown once: only a hash of its token is kept'),
    enabled: z.literal(true),
    cap: z.number().int().nullable(),
  })
  .meta({ id: 'PublicLink' });
