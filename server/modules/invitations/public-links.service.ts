// Public self-registration links: anyone with the link registers with a name and email, confirms the
// address through an emailed link, and gets their own invitation (within the link's cap). Answers
// never reveal whether a link, an address or a registration exists.
import type { Ctx } from '../../context.js';
import { hashToken, randomToken } from '../../crypto.js';
import { conflict, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { queueEmail } from '../../mail/mailer.js';
import { parseSettings } from '../assessments/assessment.model.js';
import { findAssessmentByPublicLinkToken, findAssessmentOfOrg } from '../assessments/assessments.service.js';
import { verificationEmail } from './invitations.emails.js';
import {
  countPublicInvitations,
  findInvitation,
  findOrganizationName,
  findRecentRegistration,
  findRegistrationByTokenHash,
  insertRegistration,
  listInvitationIdsOfCandidates,
  markRegistrationVerified,
  upsertCandidates,
} from './invitations.repository.js';
import { DAY, invitationUrl, inviteRows, reissue, targetFor } from './invitations.service.js';

export const REGISTRATION_TTL_MS = DAY;
/** A second registration for the same address within this window sends nothing new. */
const REGISTRATION_QUIET_MS = 10 * 60_000;

export async function lookupPublicLink(ctx: Ctx, token: string) {
  const assessment = await findAssessmentByPublicLinkToken(ctx.db, token);
  if (assessment?.state !== 'open') throw notFound('Link');
  return {
    organizationName: (await findOrganizationName(ctx.db, assessment.org_id)) ?? '',
    assessmentName: assessment.name,
    intro: parseSettings(assessment.settings).intro,
  };
}

/**
 * Records a registration and emails a verification link. Answers the same whether or not the link,
 * the address or an earlier registration exists, so nobody learns who registered; a repeat within
 * a few minutes sends nothing new.
 */
export async function registerThroughPublicLink(
  ctx: Ctx,
  input: { token: string; name: string; email: string },
) {
  const assessment = await findAssessmentByPublicLinkToken(ctx.db, input.token);
  if (assessment?.state !== 'open') return;
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    if (await findRecentRegistration(trx, assessment.id, input.email, now - REGISTRATION_QUIET_MS)) return;
    const token = randomToken(32);
    await insertRegistration(trx, {
      id: newId(now),
      org_id: assessment.org_id,
      assessment_id: assessment.id,
      email: input.email,
      name: input.name,
      token_hash: hashToken(token),
      created_at: now,
      expires_at: now + REGISTRATION_TTL_MS,
      verified_at: null,
    });
    const mail = verificationEmail({
      name: input.name,
      orgName: (await findOrganizationName(trx, assessment.org_id)) ?? 'the organization',
      assessmentName: assessment.name,
      url: `${ctx.config.publicUrl}/verify-registration/${token}`,
    });
    await queueEmail(ctx, trx, {
      orgId: assessment.org_id,
      kind: 'public-registration',
      to: input.email,
      ...mail,
    });
  });
}

/**
 * Confirms a registration (once, before it expires) and gives the person their own invitation link:
 * a new invitation (source 'public', within the link's cap), or a fresh link for the invitation they
 * already have. The link is also emailed.
 */
export async function verifyPublicRegistration(ctx: Ctx, token: string): Promise<{ invitationUrl: string }> {
  const reg = await findRegistrationByTokenHash(ctx.db, hashToken(token));
  const now = ctx.clock.now();
  if (!reg || reg.verified_at !== null || reg.expires_at <= now) throw notFound('Registration');
  return ctx.db.transaction().execute(async (trx) => {
    const assessment = await findAssessmentOfOrg(trx, reg.org_id, reg.assessment_id);
    const settings = assessment ? parseSettings(assessment.settings) : undefined;
    if (!assessment || !settings || assessment.state !== 'open' || !settings.publicLink.enabled)
      throw conflict('This assessment no longer accepts registrations');
    if (!(await markRegistrationVerified(trx, reg.id, now))) throw notFound('Registration');

    const candidateIds = await upsertCandidates(trx, [
      {
        id: newId(now),
        org_id: reg.org_id,
        email: reg.email,
        name: reg.name,
        external_id: null,
        is_demo: 0,
        erased_at: null,
        created_at: now,
        updated_at: now,
      },
    ]);
    const candidateId = candidateIds.get(reg.email);
    const [existingRef] = candidateId
      ? await listInvitationIdsOfCandidates(trx, reg.org_id, assessment.id, [candidateId])
      : [];
    if (existingRef) {
      const inv = await findInvitation(trx, reg.org_id, existingRef.id);
      if (!inv || inv.status === 'revoked') throw conflict('This invitation is no longer available');
      const fresh = await reissue(ctx, trx, inv, assessment);
      return { invitationUrl: invitationUrl(ctx, fresh) };
    }
    const cap = settings.publicLink.cap;
    if (cap !== null && (await countPublicInvitations(trx, reg.org_id, assessment.id)) >= cap)
      throw conflict('This assessment has reached the number of candidates it accepts');
    const [r] = await inviteRows(ctx, trx, await targetFor(ctx, trx, assessment, 'public'), [
      { email: reg.email, name: reg.name, extraTime: 1 },
    ]);
    if (!r?.token) throw conflict('This invitation is no longer available');
    return { invitationUrl: invitationUrl(ctx, r.token) };
  });
}
