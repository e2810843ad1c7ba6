// What the attempts module needs from assessments, invitations and accounts, in one place. Most of
// it delegates to the owning module's service; the two reads marked below touch another module's
// tables directly (names for the candidate's page, the address for the result email) until those
// modules offer a service function for them.
import type { Ctx } from '../../context.js';
import type { DbOrTrx } from '../../db/database.js';
import { type AssessmentSettings, parseSettings } from '../assessments/assessment.model.js';
import { findAssessmentOfOrg } from '../assessments/assessments.service.js';
import type { AssessmentRow } from '../assessments/assessments.table.js';
import { buildAttemptPlan } from '../assessments/draw.js';
import * as invitations from '../invitations/invitations.service.js';

export { buildAttemptPlan };

export type StartableInvitation = {
  id: string;
  orgId: string;
  assessmentId: string;
  candidateId: string;
  extraTime: number;
  expiresAt: number;
  isDemo: boolean;
  assessment: AssessmentRow;
  /** ready: may start; in_progress / completed: has an attempt to continue or look at; closed: the assessment is not open. */
  state: 'ready' | 'in_progress' | 'completed' | 'closed';
};

/**
 * The invitation a link token belongs to, when the link can still be used: not revoked, and not
 * expired unless the candidate already started (an attempt outlives its link).
 */
export async function findLiveInvitationByToken(
  db: DbOrTrx,
  token: string,
  now: number,
): Promise<StartableInvitation | undefined> {
  const linked = await invitations.findLiveInvitationByToken(db, token);
  const state = linked ? invitations.landingStateOf(linked, now) : undefined;
  if (!linked || !state) return undefined;
  const inv = linked.invitation;
  return {
    id: inv.id,
    orgId: inv.org_id,
    assessmentId: inv.assessment_id,
    candidateId: inv.candidate_id,
    extraTime: inv.extra_time,
    expiresAt: inv.expires_at,
    isDemo: inv.source === 'demo' || linked.candidate.is_demo === 1,
    assessment: linked.assessment,
    state,
  };
}

export async function markInvitationStarted(ctx: Pick<Ctx, 'clock'>, trx: DbOrTrx, invitationId: string) {
  await invitations.markInvitationStarted(ctx, trx, invitationId);
}

export async function markInvitationCompleted(ctx: Pick<Ctx, 'clock'>, trx: DbOrTrx, invitationId: string) {
  await invitations.markInvitationCompleted(ctx, trx, invitationId);
}

/** The assessment row an attempt is built from (undefined for another organization's id). */
export function findAssessmentRow(db: DbOrTrx, orgId: string, assessmentId: string) {
  return findAssessmentOfOrg(db, orgId, assessmentId);
}

export type AttemptContext = {
  organizationName: string;
  assessmentName: string;
  settings: AssessmentSettings;
};

// Settings and names change rarely and are read on every candidate page load and integrity signal;
// a short cache keeps those paths to the attempt's own rows.
const contextCache = new Map<string, { at: number; value: AttemptContext }>();
const CONTEXT_TTL_MS = 15_000;

/** Names and candidate-facing settings for an attempt's assessment (cached briefly). Direct read: see above. */
export async function getAttemptContext(
  db: DbOrTrx,
  orgId: string,
  assessmentId: string,
  now = Date.now(),
): Promise<AttemptContext> {
  const key = `${orgId}:${assessmentId}`;
  const hit = contextCache.get(key);
  if (hit && now - hit.at < CONTEXT_TTL_MS && now >= hit.at) return hit.value;
  const row = await db
    .selectFrom('assessments as a')
    .innerJoin('organizations as o', 'o.id', 'a.org_id')
    .select(['a.name as assessment_name', 'a.settings', 'o.name as org_name'])
    .where('a.org_id', '=', orgId)
    .where('a.id', '=', assessmentId)
    .executeTakeFirstOrThrow();
  const value = {
    organizationName: row.org_name,
    assessmentName: row.assessment_name,
    settings: parseSettings(row.settings),
  };
  if (contextCache.size > 2000) contextCache.clear();
  contextCache.set(key, { at: now, value });
  return value;
}

/** Where a candidate's result or receipt goes; nothing for an erased candidate. Direct read: see above. */
export async function findCandidateContact(
  db: DbOrTrx,
  orgId: string,
  candidateId: string,
): Promise<{ email: string; name: string } | undefined> {
  const row = await db
    .selectFrom('candidates')
    .select(['email', 'name', 'erased_at'])
    .where('org_id', '=', orgId)
    .where('id', '=', candidateId)
    .executeTakeFirst();
  if (!row || row.erased_at !== null) return undefined;
  return { email: row.email, name: row.name };
}
