// Every job kind the workers run. A kind missing here is never claimed, so its jobs would wait.
import type { AnyJobDefinition } from './jobs/job.js';
import { pruneJobsJob } from './jobs/maintenance.jobs.js';
import { sendEmailJob } from './mail/mailer.js';

export const jobRegistry: ReadonlyArray<AnyJobDefinition> = [sendEmailJob, pruneJobsJob];
