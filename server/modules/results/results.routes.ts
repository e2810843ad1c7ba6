// Results over HTTP: the pipeline (per assessment and across assessments) with saved views, stage
// changes, notes and bulk actions; the candidate report (JSON and printable HTML); comparisons;
// exports; extra time; item statistics.
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { metaOf, staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { idParam, pageQuery, staffErrors } from '../../http/schemas.js';
import { findAssessmentContext } from '../assessments/assessments.service.js';
import * as exportsService from './exports.service.js';
import * as itemStats from './item-stats.service.js';
import * as pipeline from './pipeline.service.js';
import { REPORT_CSP, renderReportHtml } from './report-html.js';
import * as reports from './reports.service.js';
import {
  assessmentItemStatsSchema,
  bulkActionBody,
  bulkResultSchema,
  bulkStageBody,
  compareQuery,
  compareSchema,
  createSavedViewBody,
  exportCsvQuery,
  extraTimeBody,
  extraTimeResultSchema,
  itemStatsPageSchema,
  itemStatsQuery,
  noteBody,
  noteListSchema,
  noteSchema,
  pipelinePageSchema,
  pipelineQuery,
  reportHtmlQuery,
  reportSchema,
  savedViewListSchema,
  savedViewSchema,
  stageBody,
  stageResultSchema,
  updateSavedViewBody,
} from './results.schemas.js';

const read = { access: { kind: 'staff', permission: 'results.read' } } as const;
const exporting = { access: { kind: 'staff', permission: 'results.export' } } as const;
const manage = { access: { kind: 'staff', permission: 'candidates.manage' } } as const;
const assessmentParams = idParam('assessmentId');
const attemptParams = idParam('attemptId');
const invitationParams = idParam('invitationId');
const viewParams = idParam('viewId');

const pipelineDescription =
  'Keyset-paginated and index-backed for the main sorts (newest, score, percentile, submitted, name). ' +
  'Status is derived from the invitation and its attempt: invited, opened, in_progress, completed ' +
  '(submitted, being graded), awaiting_review, graded, expired, revoked.';

export function registerResultRoutes(app: App, ctx: Ctx): void {
  // -------------------------------------------------------------------------------------------
  // Pipeline

  app.get(
    '/api/v1/assessments/:assessmentId/pipeline',
    {
      config: read,
      schema: {
        operationId: 'listAssessmentPipeline',
        tags: ['results'],
        summary: "An assessment's candidates with status, scores, percentile, integrity and stage",
        description: pipelineDescription,
        params: assessmentParams,
        querystring: pipelineQuery,
        response: { 200: pipelinePageSchema, ...staffErrors },
      },
    },
    async (req) => pipeline.listPipeline(ctx, staffOf(req), req.params.assessmentId as string, req.query),
  );

  app.get(
    '/api/v1/pipeline',
    {
      config: read,
      schema: {
        operationId: 'listPipeline',
        tags: ['results'],
        summary: 'Candidates across all assessments with status, scores, percentile, integrity and stage',
        description: pipelineDescription,
        querystring: pipelineQuery,
        response: { 200: pipelinePageSchema, ...staffErrors },
      },
    },
    async (req) => pipeline.listPipeline(ctx, staffOf(req), undefined, req.query),
  );

  app.post(
    '/api/v1/pipeline/stage',
    {
      config: manage,
      schema: {
        operationId: 'bulkChangeStage',
        tags: ['results'],
        summary: 'Move many invitations to a stage, with an optional note; per-invitation results',
        body: bulkStageBody,
        response: { 200: bulkResultSchema, ...staffErrors },
      },
    },
    async (req) => pipeline.bulkChangeStage(ctx, staffOf(req), req.body, metaOf(req)),
  );

  app.post(
    '/api/v1/pipeline/bulk',
    {
      config: manage,
      schema: {
        operationId: 'bulkInvitationAction',
        tags: ['results'],
        summary: 'Remind (email a fresh link) or extend many invitations; per-invitation results',
        body: bulkActionBody,
        response: { 200: bulkResultSchema, ...staffErrors },
      },
    },
    async (req) => pipeline.bulkInvitationAction(ctx, staffOf(req), req.body, metaOf(req)),
  );

  // -------------------------------------------------------------------------------------------
  // Saved views (per user)

  app.get(
    '/api/v1/saved-views',
    {
      config: read,
      schema: {
        operationId: 'listSavedViews',
        tags: ['results'],
        summary: 'Your saved pipeline views',
        querystring: pageQuery,
        response: { 200: savedViewListSchema, ...staffErrors },
      },
    },
    async (req) => pipeline.listSavedViews(ctx, staffOf(req), req.query),
  );

  app.post(
    '/api/v1/saved-views',
    {
      config: read,
      schema: {
        operationId: 'createSavedView',
        tags: ['results'],
        summary: 'Save a named pipeline filter and sort',
        body: createSavedViewBody,
        response: { 201: savedViewSchema, ...staffErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await pipeline.createSavedView(ctx, staffOf(req), req.body)),
  );

  app.get(
    '/api/v1/saved-views/:viewId',
    {
      config: read,
      schema: {
        operationId: 'getSavedView',
        tags: ['results'],
        summary: 'One of your saved views',
        params: viewParams,
        response: { 200: savedViewSchema, ...staffErrors },
      },
    },
    async (req) => pipeline.getSavedView(ctx, staffOf(req), req.params.viewId as string),
  );

  app.patch(
    '/api/v1/saved-views/:viewId',
    {
      config: read,
      schema: {
        operationId: 'updateSavedView',
        tags: ['results'],
        summary: 'Rename a saved view or replace its filter and sort',
        params: viewParams,
        body: updateSavedViewBody,
        response: { 200: savedViewSchema, ...staffErrors },
      },
    },
    async (req) => pipeline.updateSavedView(ctx, staffOf(req), req.params.viewId as string, req.body),
  );

  app.delete(
    '/api/v1/saved-views/:viewId',
    {
      config: read,
      schema: {
        operationId: 'deleteSavedView',
        tags: ['results'],
        summary: 'Delete one of your saved views',
        params: viewParams,
        response: { 204: z.null(), ...staffErrors },
      },
    },
    async (req, reply) => {
      await pipeline.deleteSavedView(ctx, staffOf(req), req.params.viewId as string);
      return reply.status(204).send(null);
    },
  );

  // -------------------------------------------------------------------------------------------
  // One invitation: stage and notes

  app.post(
    '/api/v1/invitations/:invitationId/stage',
    {
      config: manage,
      schema: {
        operationId: 'changeStage',
        tags: ['results'],
        summary:
          "Move a candidate's invitation to a stage, with an optional note (event candidate.stage_changed)",
        params: invitationParams,
        body: stageBody,
        response: { 200: stageResultSchema, ...staffErrors },
      },
    },
    async (req) =>
      pipeline.changeStage(ctx, staffOf(req), req.params.invitationId as string, req.body, metaOf(req)),
  );

  app.get(
    '/api/v1/invitations/:invitationId/notes',
    {
      config: read,
      schema: {
        operationId: 'listNotes',
        tags: ['results'],
        summary: 'Notes on an invitation, newest first (the latest 200)',
        params: invitationParams,
        response: { 200: noteListSchema, ...staffErrors },
      },
    },
    async (req) => reports.listNotes(ctx, staffOf(req), req.params.invitationId as string),
  );

  app.post(
    '/api/v1/invitations/:invitationId/notes',
    {
      config: manage,
      schema: {
        operationId: 'addNote',
        tags: ['results'],
        summary: 'Add a note to an invitation',
        params: invitationParams,
        body: noteBody,
        response: { 201: noteSchema, ...staffErrors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await reports.addNote(ctx, staffOf(req), req.params.invitationId as string, req.body.body)),
  );

  // -------------------------------------------------------------------------------------------
  // One attempt: report, exports, extra time

  app.get(
    '/api/v1/attempts/:attemptId/report',
    {
      config: read,
      schema: {
        operationId: 'getCandidateReport',
        tags: ['results'],
        summary: 'The candidate report: scores against the role benchmark, every item, files and reviews',
        description:
          'Includes answer keys and explanations (staff only), time per section, the integrity timeline ' +
          'and notes. The role benchmark is hidden below 20 graded candidates.',
        params: attemptParams,
        response: { 200: reportSchema, ...staffErrors },
      },
    },
    async (req) => reports.getReport(ctx, staffOf(req), req.params.attemptId as string, metaOf(req)),
  );

  app.get(
    '/api/v1/attempts/:attemptId/report.html',
    {
      config: read,
      schema: {
        operationId: 'getCandidateReportHtml',
        tags: ['results'],
        summary: 'The candidate report as a printable HTML page (inline CSS, strict CSP)',
        params: attemptParams,
        querystring: reportHtmlQuery,
        response: { 200: z.string().describe('text/html'), ...staffErrors },
      },
    },
    async (req, reply) => {
      const actor = staffOf(req);
      const report = await reports.getReport(ctx, actor, req.params.attemptId as string, metaOf(req));
      const org = await findAssessmentContext(ctx.db, actor.orgId, report.assessment.id);
      const html = renderReportHtml(report, {
        organizationName: org?.organizationName ?? '',
        generatedAt: new Date(ctx.clock.now()).toISOString(),
      });
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', REPORT_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store');
      if (req.query.download === 'true')
        reply.header('content-disposition', `attachment; filename="report-${report.attemptId}.html"`);
      return reply.send(html);
    },
  );

  app.get(
    '/api/v1/attempts/:attemptId/export.json',
    {
      config: exporting,
      schema: {
        operationId: 'exportCandidateJson',
        tags: ['results'],
        summary: "One candidate's full report as a JSON attachment (audited)",
        params: attemptParams,
        response: { 200: reportSchema, ...staffErrors },
      },
    },
    async (req, reply) => {
      const r = await exportsService.exportAttemptJson(
        ctx,
        staffOf(req),
        req.params.attemptId as string,
        metaOf(req),
      );
      reply
        .header('content-disposition', `attachment; filename="${r.filename}"`)
        .header('cache-control', 'private, no-store');
      return r.report;
    },
  );

  app.post(
    '/api/v1/attempts/:attemptId/extra-time',
    {
      config: manage,
      schema: {
        operationId: 'grantExtraTime',
        tags: ['results'],
        summary:
          'Give an attempt in progress more minutes: its section deadline and close time move (audited)',
        params: attemptParams,
        body: extraTimeBody,
        response: { 200: extraTimeResultSchema, ...staffErrors },
      },
    },
    async (req) =>
      pipeline.grantExtraTime(
        ctx,
        staffOf(req),
        req.params.attemptId as string,
        req.body.minutes,
        metaOf(req),
      ),
  );

  app.get(
    '/api/v1/compare',
    {
      config: read,
      schema: {
        operationId: 'compareAttempts',
        tags: ['results'],
        summary: 'Two to four attempts side by side: scores per subtopic, time, integrity, stage',
        querystring: compareQuery,
        response: { 200: compareSchema, ...staffErrors },
      },
    },
    async (req) => reports.compareAttempts(ctx, staffOf(req), req.query.attemptIds),
  );

  app.get(
    '/api/v1/assessments/:assessmentId/export.csv',
    {
      config: exporting,
      schema: {
        operationId: 'exportPipelineCsv',
        tags: ['results'],
        summary: "An assessment's pipeline as CSV, streamed (audited); columns in docs/results.md",
        description:
          'Takes the pipeline filters and sort. RFC 4180 quoting; a text cell starting with = + - @ TAB or CR ' +
          'gets a leading apostrophe so spreadsheets never run it as a formula.',
        params: assessmentParams,
        querystring: exportCsvQuery,
        response: { 200: z.any().describe('text/csv'), ...staffErrors },
      },
    },
    async (req, reply) => {
      const r = await exportsService.exportAssessmentCsv(
        ctx,
        staffOf(req),
        req.params.assessmentId as string,
        req.query,
        metaOf(req),
      );
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${r.filename}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(r.stream);
    },
  );

  // -------------------------------------------------------------------------------------------
  // Item statistics

  app.get(
    '/api/v1/assessments/:assessmentId/item-stats',
    {
      config: read,
      schema: {
        operationId: 'getAssessmentItemStats',
        tags: ['results'],
        summary: "An assessment's item statistics: facility, discrimination, options, flags, and alpha",
        description:
          'Computed by a job a few minutes after grading (demo and preview attempts never count in live ' +
          'statistics). Formulas as in Moodle quiz statistics; see docs/results.md.',
        params: assessmentParams,
        querystring: itemStatsQuery,
        response: { 200: assessmentItemStatsSchema, ...staffErrors },
      },
    },
    async (req) =>
      itemStats.getAssessmentItemStats(ctx, staffOf(req), req.params.assessmentId as string, req.query),
  );

  app.get(
    '/api/v1/item-stats',
    {
      config: read,
      schema: {
        operationId: 'listItemStats',
        tags: ['results'],
        summary: "Bank questions' statistics across the organization's attempts (flagged=true: only flagged)",
        querystring: itemStatsQuery,
        response: { 200: itemStatsPageSchema, ...staffErrors },
      },
    },
    async (req) => itemStats.listOrgItemStats(ctx, staffOf(req), req.query),
  );
}
