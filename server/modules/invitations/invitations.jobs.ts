// The invitations module's jobs: a CSV import (in runs of a few thousand rows, each run queueing the
// next), the reminders of one link, and the sweep that marks expired invitations.
import { z } from 'zod';
import { defineJob } from '../../jobs/job.js';
import { runImportChunk } from './candidate-imports.service.js';
import { expireDueInvitations, sendInvitationReminder } from './invitations.service.js';

export const importCandidatesJob = defineJob({
  name: 'invitations.import',
  payload: z.object({ importId: z.string() }),
  concurrency: 2,
  // A run handles a bounded number of rows, well inside this lease.
  leaseMs: 5 * 60_000,
  async handler(ctx, { importId }) {
    const { more, processedRows } = await runImportChunk(ctx, importId);
    if (!more) return;
    await ctx.jobs.enqueue(
      ctx.db,
      importCandidatesJob,
      { importId },
      { key: `candidate-import:${importId}:${processedRows}` },
    );
  },
});

export const invitationReminderJob = defineJob({
  name: 'invitations.remind',
  payload: z.object({ invitationId: z.string(), slot: z.number().int(), sealedToken: z.string() }),
  concurrency: 4,
  async handler(ctx, payload) {
    await sendInvitationReminder(ctx, payload);
  },
});

export const expireInvitationsJob = defineJob({
  name: 'invitations.expire',
  payload: z.object({}),
  everyMs: 10 * 60_000,
  concurrency: 1,
  async handler(ctx) {
    await expireDueInvitations(ctx);
  },
});
