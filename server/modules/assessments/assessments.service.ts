// Assessments: what candidates are invited to. Owns the builder (create from a role template or
// blank, duplicate, edit sections and settings), the lifecycle draft → open → closed → archived, the
// draw check that guards opening, and the public self-registration link's secret.
import type { Ctx } from '../../context.js';
import { hashToken, randomToken } from '../../crypto.js';
import type { DbOrTrx } from '../../db/database.js';
import { AppError, conflict, invalid, notFound } from '../../errors.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { toIso, toIsoOrNull } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { authorize } from '../accounts/accounts.service.js';
import { recordAudit } from '../audit/audit.service.js';
import { subtopicIds } from '../bank/bank.model.js';
import { findRoleTemplate, getCurrentUploadTaskVersion, listRoleTemplates } from '../bank/bank.service.js';
import { countInvitationsByAssessment, type InvitationCounts } from '../invitations/invitations.service.js';
import {
  type AssessmentSettings,
  assessmentSettingsSchema,
  parseSections,
  parseSettings,
  type Section,
  sectionSchema,
} from './assessment.model.js';
import {
  findAssessment,
  findAssessmentByPublicLinkHash,
  findAssessmentWithOrganizationName,
  insertAssessment,
  listAssessments as listAssessmentRows,
  updateAssessment as updateAssessmentRow,
} from './assessments.repository.js';
import type {
  CreateAssessmentInput,
  DrawCheck,
  ListAssessmentsQuery,
  UpdateAssessmentInput,
} from './assessments.schemas.js';
import type { AssessmentRow, AssessmentState } from './assessments.table.js';
import { checkSectionsDraw } from './draw.js';

const noCounts: InvitationCounts = { invited: 0, started: 0, completed: 0 };

function toAssessment(row: AssessmentRow, counts: InvitationCounts = noCounts) {
  return {
    id: row.id,
    name: row.name,
    roleTemplateId: row.role_template_id,
    state: row.state,
    revision: row.revision,
    sections: parseSections(row.sections),
    settings: parseSettings(row.settings),
    publicLinkActive: row.public_link_hash !== null && parseSettings(row.settings).publicLink.enabled,
    counts,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    openedAt: toIsoOrNull(row.opened_at),
    closedAt: toIsoOrNull(row.closed_at),
  };
}

function toSummary(row: AssessmentRow, counts: InvitationCounts = noCounts) {
  const sections = parseSections(row.sections);
  return {
    id: row.id,
    name: row.name,
    roleTemplateId: row.role_template_id,
    state: row.state,
    revision: row.revision,
    sectionCount: sections.length,
    totalMinutes: sections.reduce((s, x) => s + x.minutes, 0),
    counts,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    openedAt: toIsoOrNull(row.opened_at),
    closedAt: toIsoOrNull(row.closed_at),
  };
}

async function requireAssessment(db: DbOrTrx, orgId: string, id: string): Promise<AssessmentRow> {
  const row = await findAssessment(db, orgId, id);
  if (!row) throw notFound('Assessment');
  return row;
}

function assertUniqueKeys(sections: readonly Section[]): void {
  const seen = new Map<string, number>();
  for (const [i, s] of sections.entries()) {
    if (seen.has(s.key))
      throw invalid('Section keys must be unique', {
        [`body.sections.${i}.key`]: 'Another section has this key',
      });
    seen.set(s.key, i);
  }
}

async function assertUploadTasks(db: DbOrTrx, orgId: string, sections: readonly Section[]): Promise<void> {
  for (const [i, s] of sections.entries()) {
    if (s.kind !== 'upload') continue;
    try {
      await getCurrentUploadTaskVersion(db, orgId, s.taskId);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      throw invalid('An upload task is not available', {
        [`body.sections.${i}.taskId`]: 'No such upload task, or it is retired',
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function listAssessments(ctx: Ctx, actor: StaffActor, query: ListAssessmentsQuery) {
  authorize(actor, 'assessments.read');
  const rows = await listAssessmentRows(ctx.db, { ...query, orgId: actor.orgId });
  const page = rows.slice(0, query.limit);
  const counts = await countInvitationsByAssessment(
    ctx.db,
    actor.orgId,
    page.map((r) => r.id),
  );
  return {
    items: page.map((r) => toSummary(r, counts.get(r.id))),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getAssessment(ctx: Ctx, actor: StaffActor, assessmentId: string) {
  authorize(actor, 'assessments.read');
  const row = await requireAssessment(ctx.db, actor.orgId, assessmentId);
  const counts = await countInvitationsByAssessment(ctx.db, actor.orgId, [row.id]);
  return toAssessment(row, counts.get(row.id));
}

export async function checkAssessmentDraw(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
): Promise<DrawCheck> {
  authorize(actor, 'assessments.read');
  const row = await requireAssessment(ctx.db, actor.orgId, assessmentId);
  return checkSectionsDraw(ctx.db, actor.orgId, parseSections(row.sections));
}

// ---------------------------------------------------------------------------------------------
// Building

/**
 * The sections a role template suggests: one quiz section, then an upload section for the first
 * suggested task that is available. One task keeps the default sitting to a sensible length; the
 * recruiter adds others from the builder.
 */
async function sectionsFromTemplate(ctx: Ctx, actor: StaffActor & { orgId: string }, roleTemplateId: string) {
  const template = findRoleTemplate(roleTemplateId);
  if (!template)
    throw invalid('No such role template', { 'body.roleTemplateId': 'Choose one of the role templates' });
  const weights = Object.fromEntries(subtopicIds.map((s) => [s, template.weights[s] ?? 0]));
  const sections: Section[] = [
    sectionSchema.parse({
      key: 'concepts',
      kind: 'quiz',
      title: 'Concepts & Knowledge',
      minutes: template.minutes,
      questionCount: template.questionCount,
      subtopicWeights: weights,
      difficulty: template.difficulty,
    }),
  ];
  const listed = (await listRoleTemplates(ctx, actor)).items.find((r) => r.id === template.id);
  for (const [i, task] of (listed?.uploadTasks ?? []).entries()) {
    // A suggested task that is retired (or not available) is left out rather than failing the create.
    const v = await getCurrentUploadTaskVersion(ctx.db, actor.orgId, task.id).catch((err) => {
      if (err instanceof AppError) return undefined;
      throw err;
    });
    if (!v) continue;
    if (sections.length > 1) break;
    sections.push(
      sectionSchema.parse({
        key: `upload-${i + 1}`,
        kind: 'upload',
        title: v.title,
        minutes: v.minutes,
        taskId: task.id,
        accept: v.accept,
        maxSizeMb: v.maxSizeMb,
        maxFiles: v.maxFiles,
        allowZip: v.allowZip,
      }),
    );
  }
  return { name: template.name, sections };
}

export async function createAssessment(
  ctx: Ctx,
  actor: StaffActor,
  input: CreateAssessmentInput,
  meta: RequestMeta,
) {
  authorize(actor, 'assessments.write');
  const prefill = input.roleTemplateId
    ? await sectionsFromTemplate(ctx, actor, input.roleTemplateId)
    : { name: 'Untitled assessment', sections: [] as Section[] };
  const now = ctx.clock.now();
  const row: AssessmentRow = {
    id: newId(now),
    org_id: actor.orgId,
    name: input.name ?? prefill.name,
    role_template_id: input.roleTemplateId ?? null,
    state: 'draft',
    settings: JSON.stringify(assessmentSettingsSchema.parse({})),
    sections: JSON.stringify(prefill.sections),
    revision: 1,
    public_link_hash: null,
    is_demo: 0,
    created_by: actor.userId,
    created_at: now,
    updated_at: now,
    opened_at: null,
    closed_at: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await insertAssessment(trx, row);
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'assessment.created',
      targetType: 'assessment',
      targetId: row.id,
      details: { roleTemplateId: row.role_template_id },
      meta,
    });
  });
  return toAssessment(row);
}

export async function duplicateAssessment(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  input: { name?: string } | null | undefined,
  meta: RequestMeta,
) {
  authorize(actor, 'assessments.write');
  const source = await requireAssessment(ctx.db, actor.orgId, assessmentId);
  const now = ctx.clock.now();
  const settings = parseSettings(source.settings);
  const row: AssessmentRow = {
    ...source,
    id: newId(now),
    name: input?.name ?? `Copy of ${source.name}`.slice(0, 200),
    state: 'draft',
    // The copy starts without a public link: the original's link keeps pointing at the original.
    settings: JSON.stringify({ ...settings, publicLink: { ...settings.publicLink, enabled: false } }),
    revision: 1,
    public_link_hash: null,
    is_demo: 0,
    created_by: actor.userId,
    created_at: now,
    updated_at: now,
    opened_at: null,
    closed_at: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await insertAssessment(trx, row);
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'assessment.created',
      targetType: 'assessment',
      targetId: row.id,
      details: { duplicatedFrom: source.id },
      meta,
    });
  });
  return toAssessment(row);
}

export async function updateAssessment(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  input: UpdateAssessmentInput,
  _meta: RequestMeta,
) {
  authorize(actor, 'assessments.write');
  const current = await requireAssessment(ctx.db, actor.orgId, assessmentId);
  if (current.state === 'archived') throw conflict('An archived assessment cannot be edited');
  if (input.revision !== undefined && input.revision !== current.revision)
    throw conflict('Someone else changed this assessment; reload it', { revision: current.revision });
  if (input.sections) {
    assertUniqueKeys(input.sections);
    await assertUploadTasks(ctx.db, actor.orgId, input.sections);
    // An open assessment keeps being drawable: candidates start from whatever is saved.
    if (current.state === 'open') await assertDrawable(ctx.db, actor.orgId, input.sections);
  }
  let settings: AssessmentSettings | undefined;
  if (input.settings) {
    const stored = parseSettings(current.settings);
    settings = { ...input.settings, publicLink: stored.publicLink };
  }
  const now = ctx.clock.now();
  const set = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.sections ? { sections: JSON.stringify(input.sections) } : {}),
    ...(settings ? { settings: JSON.stringify(settings) } : {}),
    revision: current.revision + 1,
    updated_at: now,
  };
  const changed = await updateAssessmentRow(ctx.db, actor.orgId, assessmentId, set, {
    revision: current.revision,
  });
  if (!changed) throw conflict('Someone else changed this assessment; reload it');
  return getAssessment(ctx, actor, assessmentId);
}

async function assertDrawable(db: DbOrTrx, orgId: string, sections: readonly Section[]) {
  const check = await checkSectionsDraw(db, orgId, sections);
  if (!check.ok)
    throw conflict('Some sections cannot be drawn; add questions or change the mix', {
      shortages: check.shortages,
      problems: check.problems,
    });
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

async function transition(
  ctx: Ctx,
  actor: StaffActor & { orgId: string },
  assessmentId: string,
  p: {
    from: readonly AssessmentState[];
    to: AssessmentState;
    action: string;
    refusal: string;
    checkDraw?: boolean;
  },
  meta: RequestMeta,
) {
  const current = await requireAssessment(ctx.db, actor.orgId, assessmentId);
  if (!p.from.includes(current.state)) throw conflict(p.refusal, { state: current.state });
  if (p.checkDraw) await assertDrawable(ctx.db, actor.orgId, parseSections(current.sections));
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const changed = await updateAssessmentRow(
      trx,
      actor.orgId,
      assessmentId,
      {
        state: p.to,
        updated_at: now,
        ...(p.to === 'open' ? { opened_at: now, closed_at: null } : {}),
        ...(p.to === 'closed' ? { closed_at: now } : {}),
      },
      { fromStates: p.from, revision: current.revision },
    );
    if (!changed) throw conflict('The assessment changed meanwhile; reload it and try again');
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: p.action,
      targetType: 'assessment',
      targetId: assessmentId,
      details: { from: current.state, to: p.to, revision: current.revision },
      meta,
    });
  });
  return getAssessment(ctx, actor, assessmentId);
}

export async function openAssessment(ctx: Ctx, actor: StaffActor, assessmentId: string, meta: RequestMeta) {
  authorize(actor, 'assessments.write');
  return transition(
    ctx,
    actor,
    assessmentId,
    {
      from: ['draft'],
      to: 'open',
      action: 'assessment.opened',
      refusal: 'Only a draft can be opened; reopen a closed one',
      checkDraw: true,
    },
    meta,
  );
}

export async function reopenAssessment(ctx: Ctx, actor: StaffActor, assessmentId: string, meta: RequestMeta) {
  authorize(actor, 'assessments.write');
  return transition(
    ctx,
    actor,
    assessmentId,
    {
      from: ['closed'],
      to: 'open',
      action: 'assessment.reopened',
      refusal: 'Only a closed assessment can be reopened',
      checkDraw: true,
    },
    meta,
  );
}

export async function closeAssessment(ctx: Ctx, actor: StaffActor, assessmentId: string, meta: RequestMeta) {
  authorize(actor, 'assessments.write');
  return transition(
    ctx,
    actor,
    assessmentId,
    {
      from: ['open'],
      to: 'closed',
      action: 'assessment.closed',
      refusal: 'Only an open assessment can be closed',
    },
    meta,
  );
}

export async function archiveAssessment(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  meta: RequestMeta,
) {
  authorize(actor, 'assessments.write');
  return transition(
    ctx,
    actor,
    assessmentId,
    {
      from: ['draft', 'closed'],
      to: 'archived',
      action: 'assessment.archived',
      refusal: 'Close the assessment before archiving it',
    },
    meta,
  );
}

// ---------------------------------------------------------------------------------------------
// The public self-registration link

/** Enables the link, or replaces its token (the old URL stops working). The URL is shown only here. */
export async function enablePublicLink(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  input: { cap?: number | null } | null | undefined,
  meta: RequestMeta,
) {
  authorize(actor, 'candidates.invite');
  const current = await requireAssessment(ctx.db, actor.orgId, assessmentId);
  if (current.state === 'archived') throw conflict('An archived assessment cannot take candidates');
  const stored = parseSettings(current.settings);
  const cap = input?.cap === undefined ? stored.publicLink.cap : input.cap;
  const token = randomToken(32);
  await ctx.db.transaction().execute(async (trx) => {
    await updateAssessmentRow(trx, actor.orgId, assessmentId, {
      public_link_hash: hashToken(token),
      settings: JSON.stringify({ ...stored, publicLink: { enabled: true, cap } }),
      updated_at: ctx.clock.now(),
    });
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: current.public_link_hash ? 'assessment.public_link_rotated' : 'assessment.public_link_enabled',
      targetType: 'assessment',
      targetId: assessmentId,
      details: { cap },
      meta,
    });
  });
  return { url: `${ctx.config.publicUrl}/join-assessment/${token}`, enabled: true as const, cap };
}

export async function disablePublicLink(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string,
  meta: RequestMeta,
) {
  authorize(actor, 'candidates.invite');
  const current = await requireAssessment(ctx.db, actor.orgId, assessmentId);
  const stored = parseSettings(current.settings);
  await ctx.db.transaction().execute(async (trx) => {
    await updateAssessmentRow(trx, actor.orgId, assessmentId, {
      public_link_hash: null,
      settings: JSON.stringify({ ...stored, publicLink: { ...stored.publicLink, enabled: false } }),
      updated_at: ctx.clock.now(),
    });
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'assessment.public_link_disabled',
      targetType: 'assessment',
      targetId: assessmentId,
      meta,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// For other modules (invitations, attempts). No actor: callers pass the organization from theirs.

/** The assessment row of an organization, or undefined (also for another organization's id). */
export function findAssessmentOfOrg(db: DbOrTrx, orgId: string, assessmentId: string) {
  return findAssessment(db, orgId, assessmentId);
}

/**
 * The names and candidate-facing settings of an assessment, for candidate pages and messages;
 * undefined for another organization's id.
 */
export async function findAssessmentContext(db: DbOrTrx, orgId: string, assessmentId: string) {
  const row = await findAssessmentWithOrganizationName(db, orgId, assessmentId);
  if (!row) return undefined;
  return {
    organizationName: row.org_name,
    assessmentName: row.name,
    state: row.state,
    settings: parseSettings(row.settings),
  };
}

/** The assessment behind a public link token, only while the link is enabled. */
export async function findAssessmentByPublicLinkToken(db: DbOrTrx, token: string) {
  const row = await findAssessmentByPublicLinkHash(db, hashToken(token));
  if (!row || !parseSettings(row.settings).publicLink.enabled) return undefined;
  return row;
}
