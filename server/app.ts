// buildApp(ctx): the HTTP application. Plugins and each module's routes are registered here,
// explicitly, so the whole surface of the API can be read in one file.
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Redis } from 'ioredis';
import type { Ctx } from './context.js';
import type { Access } from './http/access.js';
import type { App } from './http/app-types.js';
import { frameworkErrors, installErrorHandler } from './http/error-handler.js';
import { registerOpenApi } from './http/openapi.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerWebApp } from './http/web-static.js';
import { installAccessControl } from './modules/accounts/access.hook.js';
import { registerAccountRoutes } from './modules/accounts/accounts.routes.js';
import { registerAssessmentRoutes } from './modules/assessments/assessments.routes.js';
import { registerAttemptRoutes } from './modules/attempts/attempts.routes.js';
import { registerAuditRoutes } from './modules/audit/audit.routes.js';
import { registerBankRoutes } from './modules/bank/bank.routes.js';
import { registerBankInterchangeRoutes } from './modules/bank/bank-interchange.routes.js';
import { registerDemoRoutes } from './modules/demo/demo.routes.js';
import { registerHealthRoutes } from './modules/health/health.routes.js';
import { installIntegrationHooks, installKeyRateLimit } from './modules/integrations/integrations.hooks.js';
import { registerIntegrationRoutes } from './modules/integrations/integrations.routes.js';
import { registerInvitationRoutes } from './modules/invitations/invitations.routes.js';
import { registerOutboxRoutes } from './modules/outbox/outbox.routes.js';
import { registerPrivacyRoutes } from './modules/privacy/privacy.routes.js';
import { registerResultRoutes } from './modules/results/results.routes.js';
import { registerReviewRoutes } from './modules/reviews/reviews.routes.js';

export type RouteRecord = { method: string; url: string; access: Access | undefined };
const routeTables = new WeakMap<FastifyInstance, RouteRecord[]>();

/** Every route the app registered, with its declared access: tests walk it, so new routes are covered. */
export function routesOf(app: FastifyInstance): RouteRecord[] {
  return routeTables.get(app) ?? [];
}

/**
 * With REDIS_URL, rate-limit counters live in Redis so every instance counts the same requests. If
 * Redis is unreachable, requests are let through rather than refused (skipOnError).
 */
function sharedRateLimitStore(app: FastifyInstance, ctx: Ctx) {
  if (!ctx.config.redisUrl) return {};
  const redis = new Redis(ctx.config.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
  });
  redis.on('error', (err) =>
    ctx.log.warn(
      { err: err.message },
      'redis unavailable; rate limits fall back to letting requests through',
    ),
  );
  // Start counting in Redis from the first request: wait (briefly) for the connection at start.
  app.addHook('onReady', async () => {
    if (redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      redis.once('ready', done);
      setTimeout(done, 3_000).unref();
    });
  });
  app.addHook('onClose', async () => {
    redis.disconnect();
  });
  return { redis, nameSpace: 'assay-rl:', skipOnError: true };
}

export type BuildOptions = {
  /** The built web app (dist/web); omitted in API-only tests. */
  webDir?: string;
};

export async function buildApp(ctx: Ctx, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    trustProxy: ctx.config.trustProxy,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    // A slow client can't hold a connection open forever: Node checks every 5 s (not the default
    // 30 s) for requests past the timeout, so a 1 byte/s drip is cut off within 125 s.
    requestTimeout: 120_000,
    http: { connectionsCheckingInterval: 5_000 },
    // Router errors (bad percent-encoding, an over-long parameter) get the API's error shape too.
    frameworkErrors,
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('actor', null);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Plugin routes (the docs UI, static files) are public by nature; say so, so the check that every
  // route declares its access holds for them too.
  const routes: RouteRecord[] = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => {
    if (!route.config?.access && (route.url.startsWith('/docs') || route.url === '/*')) {
      route.config = { ...route.config, access: { kind: 'public' } };
    }
    for (const method of [route.method].flat())
      routes.push({ method, url: route.url, access: route.config?.access });
  });

  installErrorHandler(app);
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false, ...sharedRateLimitStore(app, ctx) });
  await registerSecurityHeaders(app);
  await registerOpenApi(app);
  installKeyRateLimit(app, ctx);
  installAccessControl(app, ctx);
  installIntegrationHooks(app, ctx);

  const api: App = app.withTypeProvider<ZodTypeProvider>();
  registerHealthRoutes(api, ctx);
  registerAccountRoutes(api, ctx);
  registerAuditRoutes(api, ctx);
  registerBankRoutes(api, ctx);
  registerBankInterchangeRoutes(api, ctx);
  registerOutboxRoutes(api, ctx);
  registerIntegrationRoutes(api, ctx);
  registerAssessmentRoutes(api, ctx);
  registerInvitationRoutes(api, ctx);
  registerAttemptRoutes(api, ctx);
  registerPrivacyRoutes(api, ctx);
  registerResultRoutes(api, ctx);
  registerReviewRoutes(api, ctx);
  registerDemoRoutes(api, ctx);

  await registerWebApp(app, opts.webDir);
  return app;
}
