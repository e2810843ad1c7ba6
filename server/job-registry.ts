// Every job kind the workers run. A kind missing here is never claimed, so its jobs would wait.
import type { AnyJobDefinition } from './jobs/job.js';
import { pruneJobsJob } from './jobs/maintenance.jobs.js';
import { sendEmailJob } from './mail/mailer.js';
import {
  attemptPercentilesJob,
  closeOverdueAttemptsJob,
  gradeAttemptJob,
} from './modules/attempts/attempts.jobs.js';
import {
  deliverWebhookJob,
  dispatchWebhooksJob,
  pruneIntegrationsJob,
} from './modules/integrations/webhooks.jobs.js';
import {
  expireInvitationsJob,
  importCandidatesJob,
  invitationReminderJob,
} from './modules/invitations/invitations.jobs.js';
import { deleteBlobsJob, retentionJob } from './modules/privacy/privacy.jobs.js';
import { resultsAnalyticsJob } from './modules/results/results.jobs.js';

export const jobRegistry: ReadonlyArray<AnyJobDefinition> = [
  sendEmailJob,
  pruneJobsJob,
  importCandidatesJob,
  invitationReminderJob,
  expireInvitationsJob,
  dispatchWebhooksJob,
  deliverWebhookJob,
  pruneIntegrationsJob,
  gradeAttemptJob,
  closeOverdueAttemptsJob,
  attemptPercentilesJob,
  deleteBlobsJob,
  retentionJob,
  resultsAnalyticsJob,
];
