// A candidate's browser holds an attempt through an HttpOnly cookie, exchanged for the invitation
// link token at start; only the token's hash is stored. The newest session of an attempt is its
// writer. CSRF: the cookie is SameSite=Strict, candidate bodies are JSON or multipart, and every
// candidate write must carry the X-Assay-Candidate header, which a cross-site form cannot send and a
// cross-site script cannot add without a CORS preflight that Assay never grants.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../../context.js';
import { hashToken, randomToken } from '../../crypto.js';
import type { DbOrTrx } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { CandidateActor, RequestMeta } from '../../http/access.js';
import { newId } from '../../ids.js';
import { getAttemptContext } from './attempts.ports.js';
import {
  deleteCandidateSession,
  findCandidateSessionByTokenHash,
  insertCandidateSession,
  moveCandidateSessionIp,
} from './attempts.repository.js';
import { insertIntegrityEvent, refreshIntegrityTier } from './integrity.js';

export const CANDIDATE_COOKIE = 'assay_candidate';
/** The header every candidate write carries (value `1`): the CSRF defence, with SameSite=Strict. */
export const CANDIDATE_HEADER = 'x-assay-candidate';
/** A session outlives the attempt's close time by a day, so the candidate can still see the result. */
export const SESSION_AFTER_CLOSE_MS = 24 * 3600_000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function createCandidateSession(
  ctx: Ctx,
  trx: DbOrTrx,
  attemptId: string,
  closeAt: number,
  meta: RequestMeta,
): Promise<{ id: string; token: string; expiresAt: number }> {
  const token = randomToken(32);
  const now = ctx.clock.now();
  const id = newId(now);
  const expiresAt = closeAt + SESSION_AFTER_CLOSE_MS;
  await insertCandidateSession(trx, {
    id,
    token_hash: hashToken(token),
    attempt_id: attemptId,
    ip: meta.ip,
    user_agent: meta.userAgent,
    created_at: now,
    expires_at: expiresAt,
  });
  return { id, token, expiresAt };
}

export function setCandidateCookie(
  req: FastifyRequest,
  reply: FastifyReply,
  session: { token: string; expiresAt: number },
  now: number,
): void {
  reply.setCookie(CANDIDATE_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.protocol === 'https',
    path: '/',
    maxAge: Math.max(60, Math.floor((session.expiresAt - now) / 1000)),
  });
}

/** Refuses a candidate write that lacks the custom header (see the module comment). */
export function assertCandidateWriteHeader(req: FastifyRequest): void {
  if (SAFE_METHODS.has(req.method)) return;
  if (req.headers[CANDIDATE_HEADER] !== '1') {
    throw new AppError('CSRF_FAILED', 'Candidate requests must carry the X-Assay-Candidate: 1 header');
  }
}

/**
 * The candidate behind a request's cookie, or null. On writes it also notices a change of network
 * address and records it as an integrity signal (once per change).
 */
export async function resolveCandidateActor(ctx: Ctx, req: FastifyRequest): Promise<CandidateActor | null> {
  const token = req.cookies[CANDIDATE_COOKIE];
  if (!token || token.length > 200) return null;
  const s = await findCandidateSessionByTokenHash(ctx.db, hashToken(token));
  if (!s) return null;
  const now = ctx.clock.now();
  if (s.expires_at <= now) {
    await deleteCandidateSession(ctx.db, s.id);
    return null;
  }
  if (!SAFE_METHODS.has(req.method) && s.ip !== req.ip) {
    await noteIpChange(ctx, req, {
      sessionId: s.id,
      attemptId: s.attempt_id,
      orgId: s.org_id,
      assessmentId: s.assessment_id,
      from: s.ip,
    });
  }
  return { kind: 'candidate', attemptId: s.attempt_id, orgId: s.org_id, sessionId: s.id };
}

async function noteIpChange(
  ctx: Ctx,
  req: FastifyRequest,
  s: { sessionId: string; attemptId: string; orgId: string; assessmentId: string; from: string | null },
): Promise<void> {
  const now = ctx.clock.now();
  const { settings } = await getAttemptContext(ctx.db, s.orgId, s.assessmentId, now);
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await moveCandidateSessionIp(trx, s.sessionId, s.from, req.ip))) return;
    if (!settings.integritySignals.includes('ip-change')) return;
    const open = await trx
      .selectFrom('attempts')
      .select('status')
      .where('org_id', '=', s.orgId)
      .where('id', '=', s.attemptId)
      .executeTakeFirst();
    if (open?.status !== 'in_progress') return;
    await insertIntegrityEvent(trx, {
      orgId: s.orgId,
      attemptId: s.attemptId,
      type: 'ip-change',
      ip: req.ip,
      userAgent: req.headers['user-agent']?.slice(0, 300) ?? null,
      details: { previousIp: s.from },
      at: now,
    });
    await refreshIntegrityTier(trx, s.orgId, s.attemptId, settings.integritySignals);
  });
}
