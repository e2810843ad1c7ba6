// Many-row versions of queueEmail, jobs.enqueue and recordEvent, for invitations created by the
// thousand (a CSV import writes up to 10,000): the same rows those functions write, a few hundred per
// statement, in the caller's transaction. Keep in step with server/mail/mailer.ts,
// server/jobs/queue.ts and server/events/events.ts.
import type { Ctx } from '../../context.js';
import type { DbOrTrx } from '../../db/database.js';
import type { EventData, EventType } from '../../events/events.js';
import { newId } from '../../ids.js';
import { type JobDefinition, jobDefaults } from '../../jobs/job.js';
import { type EmailBody, type OutgoingEmail, sendEmailJob } from '../../mail/mailer.js';

const CHUNK = 200;

async function inChunks<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

/** Enqueues many jobs of one kind; those whose dedupe key exists already are skipped. */
export async function enqueueJobs<P>(
  ctx: Pick<Ctx, 'clock'>,
  trx: DbOrTrx,
  def: JobDefinition<P>,
  items: ReadonlyArray<{ payload: P; runAt?: number; key?: string }>,
): Promise<void> {
  const now = ctx.clock.now();
  const rows = items.map((it) => ({
    id: newId(now),
    name: def.name,
    payload: JSON.stringify(def.payload.parse(it.payload)),
    state: 'queued' as const,
    run_at: it.runAt ?? now,
    attempts: 0,
    max_attempts: def.maxAttempts ?? jobDefaults.maxAttempts,
    dedupe_key: it.key ?? null,
    created_at: now,
    updated_at: now,
  }));
  await inChunks(rows, (chunk) =>
    trx
      .insertInto('jobs')
      .values(chunk)
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .execute(),
  );
}

/** Records many messages and schedules their sending, like queueEmail does for one. */
export async function queueEmails(ctx: Pick<Ctx, 'clock' | 'sealer'>, trx: DbOrTrx, emails: OutgoingEmail[]) {
  const now = ctx.clock.now();
  const rows = emails.map((e) => ({
    id: newId(now),
    org_id: e.orgId,
    kind: e.kind,
    to_address: e.to.toLowerCase(),
    subject: e.subject,
    body_sealed: ctx.sealer.seal(JSON.stringify({ text: e.text, html: e.html } satisfies EmailBody)),
    private: e.private ? 1 : 0,
    status: 'queued' as const,
    attempts: 0,
    created_at: now,
  }));
  await inChunks(rows, (chunk) => trx.insertInto('emails').values(chunk).execute());
  await enqueueJobs(
    ctx,
    trx,
    sendEmailJob,
    rows.map((r) => ({ payload: { emailId: r.id }, key: `mail:${r.id}` })),
  );
}

/** Writes many event rows, like recordEvent does for one. */
export async function recordEvents(
  ctx: Pick<Ctx, 'clock'>,
  trx: DbOrTrx,
  events: ReadonlyArray<{ orgId: string; type: EventType; subjectId: string; data?: EventData }>,
) {
  const now = ctx.clock.now();
  const rows = events.map((e) => ({
    id: newId(now),
    org_id: e.orgId,
    type: e.type,
    subject_id: e.subjectId,
    data: JSON.stringify(e.data ?? {}),
    created_at: now,
  }));
  await inChunks(rows, (chunk) => trx.insertInto('events').values(chunk).execute());
}
