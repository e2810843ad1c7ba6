// Webhook endpoints of an organization: where to send which events, signed with a secret that is
// shown once and kept sealed. Also the delivery log, redelivery and a test event per endpoint.
import type { Ctx } from '../../context.js';
import { conflict, invalid, notFound } from '../../errors.js';
import { type EventType, eventTypes } from '../../events/events.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { toIso, toIsoOrNull } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { authorize } from '../accounts/accounts.service.js';
import { recordAudit } from '../audit/audit.service.js';
import type { WebhookDeliveryRow, WebhookEndpointRow } from './integrations.table.js';
import { generateWebhookSecret } from './webhook-signing.js';
import { urlProblem } from './webhook-transport.js';
import { deliverWebhookJob, TEST_EVENT_TYPE } from './webhooks.jobs.js';
import {
  deleteEndpoint as deleteEndpointRow,
  findDelivery,
  findEndpoint,
  insertEndpoint,
  listDeliveriesOfEndpoint,
  listEndpointsOfOrg,
  updateEndpoint as updateEndpointRow,
} from './webhooks.repository.js';

/** After a rotation, deliveries carry both signatures this long, so receivers can switch over. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;
export const webhookEventTypes = eventTypes;

export function toEndpoint(r: WebhookEndpointRow, now: number) {
  const overlap = r.previous_secret_expires_at !== null && r.previous_secret_expires_at > now;
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    eventTypes: JSON.parse(r.event_types) as EventType[],
    active: r.active === 1,
    disabledReason: r.disabled_reason as 'gone' | 'failing' | null,
    failingSince: toIsoOrNull(r.failing_since),
    lastSuccessAt: toIsoOrNull(r.last_success_at),
    previousSecretExpiresAt: overlap ? toIsoOrNull(r.previous_secret_expires_at) : null,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

function toDelivery(r: WebhookDeliveryRow) {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventType: r.event_type,
    attempt: r.attempt,
    outcome: r.outcome,
    statusCode: r.status_code,
    durationMs: r.duration_ms,
    responseExcerpt: r.response_excerpt,
    error: r.error,
    createdAt: toIso(r.created_at),
  };
}

function assertUrl(ctx: Ctx, url: string) {
  const problem = urlProblem(url, ctx.config.webhooksAllowPrivate);
  if (problem) throw invalid('The URL cannot receive webhooks', { 'body.url': problem });
}

async function getEndpointRow(ctx: Ctx, orgId: string, id: string) {
  const row = await findEndpoint(ctx.db, orgId, id);
  if (!row) throw notFound('Webhook endpoint');
  return row;
}

export async function listEndpoints(ctx: Ctx, actor: StaffActor, q: { cursor?: string; limit: number }) {
  authorize(actor, 'integrations.manage');
  const rows = await listEndpointsOfOrg(ctx.db, actor.orgId, q);
  const page = rows.slice(0, q.limit);
  const now = ctx.clock.now();
  return {
    items: page.map((r) => toEndpoint(r, now)),
    nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getEndpoint(ctx: Ctx, actor: StaffActor, id: string) {
  authorize(actor, 'integrations.manage');
  return toEndpoint(await getEndpointRow(ctx, actor.orgId, id), ctx.clock.now());
}

export type EndpointInput = {
  url: string;
  eventTypes: EventType[];
  description?: string;
  active?: boolean;
};

export async function createEndpoint(ctx: Ctx, actor: StaffActor, input: EndpointInput, meta: RequestMeta) {
  authorize(actor, 'integrations.manage');
  assertUrl(ctx, input.url);
  const now = ctx.clock.now();
  const secret = generateWebhookSecret();
  const row: WebhookEndpointRow = {
    id: newId(now),
    org_id: actor.orgId,
    url: input.url,
    description: input.description ?? '',
    event_types: JSON.stringify([...new Set(input.eventTypes)]),
    secret_sealed: ctx.sealer.seal(secret),
    previous_secret_sealed: null,
    previous_secret_expires_at: null,
    active: input.active === false ? 0 : 1,
    disabled_reason: null,
    failing_since: null,
    last_success_at: null,
    created_by: actor.userId,
    created_at: now,
    updated_at: now,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await insertEndpoint(trx, row);
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'webhook_endpoint.created',
      targetType: 'webhook_endpoint',
      targetId: row.id,
      details: { url: row.url, eventTypes: JSON.parse(row.event_types) },
      meta,
    });
  });
  return { endpoint: toEndpoint(row, now), secret };
}

export async function updateEndpoint(
  ctx: Ctx,
  actor: StaffActor,
  id: string,
  patch: Partial<EndpointInput>,
  meta: RequestMeta,
) {
  authorize(actor, 'integrations.manage');
  if (patch.url !== undefined) assertUrl(ctx, patch.url);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await findEndpoint(trx, actor.orgId, id);
    if (!existing) throw notFound('Webhook endpoint');
    const reenabled = patch.active === true && existing.active === 0;
    const moved = patch.url !== undefined && patch.url !== existing.url;
    await updateEndpointRow(trx, actor.orgId, id, {
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.eventTypes !== undefined
        ? { event_types: JSON.stringify([...new Set(patch.eventTypes)]) }
        : {}),
      ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
      // Turned back on (by a person): a clean slate for the failure clock.
      ...(reenabled ? { disabled_reason: null, failing_since: null } : {}),
      // A new address hasn't failed yet.
      ...(moved ? { failing_since: null } : {}),
      ...(patch.active === false ? { disabled_reason: null } : {}),
      updated_at: now,
    });
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'webhook_endpoint.updated',
      targetType: 'webhook_endpoint',
      targetId: id,
      details: { changed: Object.keys(patch) },
      meta,
    });
    const row = await findEndpoint(trx, actor.orgId, id);
    return toEndpoint(row as WebhookEndpointRow, now);
  });
}

export async function deleteEndpoint(ctx: Ctx, actor: StaffActor, id: string, meta: RequestMeta) {
  authorize(actor, 'integrations.manage');
  await ctx.db.transaction().execute(async (trx) => {
    const existing = await findEndpoint(trx, actor.orgId, id);
    if (!existing) throw notFound('Webhook endpoint');
    await deleteEndpointRow(trx, actor.orgId, id);
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'webhook_endpoint.deleted',
      targetType: 'webhook_endpoint',
      targetId: id,
      details: { url: existing.url },
      meta,
    });
  });
}

/** A new secret, shown once; the old one keeps signing alongside it for ROTATION_OVERLAP_MS. */
export async function rotateSecret(ctx: Ctx, actor: StaffActor, id: string, meta: RequestMeta) {
  authorize(actor, 'integrations.manage');
  const now = ctx.clock.now();
  const secret = generateWebhookSecret();
  const expiresAt = now + ROTATION_OVERLAP_MS;
  await ctx.db.transaction().execute(async (trx) => {
    const existing = await findEndpoint(trx, actor.orgId, id);
    if (!existing) throw notFound('Webhook endpoint');
    await updateEndpointRow(trx, actor.orgId, id, {
      secret_sealed: ctx.sealer.seal(secret),
      previous_secret_sealed: existing.secret_sealed,
      previous_secret_expires_at: expiresAt,
      updated_at: now,
    });
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'webhook_endpoint.secret_rotated',
      targetType: 'webhook_endpoint',
      targetId: id,
      meta,
    });
  });
  return { secret, previousSecretExpiresAt: toIso(expiresAt) };
}

export async function listDeliveries(
  ctx: Ctx,
  actor: StaffActor,
  endpointId: string,
  q: { cursor?: string; limit: number },
) {
  authorize(actor, 'integrations.manage');
  await getEndpointRow(ctx, actor.orgId, endpointId);
  const rows = await listDeliveriesOfEndpoint(ctx.db, actor.orgId, endpointId, q);
  const page = rows.slice(0, q.limit);
  return {
    items: page.map(toDelivery),
    nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

function assertActive(ep: WebhookEndpointRow) {
  if (ep.active !== 1) throw conflict('The endpoint is turned off; turn it on first');
}

/** Sends the delivery's event to its endpoint again, with the same webhook-id. */
export async function redeliver(
  ctx: Ctx,
  actor: StaffActor,
  endpointId: string,
  deliveryId: string,
  meta: RequestMeta,
) {
  authorize(actor, 'integrations.manage');
  const delivery = await findDelivery(ctx.db, actor.orgId, deliveryId);
  if (!delivery || delivery.endpoint_id !== endpointId) throw notFound('Delivery');
  const endpoint = await getEndpointRow(ctx, actor.orgId, endpointId);
  assertActive(endpoint);
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.jobs.enqueue(
      trx,
      deliverWebhookJob,
      { orgId: actor.orgId, eventId: delivery.event_id, endpointId },
      { key: `${delivery.event_id}:${endpointId}:redeliver:${newId()}` },
    );
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'webhook_delivery.redelivered',
      targetType: 'webhook_endpoint',
      targetId: endpointId,
      details: { eventId: delivery.event_id, deliveryId },
      meta,
    });
  });
  return { eventId: delivery.event_id };
}

/** A `webhook.test` event for this endpoint alone, delivered like any other. */
export async function sendTestEvent(ctx: Ctx, actor: StaffActor, endpointId: string) {
  authorize(actor, 'integrations.manage');
  const endpoint = await getEndpointRow(ctx, actor.orgId, endpointId);
  assertActive(endpoint);
  const now = ctx.clock.now();
  const eventId = newId(now);
  await ctx.db.transaction().execute(async (trx) => {
    // Stored like any event so the delivery log and redelivery work the same, but already marked
    // dispatched: it goes to this endpoint only.
    await trx
      .insertInto('events')
      .values({
        id: eventId,
        org_id: actor.orgId,
        type: TEST_EVENT_TYPE,
        subject_id: endpointId,
        data: JSON.stringify({ endpointId }),
        created_at: now,
        dispatched_at: now,
      })
      .execute();
    await ctx.jobs.enqueue(
      trx,
      deliverWebhookJob,
      { orgId: actor.orgId, eventId, endpointId },
      { key: `${eventId}:${endpointId}` },
    );
  });
  return { eventId };
}
