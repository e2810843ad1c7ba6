// Request hooks for integrators: per-key and per-organization rate limits on API-key requests (so one
// noisy tenant can't starve the others), and Idempotency-Key handling on every POST under /api/v1.
// Installed after the access hook, because both need to know who is calling.
import type {} from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Ctx } from '../../context.js';
import { AppError } from '../../errors.js';
import type { StaffActor } from '../../http/access.js';
import {
  claimIdempotencyKey,
  finishIdempotencyKey,
  releaseIdempotencyKey,
  requestHash,
} from './idempotency.service.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
const RATE_WINDOW_MS = 60_000;

function apiKeyActorOf(req: FastifyRequest): (StaffActor & { apiKeyId: string; orgId: string }) | undefined {
  const a = req.actor;
  return a?.kind === 'staff' && a.via === 'api-key' && a.apiKeyId && a.orgId
    ? (a as StaffActor & { apiKeyId: string; orgId: string })
    : undefined;
}

function installRateLimits(app: FastifyInstance, ctx: Ctx): void {
  // With REDIS_URL these limiters share their counters across instances (see server/app.ts).
  const limits = ctx.config.apiRateLimit;
  const perKey = app.createRateLimit({
    max: limits.perKey,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: (req) => `api-key:${apiKeyActorOf(req)?.apiKeyId}`,
  });
  const perOrg = app.createRateLimit({
    max: limits.perOrg,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: (req) => `api-org:${apiKeyActorOf(req)?.orgId}`,
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!apiKeyActorOf(req)) return;
    let tightest: { max: number; remaining: number; ttlInSeconds: number } | undefined;
    for (const limiter of [perKey, perOrg]) {
      const r = await limiter(req);
      if (r.isAllowed) continue;
      if (!tightest || r.remaining < tightest.remaining) tightest = r;
      if (r.isExceeded) {
        reply.header('x-ratelimit-limit', r.max);
        reply.header('x-ratelimit-remaining', 0);
        reply.header('x-ratelimit-reset', r.ttlInSeconds);
        reply.header('retry-after', Math.max(1, r.ttlInSeconds));
        // A plain 429 (not AppError) so the error handler keeps this Retry-After.
        throw Object.assign(new Error('Too many requests'), { statusCode: 429 });
      }
    }
    if (tightest) {
      reply.header('x-ratelimit-limit', tightest.max);
      reply.header('x-ratelimit-remaining', tightest.remaining);
      reply.header('x-ratelimit-reset', tightest.ttlInSeconds);
    }
  });
}

function installIdempotency(app: FastifyInstance, ctx: Ctx): void {
  const claims = new WeakMap<FastifyRequest, string>();

  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST' || !req.url.startsWith('/api/v1/')) return;
    const key = req.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return;
    const actor = req.actor;
    // Keys are scoped to the organization; public and candidate routes have their own guarantees.
    if (actor?.kind !== 'staff' || !actor.orgId) return;
    // A multipart body is a stream the handler reads, so there is nothing to hash up front.
    if (String(req.headers['content-type'] ?? '').startsWith('multipart/')) return;
    if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new AppError('VALIDATION_FAILED', 'Some fields are invalid', {
        fields: { 'headers.idempotency-key': 'Use 1 to 255 visible ASCII characters, such as a UUID' },
      });
    }
    const principal = actor.apiKeyId ? `api-key:${actor.apiKeyId}` : `user:${actor.userId}`;
    const outcome = await claimIdempotencyKey(
      ctx,
      actor.orgId,
      key,
      requestHash(principal, req.method, req.url, req.body),
    );
    if (outcome.kind === 'claimed') {
      claims.set(req, outcome.id);
      return;
    }
    reply.code(outcome.statusCode).header(REPLAYED_HEADER, 'true');
    if (outcome.contentType) reply.header('content-type', outcome.contentType);
    return reply.send(outcome.body === '' ? undefined : outcome.body);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const id = claims.get(req);
    if (!id) return payload;
    claims.delete(req);
    const body =
      payload === null || payload === undefined
        ? ''
        : typeof payload === 'string'
          ? payload
          : Buffer.isBuffer(payload)
            ? payload.toString('utf8')
            : null; // a stream can't be stored: the key is freed instead
    const ct = reply.getHeader('content-type');
    try {
      await finishIdempotencyKey(ctx, id, {
        statusCode: reply.statusCode,
        contentType: typeof ct === 'string' ? ct : null,
        body,
      });
    } catch (err) {
      // The work is done and committed: answer it. The claim stays pending, and a retry after the
      // stale window runs again rather than replaying, which is the same as having sent no key.
      req.log.error({ err }, 'idempotency: could not store the response');
    }
    return payload;
  });

  // A request that ended without a reply being sent (the client went away) must not hold the key.
  app.addHook('onResponse', async (req) => {
    const id = claims.get(req);
    if (!id) return;
    claims.delete(req);
    await releaseIdempotencyKey(ctx, id);
  });
}

export function installIntegrationHooks(app: FastifyInstance, ctx: Ctx): void {
  installRateLimits(app, ctx);
  installIdempotency(app, ctx);
}
