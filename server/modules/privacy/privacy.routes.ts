// Privacy over HTTP: a candidate's data export and erasure, and the organization's retention period.
// All of it needs privacy.manage (owners and admins, or an admin-scoped API key).
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { metaOf, staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { staffErrors } from '../../http/schemas.js';
import {
  candidateExportSchema,
  candidateIdParam,
  erasureResultSchema,
  privacySettingsSchema,
  updatePrivacySettingsBody,
} from './privacy.schemas.js';
import * as privacy from './privacy.service.js';

const manage = { access: { kind: 'staff', permission: 'privacy.manage' } } as const;

export function registerPrivacyRoutes(app: App, ctx: Ctx): void {
  app.get(
    '/api/v1/candidates/:candidateId/export',
    {
      config: manage,
      schema: {
        operationId: 'exportCandidateData',
        tags: ['privacy'],
        summary: 'Everything Assay holds about a candidate, as one JSON document (audited)',
        params: candidateIdParam,
        response: { 200: candidateExportSchema, ...staffErrors },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      reply.header('content-disposition', `attachment; filename="candidate-${req.params.candidateId}.json"`);
      return privacy.exportCandidate(ctx, staffOf(req), req.params.candidateId, metaOf(req));
    },
  );

  app.post(
    '/api/v1/candidates/:candidateId/erase',
    {
      config: manage,
      schema: {
        operationId: 'eraseCandidateData',
        tags: ['privacy'],
        summary: "Erase a candidate's personal data, irreversibly; anonymised scores are kept (audited)",
        description:
          'The name, email and external id are replaced; uploaded files are deleted; emails to the ' +
          'candidate, public-link registrations and candidate sessions are deleted; integrity signals ' +
          'lose their addresses and browsers. Scores, stages and answers stay, anonymised. Repeating ' +
          'it is harmless.',
        params: candidateIdParam,
        body: z.object({}).strict().nullish(),
        response: { 200: erasureResultSchema, ...staffErrors },
      },
    },
    async (req) => privacy.eraseCandidate(ctx, staffOf(req), req.params.candidateId, metaOf(req)),
  );

  app.get(
    '/api/v1/privacy/settings',
    {
      config: manage,
      schema: {
        operationId: 'getPrivacySettings',
        tags: ['privacy'],
        summary: "The organization's retention period for candidates' personal data",
        response: { 200: privacySettingsSchema, ...staffErrors },
      },
    },
    async (req) => privacy.getPrivacySettings(ctx, staffOf(req)),
  );

  app.put(
    '/api/v1/privacy/settings',
    {
      config: manage,
      schema: {
        operationId: 'updatePrivacySettings',
        tags: ['privacy'],
        summary:
          "Set the retention period: candidates' personal data is erased this many days after the decision (audited)",
        body: updatePrivacySettingsBody,
        response: { 200: privacySettingsSchema, ...staffErrors },
      },
    },
    async (req) => privacy.updatePrivacySettings(ctx, staffOf(req), req.body, metaOf(req)),
  );
}
