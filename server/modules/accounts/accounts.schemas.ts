import { z } from 'zod';
import { emailField, isoTime, nameField } from '../../http/schemas.js';
import { memberRoles } from './accounts.table.js';
import { PASSWORD_MAX } from './passwords.js';

export const roleSchema = z.enum(memberRoles);
// Length and commonness are checked in the service, so the message names the real problem.
const password = z
  .string()
  .min(1, 'Required')
  .max(PASSWORD_MAX * 4);

export const orgSummary = z.object({ id: z.string(), name: z.string(), role: roleSchema });

export const sessionSchema = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string(), mustChangePassword: z.boolean() }),
    organization: orgSummary.nullable(),
    organizations: z.array(orgSummary),
    csrfToken: z.string().describe('Send it back as the X-CSRF-Token header on every write'),
  })
  .meta({ id: 'Session' });

export const signUpBody = z.object({
  name: nameField,
  email: emailField,
  password,
  organizationName: nameField,
});
export const signInBody = z.object({ email: emailField, password });
export const changePasswordBody = z.object({ currentPassword: password, newPassword: password });
export const resetRequestBody = z.object({ email: emailField });
export const resetConfirmBody = z.object({ token: z.string().min(10).max(200), newPassword: password });
export const switchOrgBody = z.object({ organizationId: z.string().min(1).max(100) });

export const sessionInfo = z.object({
  id: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: isoTime,
  lastSeenAt: isoTime,
  current: z.boolean(),
});

export const organizationSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: isoTime })
  .meta({ id: 'Organization' });
export const updateOrganizationBody = z.object({ name: nameField });

export const memberSchema = z
  .object({ userId: z.string(), name: z.string(), email: z.string(), role: roleSchema, joinedAt: isoTime })
  .meta({ id: 'Member' });
export const changeRoleBody = z.object({ role: roleSchema });

export const teamInvitationSchema = z
  .object({ id: z.string(), email: z.string(), role: roleSchema, createdAt: isoTime, expiresAt: isoTime })
  .meta({ id: 'TeamInvitation' });
export const inviteMemberBody = z.object({ email: emailField, role: roleSchema });

export const tokenBody = z.object({ token: z.string().min(10).max(200) });
export const invitationPreview = z.object({
  organizationName: z.string(),
  email: z.string(),
  role: roleSchema,
  accountExists: z.boolean(),
});
export const acceptInvitationBody = z.object({
  token: z.string().min(10).max(200),
  name: nameField.optional(),
  password: password.optional(),
});
