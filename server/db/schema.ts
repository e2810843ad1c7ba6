// The Database type, assembled from the table types that each module and infrastructure part owns.
import type { EventsTable } from '../events/events.table.js';
import type { JobsTable } from '../jobs/jobs.table.js';
import type { EmailsTable } from '../mail/emails.table.js';
import type {
  MembershipsTable,
  OrganizationsTable,
  PasswordResetsTable,
  SessionsTable,
  TeamInvitationsTable,
  UsersTable,
} from '../modules/accounts/accounts.table.js';
import type { AuditLogTable } from '../modules/audit/audit.table.js';

export interface Database {
  jobs: JobsTable;
  emails: EmailsTable;
  events: EventsTable;
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  password_resets: PasswordResetsTable;
  team_invitations: TeamInvitationsTable;
  audit_log: AuditLogTable;
}
