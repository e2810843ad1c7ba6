// Webhooks end to end: endpoints over the API, events written in transactions, the dispatcher and
// delivery jobs, and a real HTTP receiver on 127.0.0.1 (private targets allowed for this app).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EventType, recordEvent } from '../../events/events.js';
import { newId } from '../../ids.js';
import { orgWithTeam } from '../../test/factories.js';
import { createTestApp, dialects, type TestApp } from '../../test/harness.js';
import { startReceiver } from './test-receiver.js';
import { verifyWebhook } from './webhook-signing.js';

const HOUR = 3600_000;

describe.each(dialects)('webhooks (%s)', (dialect) => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof orgWithTeam>>;
  let b: Awaited<ReturnType<typeof orgWithTeam>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    t = await createTestApp(dialect, { env: { WEBHOOKS_ALLOW_PRIVATE: 'true' } });
    a = await orgWithTeam(t.app, t.ctx);
    b = await orgWithTeam(t.app, t.ctx);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });
  beforeEach(() => receiver.answer(() => ({ status: 200, body: 'ok' })));

  async function createEndpoint(
    org: typeof a,
    body: { url?: string; eventTypes?: EventType[]; description?: string } = {},
  ) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: org.agents.admin.headers,
      payload: { url: receiver.url, eventTypes: ['attempt.graded', 'invitation.created'], ...body },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { endpoint: { id: string }; secret: string };
  }

  async function emit(orgId: string, type: EventType = 'attempt.graded', rollback = false) {
    const subjectId = newId();
    let eventId = '';
    await t.ctx.db
      .transaction()
      .execute(async (trx) => {
        eventId = await recordEvent(t.ctx, trx, {
          orgId,
          type,
          subjectId,
          data: { attemptId: subjectId, score: 72.5, status: 'graded' },
        });
        if (rollback) throw new Error('rolled back');
      })
      .catch((err: Error) => {
        if (err.message !== 'rolled back') throw err;
      });
    return eventId;
  }

  /** Lets the clock run on: the dispatcher's next slot, and any retries now due, run to the end. */
  async function runFor(ms: number) {
    t.clock.advance(ms);
    await t.runJobs();
  }

  async function removeAll(org: typeof a) {
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/webhook-endpoints',
      headers: org.agents.owner.headers,
    });
    for (const ep of list.json().items as { id: string }[]) {
      await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/webhook-endpoints/${ep.id}`,
        headers: org.agents.owner.headers,
      });
    }
  }

  it('manages endpoints: secret shown once and sealed, updates, rotation and deletion audited', async () => {
    const { endpoint, secret } = await createEndpoint(a, { description: 'ATS' });
    expect(secret).toMatch(/^whsec_/);
    const row = await t.ctx.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', endpoint.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(secret.slice(6));
    expect(t.ctx.sealer.open(row.secret_sealed)).toBe(secret);

    const get = await t.app.inject({
      method: 'GET',
      url: `/api/v1/webhook-endpoints/${endpoint.id}`,
      headers: a.agents.owner.headers,
    });
    expect(get.statusCode).toBe(200);
    expect(get.body).not.toContain(secret);

    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhook-endpoints/${endpoint.id}`,
      headers: a.agents.owner.headers,
      payload: { eventTypes: ['review.completed'], active: false },
    });
    expect(patch.json()).toMatchObject({ eventTypes: ['review.completed'], active: false });

    const rotate = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`,
      headers: a.agents.owner.headers,
    });
    expect(rotate.statusCode).toBe(200);
    expect(rotate.json().secret).not.toBe(secret);

    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: a.agents.owner.headers,
      payload: { url: 'ftp://example.com', eventTypes: ['attempt.graded'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields['body.url']).toBeTruthy();

    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/webhook-endpoints/${endpoint.id}`,
      headers: a.agents.owner.headers,
    });
    expect(del.statusCode).toBe(204);
    const actions = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', endpoint.id)
      .orderBy('id')
      .execute();
    expect(actions.map((x) => x.action)).toEqual([
      'webhook_endpoint.created',
      'webhook_endpoint.updated',
      'webhook_endpoint.secret_rotated',
      'webhook_endpoint.deleted',
    ]);
    const foreign = await t.app.inject({
      method: 'GET',
      url: `/api/v1/webhook-endpoints/${(await createEndpoint(a)).endpoint.id}`,
      headers: b.agents.owner.headers,
    });
    expect(foreign.statusCode).toBe(404);
    await removeAll(a);
  });

  it('sends a signed, thin test event to one endpoint', async () => {
    const { endpoint, secret } = await createEndpoint(a);
    const { endpoint: other } = await createEndpoint(a);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhook-endpoints/${endpoint.id}/test`,
      headers: a.agents.owner.headers,
    });
    expect(res.statusCode).toBe(202);
    const before = receiver.received.length;
    await t.runJobs();
    const got = receiver.received.slice(before);
    expect(got).toHaveLength(1);
    const msg = got[0]!;
    expect(msg.headers['webhook-id']).toBe(res.json().eventId);
    expect(
      verifyWebhook(
        [secret],
        msg.headers as Record<string, string>,
        msg.body,
        Math.floor(t.clock.now() / 1000),
      ),
    ).toBe(true);
    const payload = JSON.parse(msg.body);
    expect(payload).toMatchObject({
      type: 'webhook.test',
      data: {
        endpointId: endpoint.id,
        links: { self: `http://assay.test/api/v1/webhook-endpoints/${endpoint.id}` },
      },
    });
    const log = await t.app.inject({
      method: 'GET',
      url: `/api/v1/webhook-endpoints/${endpoint.id}/deliveries`,
      headers: a.agents.owner.headers,
    });
    expect(log.json().items).toMatchObject([{ outcome: 'delivered', statusCode: 200, attempt: 1 }]);
    const none = await t.app.inject({
      method: 'GET',
      url: `/api/v1/webhook-endpoints/${other.id}/deliveries`,
      headers: a.agents.owner.headers,
    });
    expect(none.json().items).toEqual([]);
    await removeAll(a);
  });

  it('delivers every event once the receiver is back, each webhook-id successfully exactly once', async () => {
    const { endpoint, secret } = await createEndpoint(a);
    await createEndpoint(b); // B's endpoint hears nothing of A's events
    let up = false;
    receiver.answer(() => (up ? { status: 204 } : { status: 503, body: 'down for maintenance' }));
    const before = receiver.received.length;
    const ids = [
      await emit(a.orgId, 'attempt.graded'),
      await emit(a.orgId, 'invitation.created'),
      await emit(a.orgId, 'attempt.graded'),
      await emit(a.orgId, 'review.completed'), // not subscribed
    ];
    await runFor(5_000);
    for (let i = 0; i < 4; i++) await runFor(HOUR); // down for hours; retries keep coming
    up = true;
    for (let i = 0; i < 6; i++) await runFor(4 * HOUR);

    const got = receiver.received.slice(before);
    const successes = new Map<string, number>();
    const attempts = new Map<string, number>();
    for (const r of got) {
      const id = r.headers['webhook-id'] as string;
      expect(
        verifyWebhook(
          [secret],
          r.headers as Record<string, string>,
          r.body,
          Number(r.headers['webhook-timestamp']),
        ),
      ).toBe(true);
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      // Success is decided by what the receiver answered, which depends on when it arrived.
    }
    const log = await t.ctx.db
      .selectFrom('webhook_deliveries')
      .select(['event_id', 'outcome', 'attempt'])
      .where('endpoint_id', '=', endpoint.id)
      .execute();
    for (const l of log)
      if (l.outcome === 'delivered') successes.set(l.event_id, (successes.get(l.event_id) ?? 0) + 1);
    expect([...successes.keys()].sort()).toEqual(ids.slice(0, 3).sort());
    for (const id of ids.slice(0, 3)) {
      expect(successes.get(id)).toBe(1);
      expect(attempts.get(id)).toBeGreaterThan(1); // it was retried, always with the same id
    }
    expect(attempts.has(ids[3]!)).toBe(false);
    expect(got.every((r) => ids.includes(r.headers['webhook-id'] as string))).toBe(true);
    expect(log.some((l) => l.outcome === 'failed' && l.attempt > 1)).toBe(true);
    const ep = await t.ctx.db
      .selectFrom('webhook_endpoints')
      .select(['active', 'failing_since', 'last_success_at'])
      .where('id', '=', endpoint.id)
      .executeTakeFirstOrThrow();
    expect(ep).toMatchObject({ active: 1, failing_since: null });
    await removeAll(a);
    await removeAll(b);
  });

  it('sends nothing for a change that was rolled back', async () => {
    await createEndpoint(a);
    const before = receiver.received.length;
    const rolledBack = await emit(a.orgId, 'attempt.graded', true);
    const committed = await emit(a.orgId, 'attempt.graded');
    await runFor(5_000);
    const ids = receiver.received.slice(before).map((r) => r.headers['webhook-id']);
    expect(ids).toEqual([committed]);
    expect(ids).not.toContain(rolledBack);
    expect(
      await t.ctx.db.selectFrom('events').select('id').where('id', '=', rolledBack).executeTakeFirst(),
    ).toBeUndefined();
    await removeAll(a);
  });

  it('redelivers with the same webhook-id, and signs with both secrets after a rotation', async () => {
    const { endpoint, secret: oldSecret } = await createEndpoint(a);
    const eventId = await emit(a.orgId);
    await runFor(5_000);
    const log = await t.app.inject({
      method: 'GET',
      url: `/api/v1/webhook-endpoints/${endpoint.id}/deliveries`,
      headers: a.agents.owner.headers,
    });
    const delivery = log.json().items[0] as { id: string; eventId: string };
    expect(delivery.eventId).toBe(eventId);

    const rotate = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`,
      headers: a.agents.owner.headers,
    });
    const newSecret = rotate.json().secret as string;
    const before = receiver.received.length;
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}/redeliver`,
      headers: a.agents.owner.headers,
    });
    expect(again.statusCode).toBe(202);
    await t.runJobs();
    const msg = receiver.received[before]!;
    expect(msg.headers['webhook-id']).toBe(eventId);
    const h = msg.headers as Record<string, string>;
    const now = Math.floor(t.clock.now() / 1000);
    expect(h['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifyWebhook([oldSecret], h, msg.body, now)).toBe(true);
    expect(verifyWebhook([newSecret], h, msg.body, now)).toBe(true);

    // A day later the old secret no longer signs.
    await runFor(25 * HOUR);
    const later = receiver.received.length;
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}/redeliver`,
      headers: a.agents.owner.headers,
    });
    await t.runJobs();
    const msg2 = receiver.received[later]!;
    const h2 = msg2.headers as Record<string, string>;
    const now2 = Math.floor(t.clock.now() / 1000);
    expect(verifyWebhook([oldSecret], h2, msg2.body, now2)).toBe(false);
    expect(verifyWebhook([newSecret], h2, msg2.body, now2)).toBe(true);

    const foreign = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}/redeliver`,
      headers: b.agents.owner.headers,
    });
    expect(foreign.statusCode).toBe(404);
    await removeAll(a);
  });

  it('treats a redirect as a failure and never follows it', async () => {
    const target = await startReceiver();
    try {
      const { endpoint } = await createEndpoint(a);
      receiver.answer(() => ({ status: 302, headers: { location: target.url } }));
      await emit(a.orgId);
      await runFor(5_000);
      expect(target.received).toHaveLength(0);
      const log = await t.ctx.db
        .selectFrom('webhook_deliveries')
        .select(['outcome', 'status_code', 'error'])
        .where('endpoint_id', '=', endpoint.id)
        .execute();
      expect(log).toMatchObject([{ outcome: 'failed', status_code: 302 }]);
      expect(log[0]?.error).toMatch(/redirect/);
    } finally {
      await target.close();
      await removeAll(a);
    }
  });

  it('turns an endpoint off on 410 Gone, and after a day of failures, telling the owners', async () => {
    const { endpoint: gone } = await createEndpoint(a);
    receiver.answer(() => ({ status: 410 }));
    await emit(a.orgId);
    await runFor(5_000);
    let row = await t.ctx.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', gone.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ active: 0, disabled_reason: 'gone' });
    await removeAll(a);

    const { endpoint: failing } = await createEndpoint(a);
    receiver.answer(() => ({ status: 500 }));
    await emit(a.orgId);
    await runFor(5_000);
    // Retries keep failing; within a few hours past the first day the endpoint is turned off.
    for (let i = 0; i < 8; i++) await runFor(4 * HOUR);
    row = await t.ctx.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', failing.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ active: 0, disabled_reason: 'failing' });
    const mails = await t.ctx.db
      .selectFrom('emails')
      .select(['to_address', 'kind'])
      .where('org_id', '=', a.orgId)
      .where('kind', '=', 'webhook-disabled')
      .execute();
    expect(mails.map((m) => m.to_address)).toEqual([a.email, a.email]);
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('target_id', 'in', [gone.id, failing.id])
      .where('action', '=', 'webhook_endpoint.disabled')
      .execute();
    expect(audit).toHaveLength(2);

    // While off, events are logged as skipped, not sent; after turning it on, new events flow again.
    const before = receiver.received.length;
    await emit(a.orgId);
    await runFor(5_000);
    expect(receiver.received.length).toBe(before);
    receiver.answer(() => ({ status: 200 }));
    const on = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhook-endpoints/${failing.id}`,
      headers: a.agents.owner.headers,
      payload: { active: true },
    });
    expect(on.json()).toMatchObject({ active: true, disabledReason: null, failingSince: null });
    const next = await emit(a.orgId);
    await runFor(5_000);
    expect(receiver.received.at(-1)?.headers['webhook-id']).toBe(next);
    await removeAll(a);
  });
});

describe.each(dialects)('webhooks without private targets (%s)', (dialect) => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof orgWithTeam>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    a = await orgWithTeam(t.app, t.ctx);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it('refuses private URLs when they are added, and at delivery time', async () => {
    for (const url of [
      receiver.url,
      'http://10.0.0.1/hooks',
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${receiver.port}/hooks`,
      `http://localhost:${receiver.port}/hooks`,
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhook-endpoints',
        headers: a.agents.owner.headers,
        payload: { url, eventTypes: ['attempt.graded'] },
      });
      expect(res.statusCode, url).toBe(400);
    }
    // An endpoint whose name resolves inward (localhost by another name) is caught when sending.
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: a.agents.owner.headers,
      payload: { url: `http://localtest.me:${receiver.port}/hooks`, eventTypes: ['attempt.graded'] },
    });
    expect(res.statusCode).toBe(201);
    const endpointId = res.json().endpoint.id as string;
    // Point it at loopback without the API's check, as a DNS change after creation would.
    await t.ctx.db
      .updateTable('webhook_endpoints')
      .set({ url: `http://127.0.0.1:${receiver.port}/hooks` })
      .where('id', '=', endpointId)
      .execute();
    await t.ctx.db
      .transaction()
      .execute((trx) =>
        recordEvent(t.ctx, trx, { orgId: a.orgId, type: 'attempt.graded', subjectId: newId(), data: {} }),
      );
    t.clock.advance(5_000);
    await t.runJobs();
    expect(receiver.received).toHaveLength(0);
    const log = await t.ctx.db
      .selectFrom('webhook_deliveries')
      .select(['outcome', 'error'])
      .where('endpoint_id', '=', endpointId)
      .execute();
    expect(log).toMatchObject([{ outcome: 'refused' }]);
  });
});
