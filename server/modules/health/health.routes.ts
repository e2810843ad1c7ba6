// Liveness and readiness for load balancers and orchestrators.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import type { App } from '../../http/app-types.js';

const healthBody = z.object({ status: z.string() });

export function registerHealthRoutes(app: App, ctx: Ctx): void {
  app.get(
    '/healthz',
    {
      config: { access: { kind: 'public' } },
      schema: {
        operationId: 'getHealth',
        tags: ['health'],
        summary: 'The process is alive',
        response: { 200: healthBody },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { access: { kind: 'public' } },
      schema: {
        operationId: 'getReadiness',
        tags: ['health'],
        summary: 'The database answers (503 when it does not)',
        response: { 200: healthBody, 503: healthBody },
      },
    },
    async (_req, reply) => {
      try {
        await withTimeout(sql`select 1`.execute(ctx.db), 2_000);
        return { status: 'ready' };
      } catch {
        reply.header('retry-after', '5');
        return reply.status(503).send({ status: 'database unavailable' });
      }
    },
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);
}
