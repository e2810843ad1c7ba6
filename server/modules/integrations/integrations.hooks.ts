// Request hooks for integrators: per-key and per-organization rate limits on API-key requests (so one
// noisy tenant can't starve the others), and Idempotency-Key handling on every POST under /api/v1.
// Installed after the access hook, because both need to know who is calling.
import type {} from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../../context.js';
import { hashToken } from '../../crypto.js';
import { AppError } from '../../errors.js';
import type { StaffActor } from '../../http/access.js';
import { API_KEY_PREFIX } from './api-keys.service.js';
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

type LimitResult = { max: number; remaining: number; ttlInSeconds: number };
const perKeyResults = new WeakMap<FastifyRequest, LimitResult>();

/** An API key's token, by its hash: the same key as its id, known before any database lookup. */
function keyTokenHash(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
  return m?.[1]?.startsWith(API_KEY_PREFIX) ? hashToken(m[1]).slice(0, 32) : undefined;
}

function tooMany(reply: FastifyReply, r: LimitResult): never {
  reply.header('x-ratelimit-limit', r.max);
  reply.header('x-ratelimit-remaining', 0);
  reply.header('x-ratelimit-reset', r.ttlInSeconds);
  reply.header('retry-after', Math.max(1, r.ttlInSeconds));
  // A plain 429 (not AppError) so the error handler keeps this Retry-After.
  throw Object.assign(new Error('Too many requests'), { statusCode: 429 });
}

/**
 * The per-key limit, installed before the access hook: a key flooding past its quota is refused
 * before it costs a database lookup, so a noisy tenant's refused requests stay cheap for everyone.
 */
export function installKeyRateLimit(app: FastifyInstance, ctx: Ctx): void {
  const perKey = app.createRateLimit({
    max: ctx.config.apiRateLimit.perKey,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: (req) => `api-key:${keyTokenHash(req)}`,
  });
  app.addHook('onRequest', async (req, reply) => {
    if (req.is404 || !keyTokenHash(req)) return;
    const r = await perKey(req);
    if (r.isAllowed) return;
    if (r.isExceeded) tooMany(reply, r);
    perKeyResults.set(req, r);
  });
}

function installRateLimits(app: FastifyInstance, ctx: Ctx): void {
  // With REDIS_URL these limiters share their counters across instances (see server/app.ts).
  const limits = ctx.config.apiRateLimit;
  const perOrg = app.createRateLimit({
    max: limits.perOrg,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: (req) => `api-org:${apiKeyActorOf(req)?.orgId}`,
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!apiKeyActorOf(req)) return;
    let tightest: LimitResult | undefined = perKeyResults.get(req);
    for (const limiter of [perOrg]) {
      const r = await limiter(req);
      if (r.isAllowed) continue;
      if (!tightest || r.remaining < tightest.remaining) tightest = r;
      if (r.isExceeded) tooMany(reply, r);
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
