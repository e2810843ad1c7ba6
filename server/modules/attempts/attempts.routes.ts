// Attempts over HTTP: the candidate's routes under /api/v1/take (cookie-bound, their own response
// schemas), and the staff routes to preview an assessment, view an attempt and download its files.
import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { hashToken } from '../../crypto.js';
import { AppError, invalid } from '../../errors.js';
import { type CandidateActor, metaOf, staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { errorSchema, staffErrors } from '../../http/schemas.js';
import {
  answerBody,
  answerReply,
  assessmentIdParam,
  attemptIdParam,
  attemptStateSchema,
  attemptUploadParams,
  batchAnswersBody,
  batchAnswersReply,
  finalAnswersBody,
  integrityBody,
  integrityReply,
  itemKeyParam,
  previewReply,
  resultSchema,
  sectionKeyParam,
  staffAttemptSchema,
  startBody,
  startReply,
  uploadIdParam,
  uploadReply,
} from './attempts.schemas.js';
import * as attempts from './attempts.service.js';
import { CANDIDATE_COOKIE, setCandidateCookie } from './candidate-sessions.service.js';
import * as uploads from './uploads.service.js';

const candidateErrors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  429: errorSchema,
} as const;
const candidate = { kind: 'candidate' } as const;

/** Per browser, not per address: many candidates may share one network (a test centre, an office). */
const perCandidate = (max: number) => ({
  max,
  timeWindow: '1 minute',
  keyGenerator: (req: FastifyRequest) => {
    const c = req.cookies[CANDIDATE_COOKIE];
    return c ? `cand:${hashToken(c).slice(0, 24)}` : `ip:${req.ip}`;
  },
});

function candidateOf(req: FastifyRequest): CandidateActor {
  const a = req.actor;
  if (a?.kind !== 'candidate') throw new AppError('UNAUTHENTICATED', 'Open your invitation link to continue');
  return a;
}

function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function registerAttemptRoutes(app: App, ctx: Ctx): void {
  app.post(
    '/api/v1/take/start',
    {
      config: { access: { kind: 'public' }, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        operationId: 'startAttempt',
        tags: ['take'],
        summary: 'Start (or continue) the attempt of an invitation link; sets the candidate cookie',
        description:
          'Exchanges the link token for an HttpOnly, SameSite=Strict cookie. The first call starts the ' +
          'clock of the first section; later calls continue the same attempt in a new session (another ' +
          'device), which becomes the one that may write. The browser then moves to a URL without the token.',
        body: startBody,
        response: { 200: startReply, ...candidateErrors },
      },
    },
    async (req, reply) => {
      const s = await attempts.startAttempt(ctx, req.body.token, metaOf(req));
      setCandidateCookie(req, reply, s, ctx.clock.now());
      reply.header('cache-control', 'no-store');
      return { attemptUrl: '/take' as const };
    },
  );

  app.get(
    '/api/v1/take/attempt',
    {
      config: { access: candidate },
      schema: {
        operationId: 'getCandidateAttempt',
        tags: ['take'],
        summary: "The candidate's attempt: sections, time left by the server's clock, current questions",
        response: { 200: attemptStateSchema, ...candidateErrors },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return attempts.getAttemptState(ctx, candidateOf(req));
    },
  );

  app.put(
    '/api/v1/take/answers/:itemKey',
    {
      config: { access: candidate, rateLimit: perCandidate(600) },
      schema: {
        operationId: 'saveAnswer',
        tags: ['take'],
        summary: 'Autosave one answer; the highest sequence number wins, and a 2xx means it is stored',
        description:
          'Write requests carry the header `X-Assay-Candidate: 1`. 409 ATTEMPT_CLOSED after the deadline ' +
          'plus grace, 409 SESSION_MOVED when another browser took the attempt over.',
        params: itemKeyParam,
        body: answerBody,
        response: { 200: answerReply, ...candidateErrors },
      },
    },
    async (req) => attempts.saveAnswer(ctx, candidateOf(req), req.params.itemKey, req.body),
  );

  app.put(
    '/api/v1/take/answers',
    {
      config: { access: candidate, rateLimit: perCandidate(120) },
      schema: {
        operationId: 'saveAnswers',
        tags: ['take'],
        summary: 'Autosave many answers at once (the offline flush); all belong to the current section',
        body: batchAnswersBody,
        response: { 200: batchAnswersReply, ...candidateErrors },
      },
    },
    async (req) => attempts.saveAnswers(ctx, candidateOf(req), req.body.answers),
  );

  app.post(
    '/api/v1/take/session/claim',
    {
      config: { access: candidate, rateLimit: perCandidate(30) },
      schema: {
        operationId: 'claimAttemptSession',
        tags: ['take'],
        summary: 'Continue here: this browser takes the attempt back from another one',
        response: { 200: attemptStateSchema, ...candidateErrors },
      },
    },
    async (req) => attempts.claimSession(ctx, candidateOf(req), metaOf(req)),
  );

  app.post(
    '/api/v1/take/sections/:sectionKey/start',
    {
      config: { access: candidate, rateLimit: perCandidate(60) },
      schema: {
        operationId: 'startSection',
        tags: ['take'],
        summary: 'Start the next section after a break; its clock starts now',
        params: sectionKeyParam,
        response: { 200: attemptStateSchema, ...candidateErrors },
      },
    },
    async (req) => attempts.startSection(ctx, candidateOf(req), req.params.sectionKey),
  );

  app.post(
    '/api/v1/take/sections/:sectionKey/submit',
    {
      config: { access: candidate, rateLimit: perCandidate(60) },
      schema: {
        operationId: 'submitSection',
        tags: ['take'],
        summary: 'Finish the current section (with its final answers) and start the next; idempotent',
        params: sectionKeyParam,
        body: finalAnswersBody.nullish(),
        response: { 200: attemptStateSchema, ...candidateErrors },
      },
    },
    async (req) =>
      attempts.submitSection(ctx, candidateOf(req), req.params.sectionKey, req.body?.answers ?? []),
  );

  app.post(
    '/api/v1/take/submit',
    {
      config: { access: candidate, rateLimit: perCandidate(60) },
      schema: {
        operationId: 'submitAttempt',
        tags: ['take'],
        summary: 'Submit the attempt (with the final answers); idempotent',
        body: finalAnswersBody.nullish(),
        response: { 200: attemptStateSchema, ...candidateErrors },
      },
    },
    async (req) => attempts.submitAttempt(ctx, candidateOf(req), req.body?.answers ?? []),
  );

  // Uploads take multipart bodies: the parser and its limits exist only in this scope.
  void app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      limits: {
        files: 1,
        fileSize: ctx.config.uploadMaxBytes + 1,
        fields: 2,
        parts: 3,
        fieldSize: 1024,
        headerPairs: 20,
      },
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/take/uploads/:sectionKey',
      {
        config: { access: candidate, rateLimit: perCandidate(30) },
        schema: {
          operationId: 'uploadFile',
          tags: ['take'],
          summary: 'Upload one file to the current upload section (multipart field "file")',
          description:
            "Refused with 413 past the section's size limit (nothing is kept) and 415 when the extension " +
            "is not accepted or the file's bytes don't match it; zips only where the section allows them.",
          consumes: ['multipart/form-data'],
          params: sectionKeyParam,
          response: { 201: uploadReply, ...candidateErrors, 413: errorSchema, 415: errorSchema },
        },
      },
      async (req, reply) => {
        const actor = candidateOf(req);
        if (!req.isMultipart()) throw invalid('Send the file as multipart/form-data', { file: 'Required' });
        const prep = await uploads.prepareUpload(ctx, actor, req.params.sectionKey);
        const part = await req.file({
          limits: { fileSize: prep.limitBytes + 1, files: 1, fields: 2, parts: 3 },
        });
        if (!part) throw invalid('Attach a file', { file: 'Required' });
        // Should the exchange end while the file is still streaming in (the client hangs up, or the
        // multipart parser answered first), stop storing it: the store then removes what it wrote.
        // Not on the request's own 'close': that comes when its body is read, maybe before the file.
        const abandon = () => part.file.destroy(new Error('the exchange ended before the file was stored'));
        reply.raw.once('close', abandon);
        try {
          const stored = await uploads.storeUpload(ctx, actor, prep, {
            filename: part.filename,
            stream: part.file,
          });
          return reply.status(201).send(stored);
        } finally {
          reply.raw.off('close', abandon);
        }
      },
    );
  });

  app.delete(
    '/api/v1/take/uploads/:uploadId',
    {
      config: { access: candidate, rateLimit: perCandidate(60) },
      schema: {
        operationId: 'removeUpload',
        tags: ['take'],
        summary: 'Remove an uploaded file while its section is open (replacing is remove + upload)',
        params: uploadIdParam,
        response: { 204: z.null(), ...candidateErrors },
      },
    },
    async (req, reply) => {
      await uploads.removeUpload(ctx, candidateOf(req), req.params.uploadId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/take/integrity',
    {
      config: { access: candidate, rateLimit: perCandidate(120) },
      schema: {
        operationId: 'recordIntegritySignal',
        tags: ['take'],
        summary:
          'Report a browser signal (tab hidden, copy, paste, …); ignored when the assessment does not record it',
        body: integrityBody,
        response: { 202: integrityReply, ...candidateErrors },
      },
    },
    async (req, reply) =>
      reply.status(202).send(await attempts.recordClientSignal(ctx, candidateOf(req), req.body, metaOf(req))),
  );

  app.get(
    '/api/v1/take/result',
    {
      config: { access: candidate },
      schema: {
        operationId: 'getCandidateResult',
        tags: ['take'],
        summary: 'The result, as far as the feedback policy shares it',
        response: { 200: resultSchema, ...candidateErrors },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return attempts.getResult(ctx, candidateOf(req));
    },
  );

  // -------------------------------------------------------------------------------------------
  // Staff

  app.post(
    '/api/v1/assessments/:assessmentId/preview',
    {
      config: { access: { kind: 'staff', permission: 'assessments.read' } },
      schema: {
        operationId: 'previewAssessment',
        tags: ['assessments'],
        summary: 'Take the assessment as a candidate would; previews never count in results',
        description: 'Sets the candidate cookie for a preview attempt; open /take to continue.',
        params: assessmentIdParam,
        response: { 201: previewReply, ...staffErrors },
      },
    },
    async (req, reply) => {
      const s = await attempts.startPreview(ctx, staffOf(req), req.params.assessmentId, metaOf(req));
      setCandidateCookie(req, reply, s, ctx.clock.now());
      return reply.status(201).send({ attemptId: s.attemptId, attemptUrl: '/take' as const });
    },
  );

  app.get(
    '/api/v1/attempts/:attemptId',
    {
      config: { access: { kind: 'staff', permission: 'results.read' } },
      schema: {
        operationId: 'getAttempt',
        tags: ['attempts'],
        summary: 'An attempt with its answers, answer keys, marks, scores, files and integrity signals',
        params: attemptIdParam,
        response: { 200: staffAttemptSchema, ...staffErrors },
      },
    },
    async (req) => attempts.getAttemptForStaff(ctx, staffOf(req), req.params.attemptId, metaOf(req)),
  );

  app.get(
    '/api/v1/attempts/:attemptId/uploads/:uploadId/download',
    {
      // Shows the candidate's own file name: reviewers use the blind route under /reviews instead.
      config: { access: { kind: 'staff', permission: 'results.read' } },
      schema: {
        operationId: 'downloadUpload',
        tags: ['attempts'],
        summary: "Download a candidate's file (always as an attachment)",
        params: attemptUploadParams,
        response: {
          200: z.any().describe('The file, as application/octet-stream'),
          ...staffErrors,
        },
      },
    },
    async (req, reply) => {
      const f = await uploads.openUploadForStaff(
        ctx,
        staffOf(req),
        req.params.attemptId,
        req.params.uploadId,
        metaOf(req),
      );
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', contentDisposition(f.name))
        .header('content-length', String(f.size))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, no-store')
        .send(f.stream);
    },
  );
}
