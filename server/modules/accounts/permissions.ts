// The permission matrix: one row per action, the roles that may do it. docs/permissions.md is the
// same table for people; a test checks that the two agree.
import type { MemberRole } from './accounts.table.js';

export const permissions = {
  'organization.read': ['owner', 'admin', 'recruiter', 'reviewer'],
  'organization.update': ['owner', 'admin'],
  'team.read': ['owner', 'admin', 'recruiter'],
  'team.manage': ['owner', 'admin'],
  'audit.read': ['owner', 'admin'],
  'outbox.read': ['owner', 'admin'],
  'jobs.manage': ['owner', 'admin'],
  'bank.read': ['owner', 'admin', 'recruiter', 'reviewer'],
  'bank.write': ['owner', 'admin', 'recruiter'],
  'bank.import': ['owner', 'admin', 'recruiter'],
  'bank.export': ['owner', 'admin'],
  'assessments.read': ['owner', 'admin', 'recruiter'],
  'assessments.write': ['owner', 'admin', 'recruiter'],
  'candidates.read': ['owner', 'admin', 'recruiter'],
  'candidates.invite': ['owner', 'admin', 'recruiter'],
  'candidates.manage': ['owner', 'admin', 'recruiter'],
  'results.read': ['owner', 'admin', 'recruiter'],
  'results.export': ['owner', 'admin', 'recruiter'],
  'reviews.perform': ['owner', 'admin', 'recruiter', 'reviewer'],
  'reviews.read': ['owner', 'admin', 'recruiter'],
  'integrations.manage': ['owner', 'admin'],
  'privacy.manage': ['owner', 'admin'],
} as const satisfies Record<string, readonly MemberRole[]>;

export type Permission = keyof typeof permissions;

export function can(role: MemberRole | null | undefined, permission: Permission): boolean {
  return !!role && (permissions[permission] as readonly MemberRole[]).includes(role);
}

export function isPermission(p: string): p is Permission {
  return p in permissions;
}
