// Names for the shapes the pages use, read off the generated contract so they follow it.
import type { paths } from './schema';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Ok<
  P extends keyof paths,
  M extends 'get' | 'post' | 'patch',
  S extends number = 200,
> = paths[P][M] extends {
  responses: infer R;
}
  ? S extends keyof R
    ? JsonOf<R[S]>
    : never
  : never;
type Body<P extends keyof paths, M extends 'post' | 'patch'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type Session = Ok<'/api/v1/auth/session', 'get'>;
export type SessionOrganization = Session['organizations'][number];
export type Role = SessionOrganization['role'];
export type AuthConfig = Ok<'/api/v1/auth/config', 'get'>;
export type SignUpInput = Body<'/api/v1/auth/sign-up', 'post'>;
export type SignInInput = Body<'/api/v1/auth/sign-in', 'post'>;
export type ChangePasswordInput = Body<'/api/v1/auth/password', 'post'>;
export type AccountSession = Ok<'/api/v1/account/sessions', 'get'>['items'][number];
export type Organization = Ok<'/api/v1/organization', 'get'>;
export type Member = Ok<'/api/v1/team/members', 'get'>['items'][number];
export type TeamInvitation = Ok<'/api/v1/team/invitations', 'get'>['items'][number];
export type InvitationPreview = Ok<'/api/v1/team-invitations/preview', 'post'>;
export type AcceptInvitationInput = Body<'/api/v1/team-invitations/accept', 'post'>;
export type AuditLogPage = Ok<'/api/v1/audit-log', 'get'>;
export type AuditEntry = AuditLogPage['items'][number];
export type OutboxPage = Ok<'/api/v1/outbox', 'get'>;
export type OutboxEmail = OutboxPage['items'][number];
export type OutboxEmailDetail = Ok<'/api/v1/outbox/{emailId}', 'get'>;

export const roles = ['owner', 'admin', 'recruiter', 'reviewer'] as const satisfies readonly Role[];

export const roleLabels: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  recruiter: 'Recruiter',
  reviewer: 'Reviewer',
};
