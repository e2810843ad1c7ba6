// Every route declares who may call it in `config.access`. A hook installed by the accounts module
// resolves the caller (session cookie or API key) and enforces the declaration before the handler
// runs; a route that declares nothing is refused, so forgetting is never an open door.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

export type StaffRole = 'owner' | 'admin' | 'recruiter' | 'reviewer';

export type Access =
  /** Anyone, signed in or not. */
  | { kind: 'public' }
  /** A signed-in staff user, whatever their organization role (their own account pages). */
  | { kind: 'user' }
  /** A member of the current organization whose role grants the permission. */
  | { kind: 'staff'; permission: string }
  /** A candidate holding an attempt cookie. */
  | { kind: 'candidate' };

export type StaffActor = {
  kind: 'staff';
  userId: string;
  /** Null only for a signed-in user who belongs to no organization (their account pages still work). */
  orgId: string | null;
  role: StaffRole | null;
  via: 'session' | 'api-key';
  sessionId: string | null;
  apiKeyId: string | null;
  mustChangePassword: boolean;
};

export type CandidateActor = { kind: 'candidate'; attemptId: string; orgId: string; sessionId: string };

export type Actor = StaffActor | CandidateActor;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** The signed-in staff member of the current organization; routes with `staff` access always have one. */
export function staffOf(req: FastifyRequest): StaffActor & { orgId: string; role: StaffRole } {
  const a = req.actor;
  if (a?.kind !== 'staff' || !a.orgId || !a.role) throw new AppError('UNAUTHENTICATED', 'Sign in first');
  return a as StaffActor & { orgId: string; role: StaffRole };
}

/** The signed-in user, with or without an organization. */
export function userOf(req: FastifyRequest): StaffActor {
  const a = req.actor;
  if (a?.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Sign in first');
  return a;
}

/** Who did it and from where, for the audit log. */
export type RequestMeta = { ip: string; requestId: string; userAgent: string | null };

export function metaOf(req: FastifyRequest): RequestMeta {
  return {
    ip: req.ip,
    requestId: String(req.id),
    userAgent: req.headers['user-agent']?.slice(0, 300) ?? null,
  };
}
