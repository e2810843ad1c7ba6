// Resolves who is calling (session cookie) and enforces the route's declared access, including CSRF
// for cookie-authenticated writes. Routes with no declaration are refused.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Ctx } from '../../context.js';
import { safeEqual } from '../../crypto.js';
import { AppError } from '../../errors.js';
import type { StaffActor } from '../../http/access.js';
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

export function installAccessControl(app: FastifyInstance, ctx: Ctx): void {
  // Cross-site forms can send text/plain; with no parser for it, they get 415 instead of a login CSRF.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req) => {
    if (req.is404) return;
    const access = req.routeOptions.config?.access;
    if (!access) throw new AppError('FORBIDDEN', 'This route declares no access rule');
    if (
      typeof req.query === 'object' &&
      req.query &&
      ('api_key' in req.query || 'access_token' in req.query)
    ) {
      throw new AppError(
        'VALIDATION_FAILED',
        'Send credentials in the Authorization header, never in the address',
      );
    }

    const actor = await resolveStaff(ctx, req);
    req.actor = actor;
    if (access.kind === 'public' || access.kind === 'candidate') return;

    if (!actor) throw new AppError('UNAUTHENTICATED', 'Sign in first');
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
