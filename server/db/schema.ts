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
import type { AssessmentsTable } from '../modules/assessments/assessments.table.js';
import type {
  AnswersTable,
  AttemptsTable,
  CandidateSessionsTable,
  IntegrityEventsTable,
  UploadsTable,
} from '../modules/attempts/attempts.table.js';
import type { AuditLogTable } from '../modules/audit/audit.table.js';
import type {
  ContentSyncTable,
  QuestionsTable,
  QuestionVersionsTable,
  UploadTasksTable,
  UploadTaskVersionsTable,
} from '../modules/bank/bank.table.js';
import type {
  ApiKeysTable,
  IdempotencyKeysTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
} from '../modules/integrations/integrations.table.js';
import type {
  CandidateImportsTable,
  CandidatesTable,
  InvitationsTable,
  PublicRegistrationsTable,
} from '../modules/invitations/invitations.table.js';
import type { PrivacySettingsTable } from '../modules/privacy/privacy.table.js';
import type {
  AssessmentStatsTable,
  CandidateNotesTable,
  ItemStatsTable,
  QuestionStatsTable,
  RoleBenchmarksTable,
  SavedViewsTable,
} from '../modules/results/results.table.js';
import type { ReviewItemsTable, ReviewsTable } from '../modules/reviews/reviews.table.js';

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
  questions: QuestionsTable;
  question_versions: QuestionVersionsTable;
  upload_tasks: UploadTasksTable;
  upload_task_versions: UploadTaskVersionsTable;
  content_sync: ContentSyncTable;
  assessments: AssessmentsTable;
  candidates: CandidatesTable;
  invitations: InvitationsTable;
  candidate_imports: CandidateImportsTable;
  public_registrations: PublicRegistrationsTable;
  attempts: AttemptsTable;
  answers: AnswersTable;
  uploads: UploadsTable;
  integrity_events: IntegrityEventsTable;
  candidate_sessions: CandidateSessionsTable;
  api_keys: ApiKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  privacy_settings: PrivacySettingsTable;
  saved_views: SavedViewsTable;
  candidate_notes: CandidateNotesTable;
  role_benchmarks: RoleBenchmarksTable;
  assessment_stats: AssessmentStatsTable;
  item_stats: ItemStatsTable;
  question_stats: QuestionStatsTable;
  review_items: ReviewItemsTable;
  reviews: ReviewsTable;
}
