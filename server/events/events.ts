// Domain events (invariant 10): every state change an integration could care about writes its event
// row in the same transaction as the change. Delivering them (webhooks) is a separate concern.
// Payloads carry ids, states and scores only, never names or emails (invariant 8).
import type { Clock } from '../clock.js';
import type { DbOrTrx } from '../db/database.js';
import { newId } from '../ids.js';
import { inChunks } from '../jobs/queue.js';

export const eventTypes = [
  'invitation.created',
  'invitation.opened',
  'invitation.revoked',
  'attempt.started',
  'attempt.submitted',
  'attempt.graded',
  'review.completed',
  'candidate.stage_changed',
] as const;
export type EventType = (typeof eventTypes)[number];

export type EventData = Record<string, string | number | boolean | null>;

export type NewEvent = { orgId: string; type: EventType; subjectId: string; data?: EventData };

export async function recordEvent(ctx: { clock: Clock }, trx: DbOrTrx, e: NewEvent): Promise<string> {
  const [id] = await recordEvents(ctx, trx, [e]);
  return id!;
}

/** Many event rows in a few statements (bulk invitations). */
export async function recordEvents(
  ctx: { clock: Clock },
  trx: DbOrTrx,
  events: readonly NewEvent[],
): Promise<string[]> {
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
  return rows.map((r) => r.id);
}
