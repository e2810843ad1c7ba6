import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { isoTime, pageQuery, staffErrors } from '../../http/schemas.js';
import { listAudit } from './audit.service.js';

const auditEntry = z.object({
  id: z.string(),
  action: z.string(),
  actor: z.object({ userId: z.string(), name: z.string() }).nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: isoTime,
});

export function registerAuditRoutes(app: App, ctx: Ctx): void {
  app.get(
    '/api/v1/audit-log',
    {
      config: { access: { kind: 'staff', permission: 'audit.read' } },
      schema: {
        operationId: 'listAuditLog',
        tags: ['audit'],
        summary: 'Security-relevant actions in this organization, newest first',
        querystring: pageQuery.extend({
          action: z.string().max(100).optional(),
          actorUserId: z.string().max(100).optional(),
        }),
        response: {
          200: z.object({ items: z.array(auditEntry), nextCursor: z.string().nullable() }),
          ...staffErrors,
        },
      },
    },
    async (req) => listAudit(ctx, staffOf(req).orgId, req.query),
  );
}
