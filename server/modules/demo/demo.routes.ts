// The demo over HTTP: whether the organization has demo data, fill it, remove all of it.
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { metaOf, staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { staffErrors } from '../../http/schemas.js';
import * as demo from './demo.service.js';

const statusCounts = z.record(z.string(), z.number().int());
const demoState = z.object({
  present: z.boolean(),
  assessmentId: z.string().nullable(),
  candidates: z.number().int(),
});
const demoCreated = z.object({
  created: z.boolean(),
  assessmentId: z.string(),
  candidates: z.number().int(),
  statuses: statusCounts,
});
const demoRemoved = z.object({
  removed: z.object({
    assessments: z.number().int(),
    candidates: z.number().int(),
    attempts: z.number().int(),
  }),
});

export function registerDemoRoutes(app: App, ctx: Ctx): void {
  app.get(
    '/api/v1/demo',
    {
      config: { access: { kind: 'staff', permission: 'organization.read' } },
      schema: {
        operationId: 'getDemo',
        tags: ['demo'],
        summary: 'Whether this organization has demo data',
        response: { 200: demoState, ...staffErrors },
      },
    },
    async (req) => demo.describeDemo(ctx, staffOf(req)),
  );

  app.post(
    '/api/v1/demo',
    {
      config: { access: { kind: 'staff', permission: 'organization.update' } },
      schema: {
        operationId: 'createDemo',
        tags: ['demo'],
        summary: 'Fill this organization with a demo assessment and about 60 simulated candidates',
        description:
          'A "Back-End Engineer" assessment and candidates in every status, with answers, uploads waiting ' +
          'for review, reviews, stages and item statistics. All marked demo; no mail or events go out. ' +
          'When demo data exists already nothing changes (200, created: false).',
        response: { 200: demoCreated, 201: demoCreated, ...staffErrors },
      },
    },
    async (req, reply) => {
      const r = await demo.createDemo(ctx, staffOf(req), metaOf(req));
      return reply.status(r.created ? 201 : 200).send(r);
    },
  );

  app.delete(
    '/api/v1/demo',
    {
      config: { access: { kind: 'staff', permission: 'organization.update' } },
      schema: {
        operationId: 'deleteDemo',
        tags: ['demo'],
        summary: 'Remove all demo data of this organization in one action',
        response: { 200: demoRemoved, ...staffErrors },
      },
    },
    async (req) => demo.removeDemo(ctx, staffOf(req), metaOf(req)),
  );
}
