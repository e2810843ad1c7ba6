import type { Selectable } from 'kysely';

export const memberRoles = ['owner', 'admin', 'recruiter', 'reviewer'] as const;
export type MemberRole = (typeof memberRoles)[number];

export interface OrganizationsTable {
  id: string;
  name: string;
  is_demo: number;
  settings: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  must_change_password: number;
  failed_logins: number;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  role: MemberRole;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  /** The organization the user is working in; switching organizations updates it. */
  org_id: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  last_seen_at: number;
  /** Absolute expiry; the idle expiry is derived from last_seen_at. */
  expires_at: number;
}

export interface PasswordResetsTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface TeamInvitationsTable {
  id: string;
  org_id: string;
  email: string;
  role: MemberRole;
  token_hash: string;
  invited_by: string | null;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  revoked_at: number | null;
}

export type OrganizationRow = Selectable<OrganizationsTable>;
export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type TeamInvitationRow = Selectable<TeamInvitationsTable>;
