// Assessments over HTTP, for staff: the builder, the lifecycle, the draw check and the public link.
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { metaOf, staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { idParam, staffErrors } from '../../http/schemas.js';
import {
  assessmentSchema,
  assessmentSummarySchema,
  createAssessmentBody,
  drawCheckSchema,
  duplicateAssessmentBody,
  listAssessmentsQuery,
  publicLinkBody,
  publicLinkSchema,
  updateAssessmentBody,
} from './assessments.schemas.js';
import * as assessments from './assessments.service.js';

const read = { access: { kind: 'staff', permission: 'assessments.read' } } as const;
const write = { access: { kind: 'staff', permission: 'assessments.write' } } as const;
const invite = { access: { kind: 'staff', permission: 'candidates.invite' } } as const;
const params = idParam('assessmentId');
const idOf = (p: Record<string, string>) => p.assessmentId as string;

export function registerAssessmentRoutes(app: App, ctx: Ctx): void {
  app.get(
    '/api/v1/assessments',
    {
      config: read,
      schema: {
        operationId: 'listAssessments',
        tags: ['assessments'],
        summary: 'Assessments, newest first, with invited, started and completed counts',
        querystring: listAssessmentsQuery,
        response: {
          200: z.object({ items: z.array(assessmentSummarySchema), nextCursor: z.string().nullable() }),
          ...staffErrors,
        },
      },
    },
    async (req) => assessments.listAssessments(ctx, staffOf(req), req.query),
  );

  app.post(
    '/api/v1/assessments',
    {
      config: write,
      schema: {
        operationId: 'createAssessment',
        tags: ['assessments'],
        summary: 'Create a draft, blank or prefilled from a role template',
        body: createAssessmentBody,
        response: { 201: assessmentSchema, ...staffErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await assessments.createAssessment(ctx, staffOf(req), req.body, metaOf(req))),
  );

  app.get(
    '/api/v1/assessments/:assessmentId',
    {
      config: read,
      schema: {
        operationId: 'getAssessment',
        tags: ['assessments'],
        summary: 'One assessment with its sections and settings',
        params,
        response: { 200: assessmentSchema, ...staffErrors },
      },
    },
    async (req) => assessments.getAssessment(ctx, staffOf(req), idOf(req.params)),
  );

  app.patch(
    '/api/v1/assessments/:assessmentId',
    {
      config: write,
      schema: {
        operationId: 'updateAssessment',
        tags: ['assessments'],
        summary: 'Change the name, sections or settings; each change increments the revision',
        params,
        body: updateAssessmentBody,
        response: { 200: assessmentSchema, ...staffErrors },
      },
    },
    async (req) => assessments.updateAssessment(ctx, staffOf(req), idOf(req.params), req.body, metaOf(req)),
  );

  app.post(
    '/api/v1/assessments/:assessmentId/duplicate',
    {
      config: write,
      schema: {
        operationId: 'duplicateAssessment',
        tags: ['assessments'],
        summary: 'Copy an assessment into a new draft',
        params,
        body: duplicateAssessmentBody,
        response: { 201: assessmentSchema, ...staffErrors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await assessments.duplicateAssessment(ctx, staffOf(req), idOf(req.params), req.body, metaOf(req)),
        ),
  );

  app.get(
    '/api/v1/assessments/:assessmentId/draw-check',
    {
      config: read,
      schema: {
        operationId: 'checkAssessmentDraw',
        tags: ['assessments'],
        summary: 'Whether every section can be drawn; lists the cells that are short of questions',
        params,
        response: { 200: drawCheckSchema, ...staffErrors },
      },
    },
    async (req) => assessments.checkAssessmentDraw(ctx, staffOf(req), idOf(req.params)),
  );

  const lifecycle = [
    ['open', 'openAssessment', 'Open a draft to candidates (409 with the shortages if it cannot be drawn)'],
    ['close', 'closeAssessment', 'Close an open assessment: no new invitations or starts'],
    ['reopen', 'reopenAssessment', 'Open a closed assessment again (after the same draw check)'],
    ['archive', 'archiveAssessment', 'Archive a draft or closed assessment'],
  ] as const;
  const actions = {
    open: assessments.openAssessment,
    close: assessments.closeAssessment,
    reopen: assessments.reopenAssessment,
    archive: assessments.archiveAssessment,
  };
  for (const [action, operationId, summary] of lifecycle) {
    app.post(
      `/api/v1/assessments/:assessmentId/${action}`,
      {
        config: write,
        schema: {
          operationId,
          tags: ['assessments'],
          summary,
          params,
          response: { 200: assessmentSchema, ...staffErrors },
        },
      },
      async (req) => actions[action](ctx, staffOf(req), idOf(req.params), metaOf(req)),
    );
  }

  app.post(
    '/api/v1/assessments/:assessmentId/public-link',
    {
      config: invite,
      schema: {
        operationId: 'enablePublicLink',
        tags: ['invitations'],
        summary: 'Enable the public self-registration link, or replace it; the URL is shown only now',
        params,
        body: publicLinkBody,
        response: { 200: publicLinkSchema, ...staffErrors },
      },
    },
    async (req) => assessments.enablePublicLink(ctx, staffOf(req), idOf(req.params), req.body, metaOf(req)),
  );

  app.delete(
    '/api/v1/assessments/:assessmentId/public-link',
    {
      config: invite,
      schema: {
        operationId: 'disablePublicLink',
        tags: ['invitations'],
        summary: 'Disable the public link; its URL stops working',
        params,
        response: { 204: z.null(), ...staffErrors },
      },
    },
    async (req, reply) => {
      await assessments.disablePublicLink(ctx, staffOf(req), idOf(req.params), metaOf(req));
      return reply.status(204).send(null);
    },
  );
}
