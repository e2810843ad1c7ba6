import { type Member, type Role, roleLabels, roles } from '../../api/types';

export const roleDescriptions: Record<Role, string> = {
  owner: 'Everything, including managing owners',
  admin: 'Manages the team and organization settings',
  recruiter: 'Creates assessments and invites candidates',
  reviewer: 'Grades uploads in the review queue',
};

/** Roles the current user may hand out: only owners make owners. */
export function assignableRoles(myRole: Role, { described = false } = {}) {
  return roles
    .filter((r) => myRole === 'owner' || r !== 'owner')
    .map((r) => ({
      value: r,
      label: described ? `${roleLabels[r]}: ${roleDescriptions[r]}` : roleLabels[r],
    }));
}

/** Owners manage everyone but themselves; admins manage everyone but owners and themselves. */
export function canEditMember(myRole: Role | undefined, myUserId: string, member: Member): boolean {
  if (member.userId === myUserId) return false;
  if (myRole === 'owner') return true;
  return myRole === 'admin' && member.role !== 'owner';
}
