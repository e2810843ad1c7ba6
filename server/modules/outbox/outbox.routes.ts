// The outbox: every message the organization sent or is waiting to send. With no SMTP configured it
// is where admins find invitation links. Private messages (password resets) show metadata only.
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { idParam, isoTime, pageQuery, staffErrors } from '../../http/schemas.js';
import { getOutboxEmail, listOutbox } from './outbox.service.js';

const emailSummary = z.object({
  id: z.string(),
  kind: z.string(),
  to: z.string(),
  subject: z.string(),
  status: z.enum(['queued', 'sent', 'failed', 'outbox']),
  private: z.boolean(),
  createdAt: isoTime,
  sentAt: isoTime.nullable(),
  lastError: z.string().nullable(),
});

export function registerOutboxRoutes(app: App, ctx: Ctx): void {
  app.get(
    '/api/v1/outbox',
    {
      config: { access: { kind: 'staff', permission: 'outbox.read' } },
      schema: {
        operationId: 'listOutbox',
        tags: ['outbox'],
        summary: "The organization's sent and waiting emails, newest first",
        querystring: pageQuery.extend({ kind: z.string().max(60).optional() }),
        response: {
          200: z.object({ items: z.array(emailSummary), nextCursor: z.string().nullable() }),
          ...staffErrors,
        },
      },
    },
    async (req) => listOutbox(ctx, staffOf(req).orgId, req.query),
  );
  app.get(
    '/api/v1/outbox/:emailId',
    {
      config: { access: { kind: 'staff', permission: 'outbox.read' } },
      schema: {
        operationId: 'getOutboxEmail',
        tags: ['outbox'],
        summary: 'One email with its bodies (null for private messages)',
        params: idParam('emailId'),
        response: {
          200: emailSummary.extend({ text: z.string().nullable(), html: z.string().nullable() }),
          ...staffErrors,
        },
      },
    },
    async (req) => getOutboxEmail(ctx, staffOf(req).orgId, req.params.emailId as string),
  );
}
