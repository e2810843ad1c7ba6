// Resolves who is calling (an API key in `Authorization: Bearer`, else the session cookie) and
// enforces the route's declared access, including CSRF for cookie-authenticated writes. Routes with no
// declaration are refused.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Ctx } from '../../context.js';
import { safeEqual } from '../../crypto.js';
import { AppError } from '../../errors.js';
import type { StaffActor } from '../../http/access.js';
import { assertCandidateWriteHeader, resolveCandidateActor } from '../attempts/candidate-sessions.service.js';
import { API_KEY_PREFIX, apiKeyActor, resolveApiKey } from '../integrations/api-keys.service.js';
import { findMembership } from './accounts.repository.js';
import { can, isPermission } from './permissions.js';
import { csrfTokenFor, resolveSession, SESSION_COOKIE } from './sessions.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// Routes a user who must change their password can still reach.
const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set([
  '/api/v1/auth/session',
  '/api/v1/auth/password',
  '/api/v1/auth/sign-out',
]);

async function resolveStaff(ctx: Ctx, req: FastifyRequest): Promise<StaffActor | null> {
  const token = req.cookies[SESSION_COOKIE];
  if (!token) return null;
  const s = await resolveSession(ctx, token);
  if (!s) return null;
  const m = s.orgId ? await findMembership(ctx.db, s.orgId, s.userId) : undefined;
  return {
    kind: 'staff',
    userId: s.userId,
    orgId: m ? s.orgId : null,
    role: m?.role ?? null,
    via: 'session',
    sessionId: s.id,
    apiKeyId: null,
    mustChangePassword: s.mustChangePassword,
  };
}

/** The bearer token, if the caller sent one; API keys travel only in this header. */
function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : '';
}

async function resolveActor(
  ctx: Ctx,
  req: FastifyRequest,
): Promise<{ actor: StaffActor | null; readOnly: boolean }> {
  const bearer = bearerToken(req);
  if (bearer === undefined) return { actor: await resolveStaff(ctx, req), readOnly: false };
  // Credentials that were sent but don't work fail loudly, even where they weren't needed.
  const key = bearer ? await resolveApiKey(ctx, bearer) : undefined;
  if (!key) throw new AppError('UNAUTHENTICATED', 'The API key is invalid or has been revoked');
  return { actor: apiKeyActor(key), readOnly: key.scope === 'read' };
}

export function installAccessControl(app: FastifyInstance, ctx: Ctx): void {
  // Cross-site forms can send text/plain; with no parser for it, they get 415 instead of a login CSRF.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req) => {
    if (req.is404) return;
    const access = req.routeOptions.config?.access;
    if (!access) throw new AppError('FORBIDDEN', 'This route declares no access rule');
    if (
      (typeof req.query === 'object' &&
        req.query &&
        ('api_key' in req.query || 'access_token' in req.query)) ||
      req.url.includes(API_KEY_PREFIX)
    ) {
      throw new AppError(
        'VALIDATION_FAILED',
        'Send credentials in the Authorization header, never in the address',
      );
    }

    if (access.kind === 'candidate') {
      // The candidate's cookie, resolved by the attempts module; writes need its CSRF header.
      assertCandidateWriteHeader(req);
      req.actor = await resolveCandidateActor(ctx, req);
      if (!req.actor) throw new AppError('UNAUTHENTICATED', 'Open your invitation link to continue');
      return;
    }
    const { actor, readOnly } = await resolveActor(ctx, req);
    req.actor = actor;
    if (access.kind === 'public') return;

    if (!actor) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    if (actor.via === 'api-key') {
      // A key belongs to the organization, not to a person: account routes are not for it.
      if (access.kind === 'user') throw new AppError('FORBIDDEN', 'API keys cannot use account routes');
      if (readOnly && req.method !== 'GET' && req.method !== 'HEAD') {
        throw new AppError('FORBIDDEN', 'This API key is read-only');
      }
    }
    if (actor.via === 'session' && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      if (
        typeof sent !== 'string' ||
        !actor.sessionId ||
        !safeEqual(sent, csrfTokenFor(ctx, actor.sessionId))
      ) {
        throw new AppError('CSRF_FAILED', 'Missing or invalid X-CSRF-Token header');
      }
    }
    if (actor.mustChangePassword && !ALLOWED_BEFORE_PASSWORD_CHANGE.has(req.routeOptions.url ?? '')) {
      throw new AppError('PASSWORD_CHANGE_REQUIRED', 'Change your password before you continue');
    }
    if (access.kind === 'user') return;
    if (!actor.orgId) throw new AppError('FORBIDDEN', 'You are not a member of any organization');
    if (!isPermission(access.permission) || !can(actor.role, access.permission)) {
      throw new AppError('FORBIDDEN', 'Your role does not allow this');
    }
  });
}
