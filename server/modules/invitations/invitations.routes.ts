// Invitations over HTTP: staff routes to invite (one, a CSV, or through the public link) and manage
// invitations; public routes for the candidate's link and for public-link self-registration.
import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { invalid } from '../../errors.js';
import { metaOf, staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { errorSchema, idParam, pageQuery, staffErrors } from '../../http/schemas.js';
import * as imports from './candidate-imports.service.js';
import {
  bulkBody,
  bulkResultSchema,
  extendBody,
  importSchema,
  invitationSchema,
  inviteCandidateBody,
  inviteResultSchema,
  landingSchema,
  listInvitationsQuery,
  publicLinkInfoSchema,
  registerBody,
  tokenBody,
  verifyResultSchema,
} from './invitations.schemas.js';
import * as invitations from './invitations.service.js';
import * as publicLinks from './public-links.service.js';

const read = { access: { kind: 'staff', permission: 'candidates.read' } } as const;
const invite = { access: { kind: 'staff', permission: 'candidates.invite' } } as const;
const manage = { access: { kind: 'staff', permission: 'candidates.manage' } } as const;
const assessmentParams = idParam('assessmentId');
const invitationParams = idParam('invitationId');
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const publicErrors = { 400: errorSchema, 404: errorSchema, 409: errorSchema, 429: errorSchema };

// Per address: enough for a person, far too few to guess 256-bit tokens or to spam an inbox.
const landingLimit = { max: 30, timeWindow: '1 minute' };
const registerLimit = { max: 5, timeWindow: '1 minute' };
const verifyLimit = { max: 10, timeWindow: '1 minute' };

async function readCsvUpload(req: FastifyRequest): Promise<Buffer | undefined> {
  if (!req.isMultipart()) throw invalid('Send the file as multipart/form-data', { file: 'Required' });
  const part = await req.file();
  if (!part) return undefined;
  if (part.fieldname !== 'file') throw invalid('Send the CSV in a field named "file"', { file: 'Required' });
  return part.toBuffer();
}

export function registerInvitationRoutes(app: App, ctx: Ctx): void {
  app.post(
    '/api/v1/assessments/:assessmentId/invitations',
    {
      config: invite,
      schema: {
        operationId: 'inviteCandidate',
        tags: ['invitations'],
        summary: 'Invite one candidate by email (201); an already invited candidate gets nothing new (200)',
        params: assessmentParams,
        body: inviteCandidateBody,
        response: { 200: inviteResultSchema, 201: inviteResultSchema, ...staffErrors },
      },
    },
    async (req, reply) => {
      const r = await invitations.inviteCandidate(
        ctx,
        staffOf(req),
        req.params.assessmentId as string,
        req.body,
        metaOf(req),
      );
      return reply.status(r.created ? 201 : 200).send(r);
    },
  );

  app.get(
    '/api/v1/assessments/:assessmentId/invitations',
    {
      config: read,
      schema: {
        operationId: 'listInvitations',
        tags: ['invitations'],
        summary:
          "An assessment's invitations, newest first; filter by status or search name, email, external id",
        params: assessmentParams,
        querystring: listInvitationsQuery,
        response: { 200: page(invitationSchema), ...staffErrors },
      },
    },
    async (req) =>
      invitations.listInvitations(ctx, staffOf(req), req.params.assessmentId as string, req.query),
  );

  app.post(
    '/api/v1/assessments/:assessmentId/invitations/bulk',
    {
      config: manage,
      schema: {
        operationId: 'bulkManageInvitations',
        tags: ['invitations'],
        summary: 'Resend, revoke or extend many invitations; one result per id',
        params: assessmentParams,
        body: bulkBody,
        response: { 200: bulkResultSchema, ...staffErrors },
      },
    },
    async (req) =>
      invitations.bulkManageInvitations(
        ctx,
        staffOf(req),
        req.params.assessmentId as string,
        req.body,
        metaOf(req),
      ),
  );

  // The CSV upload lives in its own scope, so the multipart parser and its limits apply only here.
  void app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      limits: { files: 1, fileSize: imports.MAX_CSV_BYTES, fields: 5, parts: 6 },
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/assessments/:assessmentId/imports',
      {
        config: invite,
        schema: {
          operationId: 'importCandidates',
          tags: ['invitations'],
          summary:
            'Invite a CSV of candidates (multipart field "file", at most 5 MB and 10,000 rows); processed by a job',
          description:
            'Columns, matched by header in any case: email, name, external id (externalId, external_id), ' +
            'extra time (a multiplier). Other columns are ignored. Poll the import for progress and its report.',
          consumes: ['multipart/form-data'],
          params: assessmentParams,
          response: { 202: importSchema, ...staffErrors, 413: errorSchema },
        },
      },
      async (req, reply) =>
        reply
          .status(202)
          .send(
            await imports.importCandidatesCsv(
              ctx,
              staffOf(req),
              req.params.assessmentId as string,
              () => readCsvUpload(req),
              metaOf(req),
            ),
          ),
    );
  });

  app.get(
    '/api/v1/assessments/:assessmentId/imports',
    {
      config: read,
      schema: {
        operationId: 'listCandidateImports',
        tags: ['invitations'],
        summary: "An assessment's CSV imports, newest first",
        params: assessmentParams,
        querystring: pageQuery,
        response: { 200: page(importSchema), ...staffErrors },
      },
    },
    async (req) => imports.listImports(ctx, staffOf(req), req.params.assessmentId as string, req.query),
  );

  app.get(
    '/api/v1/candidate-imports/:importId',
    {
      config: read,
      schema: {
        operationId: 'getCandidateImport',
        tags: ['invitations'],
        summary: "One CSV import's progress, counts and report of rejected rows",
        params: idParam('importId'),
        response: { 200: importSchema, ...staffErrors },
      },
    },
    async (req) => imports.getImport(ctx, staffOf(req), req.params.importId as string),
  );

  app.get(
    '/api/v1/invitations/:invitationId',
    {
      config: read,
      schema: {
        operationId: 'getInvitation',
        tags: ['invitations'],
        summary: 'One invitation',
        params: invitationParams,
        response: { 200: invitationSchema, ...staffErrors },
      },
    },
    async (req) => invitations.getInvitation(ctx, staffOf(req), req.params.invitationId as string),
  );

  app.post(
    '/api/v1/invitations/:invitationId/resend',
    {
      config: manage,
      schema: {
        operationId: 'resendInvitation',
        tags: ['invitations'],
        summary: 'Email a new link; the previous link stops working. An expired invitation gets a new expiry',
        params: invitationParams,
        response: { 200: invitationSchema, ...staffErrors },
      },
    },
    async (req) =>
      invitations.resendInvitation(ctx, staffOf(req), req.params.invitationId as string, metaOf(req)),
  );

  app.post(
    '/api/v1/invitations/:invitationId/revoke',
    {
      config: manage,
      schema: {
        operationId: 'revokeInvitation',
        tags: ['invitations'],
        summary: 'Revoke an invitation not yet started: the link stops working and reminders stop',
        params: invitationParams,
        response: { 200: invitationSchema, ...staffErrors },
      },
    },
    async (req) =>
      invitations.revokeInvitation(ctx, staffOf(req), req.params.invitationId as string, metaOf(req)),
  );

  app.post(
    '/api/v1/invitations/:invitationId/extend',
    {
      config: manage,
      schema: {
        operationId: 'extendInvitation',
        tags: ['invitations'],
        summary: 'Move the expiry later',
        params: invitationParams,
        body: extendBody,
        response: { 200: invitationSchema, ...staffErrors },
      },
    },
    async (req) =>
      invitations.extendInvitation(
        ctx,
        staffOf(req),
        req.params.invitationId as string,
        req.body?.days ?? 7,
        metaOf(req),
      ),
  );

  // -------------------------------------------------------------------------------------------
  // The candidate's link. Unknown, expired and revoked tokens all get the same 404.

  app.post(
    '/api/v1/take/landing',
    {
      config: { access: { kind: 'public' }, rateLimit: landingLimit },
      schema: {
        operationId: 'getCandidateLanding',
        tags: ['take'],
        summary: 'What an invitation link shows before starting; changes nothing',
        body: tokenBody,
        response: { 200: landingSchema, ...publicErrors },
      },
    },
    async (req) => invitations.describeLanding(ctx, req.body.token),
  );

  app.post(
    '/api/v1/take/opened',
    {
      config: { access: { kind: 'public' }, rateLimit: landingLimit },
      schema: {
        operationId: 'recordInvitationOpened',
        tags: ['take'],
        summary: 'Record that the candidate opened their link (the first time only)',
        body: tokenBody,
        response: { 204: z.null(), ...publicErrors },
      },
    },
    async (req, reply) => {
      await invitations.recordInvitationOpened(ctx, req.body.token);
      return reply.status(204).send(null);
    },
  );

  // -------------------------------------------------------------------------------------------
  // Public self-registration links

  app.post(
    '/api/v1/public-links/lookup',
    {
      config: { access: { kind: 'public' }, rateLimit: landingLimit },
      schema: {
        operationId: 'lookupPublicLink',
        tags: ['public-links'],
        summary: 'The assessment a public link leads to',
        body: tokenBody,
        response: { 200: publicLinkInfoSchema, ...publicErrors },
      },
    },
    async (req) => publicLinks.lookupPublicLink(ctx, req.body.token),
  );

  app.post(
    '/api/v1/public-links/register',
    {
      config: { access: { kind: 'public' }, rateLimit: registerLimit },
      schema: {
        operationId: 'registerThroughPublicLink',
        tags: ['public-links'],
        summary:
          'Register with name and email; a verification link is emailed (the answer is always the same)',
        body: registerBody,
        response: { 202: z.object({ status: z.literal('sent') }), ...publicErrors },
      },
    },
    async (req, reply) => {
      await publicLinks.registerThroughPublicLink(ctx, req.body);
      return reply.status(202).send({ status: 'sent' as const });
    },
  );

  app.post(
    '/api/v1/public-links/verify',
    {
      config: { access: { kind: 'public' }, rateLimit: verifyLimit },
      schema: {
        operationId: 'verifyPublicRegistration',
        tags: ['public-links'],
        summary:
          'Confirm the email address and receive your personal invitation link (409 when the link is full)',
        body: tokenBody,
        response: { 200: verifyResultSchema, ...publicErrors },
      },
    },
    async (req) => publicLinks.verifyPublicRegistration(ctx, req.body.token),
  );
}
