// The slice of the server's permission matrix (server/modules/accounts/permissions.ts) that decides
// what the staff app shows. The server enforces it; this only hides what would be refused.
import type { Role } from '../api/types';

const permissions = {
  'organization.update': ['owner', 'admin'],
  'team.read': ['owner', 'admin', 'recruiter'],
  'team.manage': ['owner', 'admin'],
  'audit.read': ['owner', 'admin'],
  'outbox.read': ['owner', 'admin'],
  'integrations.manage': ['owner', 'admin'],
  'bank.read': ['owner', 'admin', 'recruiter', 'reviewer'],
  'bank.write': ['owner', 'admin', 'recruiter'],
  'assessments.read': ['owner', 'admin', 'recruiter'],
  'candidates.manage': ['owner', 'admin', 'recruiter'],
  'results.read': ['owner', 'admin', 'recruiter'],
  'results.export': ['owner', 'admin', 'recruiter'],
  'reviews.perform': ['owner', 'admin', 'recruiter', 'reviewer'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return !!role && (permissions[permission] as readonly Role[]).includes(role);
}
