// Webhook delivery, at least once with one stable id per event. The dispatcher fans new rows of
// `events` out into one delivery job per subscribed endpoint (dedupe key `${eventId}:${endpointId}`);
// each delivery job signs and POSTs the thin payload, retrying with backoff for about three days.
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import type { Trx } from '../../db/database.js';
import type { EventRow } from '../../events/events.table.js';
import { newId } from '../../ids.js';
import { defineJob, type JobInfo } from '../../jobs/job.js';
import { queueEmail, renderEmail } from '../../mail/mailer.js';
import { recordAudit } from '../audit/audit.service.js';
import { IDEMPOTENCY_TTL_MS } from './idempotency.service.js';
import type { DeliveryOutcome, WebhookEndpointRow } from './integrations.table.js';
import { webhookHeaders } from './webhook-signing.js';
import { type DeliveryResult, postWebhook } from './webhook-transport.js';
import {
  findEndpoint,
  findEvent,
  insertDelivery,
  listActiveEndpointsOfOrgs,
  listOwnerEmails,
  listUndispatchedEvents,
  markEventsDispatched,
  updateEndpoint,
} from './webhooks.repository.js';

export const TEST_EVENT_TYPE = 'webhook.test';
/** An endpoint that has failed every delivery for this long is turned off and its owners told. */
export const DISABLE_AFTER_FAILING_MS = 24 * 3600_000;
export const DELIVERY_LOG_TTL_MS = 30 * 24 * 3600_000;
const DISPATCH_BATCH = 500;
// One run handles at most this many batches, so it ends well within its lease; the next run (five
// seconds later) takes the rest of a backlog.
const DISPATCH_BATCHES_PER_RUN = 20;

// ---------------------------------------------------------------------------------------------
// The thin payload: ids, states and scores, and a link to fetch the rest with an API key.

const SELF_LINKS: Record<string, (subjectId: string) => string> = {
  invitation: (id) => `/api/v1/invitations/${id}`,
  attempt: (id) => `/api/v1/attempts/${id}`,
  review: (id) => `/api/v1/reviews/${id}`,
  candidate: (id) => `/api/v1/invitations/${id}`,
  webhook: (id) => `/api/v1/webhook-endpoints/${id}`,
};

export function webhookPayload(
  ctx: Pick<Ctx, 'config'>,
  event: Pick<EventRow, 'type' | 'subject_id' | 'data' | 'created_at'>,
) {
  const raw = JSON.parse(event.data) as Record<string, unknown>;
  const data: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(raw)) {
    // Invariant 8, enforced once more at the edge: nothing that names a person leaves the building.
    if (/name|email|phone/i.test(k)) continue;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v))
      data[k] = v as string | number | boolean | null;
  }
  const link = SELF_LINKS[event.type.split('.')[0] ?? ''];
  return {
    type: event.type,
    timestamp: new Date(event.created_at).toISOString(),
    data: { ...data, links: { self: `${ctx.config.publicUrl}${link ? link(event.subject_id) : '/api/v1'}` } },
  };
}

// ---------------------------------------------------------------------------------------------
// Fan-out

/** Turns undispatched events into delivery jobs; returns how many events it handled. */
export async function dispatchEvents(ctx: Ctx): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < DISPATCH_BATCHES_PER_RUN; batch++) {
    const events = await listUndispatchedEvents(ctx.db, DISPATCH_BATCH);
    if (events.length === 0) break;
    const endpoints = (
      await listActiveEndpointsOfOrgs(ctx.db, [...new Set(events.map((e) => e.org_id))])
    ).map((ep) => ({ ...ep, types: new Set(JSON.parse(ep.event_types) as string[]) }));
    await ctx.db.transaction().execute(async (trx) => {
      for (const e of events) {
        for (const ep of endpoints) {
          // An endpoint hears about what happened after it was created, not the backlog before it.
          if (ep.org_id !== e.org_id || !ep.types.has(e.type) || ep.created_at > e.created_at) continue;
          await ctx.jobs.enqueue(
            trx,
            deliverWebhookJob,
            { orgId: e.org_id, eventId: e.id, endpointId: ep.id },
            { key: `${e.id}:${ep.id}` },
          );
        }
      }
      await markEventsDispatched(
        trx,
        events.map((e) => e.id),
        ctx.clock.now(),
      );
    });
    total += events.length;
    if (events.length < DISPATCH_BATCH) break;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Delivery

function outcomeOf(r: DeliveryResult): DeliveryOutcome {
  if (r.kind === 'refused') return 'refused';
  if (r.kind === 'response' && r.statusCode >= 200 && r.statusCode < 300) return 'delivered';
  return 'failed';
}

function describeFailure(r: DeliveryResult): string {
  if (r.kind !== 'response') return r.error;
  if (r.statusCode >= 300 && r.statusCode < 400) return `HTTP ${r.statusCode}: redirects are not followed`;
  return `HTTP ${r.statusCode}`;
}

function signingSecrets(ctx: Ctx, ep: WebhookEndpointRow, now: number): string[] {
  const secrets = [ctx.sealer.open(ep.secret_sealed)];
  if (ep.previous_secret_sealed && (ep.previous_secret_expires_at ?? 0) > now)
    secrets.push(ctx.sealer.open(ep.previous_secret_sealed));
  return secrets;
}

type DeliveryPayload = { orgId: string; eventId: string; endpointId: string };

export async function deliverWebhook(ctx: Ctx, p: DeliveryPayload, job: JobInfo): Promise<void> {
  const endpoint = await findEndpoint(ctx.db, p.orgId, p.endpointId);
  if (!endpoint) return; // deleted: nothing left to deliver to
  const event = await findEvent(ctx.db, p.orgId, p.eventId);
  if (!event) return;
  const log = (
    outcome: DeliveryOutcome,
    r: Partial<{ statusCode: number; durationMs: number; excerpt: string; error: string }>,
  ) =>
    insertDelivery(ctx.db, {
      id: newId(ctx.clock.now()),
      org_id: p.orgId,
      endpoint_id: endpoint.id,
      event_id: event.id,
      event_type: event.type,
      attempt: job.attempt,
      outcome,
      status_code: r.statusCode ?? null,
      duration_ms: r.durationMs ?? 0,
      response_excerpt: r.excerpt ?? null,
      error: r.error ?? null,
      created_at: ctx.clock.now(),
    });

  if (endpoint.active !== 1) {
    await log('skipped', { error: 'The endpoint is turned off' });
    return;
  }
  const body = JSON.stringify(webhookPayload(ctx, event));
  const sentAt = ctx.clock.now();
  const headers = webhookHeaders(
    signingSecrets(ctx, endpoint, sentAt),
    event.id,
    Math.floor(sentAt / 1000),
    body,
  );
  const result = await postWebhook(endpoint.url, headers, body, {
    allowPrivate: ctx.config.webhooksAllowPrivate,
  });
  const outcome = outcomeOf(result);
  await log(outcome, {
    statusCode: result.kind === 'response' ? result.statusCode : undefined,
    durationMs: result.durationMs,
    excerpt: result.kind === 'response' ? result.excerpt : undefined,
    error: outcome === 'delivered' ? undefined : describeFailure(result),
  });

  const now = ctx.clock.now();
  if (outcome === 'delivered') {
    await updateEndpoint(ctx.db, p.orgId, endpoint.id, { failing_since: null, last_success_at: now });
    return;
  }
  // 410 Gone is the receiver saying "stop": no retries, and no more deliveries.
  if (result.kind === 'response' && result.statusCode === 410) {
    await disableEndpoint(ctx, endpoint, 'gone');
    return;
  }
  const failingSince = endpoint.failing_since ?? now;
  if (endpoint.failing_since === null) {
    await ctx.db
      .updateTable('webhook_endpoints')
      .set({ failing_since: now })
      .where('id', '=', endpoint.id)
      .where('failing_since', 'is', null)
      .execute();
  }
  if (now - failingSince >= DISABLE_AFTER_FAILING_MS) {
    await disableEndpoint(ctx, endpoint, 'failing');
    return;
  }
  throw new Error(`webhook delivery failed: ${describeFailure(result)}`);
}

/** Turns an endpoint off on the system's initiative, audits it and tells the organization's owners. */
export async function disableEndpoint(ctx: Ctx, endpoint: WebhookEndpointRow, reason: 'gone' | 'failing') {
  await ctx.db.transaction().execute(async (trx: Trx) => {
    const r = await trx
      .updateTable('webhook_endpoints')
      .set({ active: 0, disabled_reason: reason, updated_at: ctx.clock.now() })
      .where('id', '=', endpoint.id)
      .where('org_id', '=', endpoint.org_id)
      .where('active', '=', 1)
      .executeTakeFirst();
    // Another delivery got there first: one email, one audit row.
    if (Number(r.numUpdatedRows) === 0) return;
    await recordAudit(ctx, trx, {
      orgId: endpoint.org_id,
      actorUserId: null,
      action: 'webhook_endpoint.disabled',
      targetType: 'webhook_endpoint',
      targetId: endpoint.id,
      details: { reason },
    });
    const why =
      reason === 'gone'
        ? 'It answered 410 Gone, which asks senders to stop.'
        : 'Every delivery to it has failed for more than 24 hours.';
    for (const owner of await listOwnerEmails(trx, endpoint.org_id)) {
      await queueEmail(ctx, trx, {
        orgId: endpoint.org_id,
        kind: 'webhook-disabled',
        to: owner.email,
        subject: 'A webhook endpoint was turned off',
        ...renderEmail({
          heading: 'A webhook endpoint was turned off',
          paragraphs: [
            `Assay stopped sending webhooks to ${endpoint.url}. ${why}`,
            'Events that happen while it is off are not sent to it. When the receiver works again, turn the endpoint back on and resend the deliveries you need from its delivery log.',
          ],
          action: { label: 'Open integrations', url: `${ctx.config.publicUrl}/settings/integrations` },
        }),
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Jobs

const deliveryPayload = z.object({ orgId: z.string(), eventId: z.string(), endpointId: z.string() });

/**
 * Retries: base 1 min doubling (with jitter) up to 8 h between tries; 20 tries span roughly three
 * days (between about 2 and 3.7 days depending on jitter). The same webhook-id goes on every try.
 */
export const deliverWebhookJob = defineJob({
  name: 'webhooks.deliver',
  payload: deliveryPayload,
  maxAttempts: 20,
  backoffMs: 60_000,
  maxBackoffMs: 8 * 3600_000,
  // Deliveries wait on other people's servers: many at once, without starving other job kinds.
  concurrency: 16,
  leaseMs: 60_000,
  handler: deliverWebhook,
  async onDead(ctx, p) {
    const endpoint = await findEndpoint(ctx.db, p.orgId, p.endpointId);
    // Still failing after every retry: stop sending. If it recovered meanwhile, leave it on.
    if (endpoint?.active === 1 && endpoint.failing_since !== null)
      await disableEndpoint(ctx, endpoint, 'failing');
  },
});

export const dispatchWebhooksJob = defineJob({
  name: 'webhooks.dispatch',
  payload: z.object({}),
  everyMs: 5_000,
  concurrency: 1,
  async handler(ctx) {
    await dispatchEvents(ctx);
  },
});

/** Hourly: forget idempotency keys after 24 h, delivery logs after 30 days, and old dispatcher runs. */
export const pruneIntegrationsJob = defineJob({
  name: 'integrations.prune',
  payload: z.object({}),
  everyMs: 3600_000,
  concurrency: 1,
  async handler(ctx) {
    const now = ctx.clock.now();
    await ctx.db
      .deleteFrom('idempotency_keys')
      .where('created_at', '<', now - IDEMPOTENCY_TTL_MS)
      .execute();
    await ctx.db
      .deleteFrom('webhook_deliveries')
      .where('created_at', '<', now - DELIVERY_LOG_TTL_MS)
      .execute();
    // The dispatcher runs every few seconds; a week of its finished runs would only fill the jobs table.
    await ctx.db
      .deleteFrom('jobs')
      .where('name', '=', dispatchWebhooksJob.name)
      .where('state', '=', 'succeeded')
      .where('updated_at', '<', now - 3600_000)
      .execute();
  },
});
