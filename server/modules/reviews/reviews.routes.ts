// Reviews over HTTP: the reviewer's queue, the blind view of a submission and its files, and the
// reviewer's own review. Every response here has a reviewer-facing schema (reviews.schemas.ts).
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { metaOf, staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { staffErrors } from '../../http/schemas.js';
import {
  myReviewsQuery,
  myReviewsSchema,
  queueQuery,
  queueSchema,
  reviewBody,
  reviewFileParams,
  reviewItemParams,
  reviewItemSchema,
  reviewParams,
  staffReviewSchema,
} from './reviews.schemas.js';
import * as reviews from './reviews.service.js';

const perform = { access: { kind: 'staff', permission: 'reviews.perform' } } as const;

export function registerReviewRoutes(app: App, ctx: Ctx): void {
  app.get(
    '/api/v1/reviews/queue',
    {
      config: perform,
      schema: {
        operationId: 'getReviewQueue',
        tags: ['reviews'],
        summary: 'Upload sections waiting for your review, oldest submission first (blind)',
        description:
          'Leaves out the submissions you already reviewed and those that have all their reviews. ' +
          "No candidate's name, email, external id or quiz score appears in any reviewer response.",
        querystring: queueQuery,
        response: { 200: queueSchema, ...staffErrors },
      },
    },
    async (req) => reviews.getQueue(ctx, staffOf(req), req.query),
  );

  app.get(
    '/api/v1/reviews/mine',
    {
      config: perform,
      schema: {
        operationId: 'listMyReviews',
        tags: ['reviews'],
        summary: 'The reviews you have submitted, newest first',
        querystring: myReviewsQuery,
        response: { 200: myReviewsSchema, ...staffErrors },
      },
    },
    async (req) => reviews.listMyReviews(ctx, staffOf(req), req.query),
  );

  app.get(
    '/api/v1/reviews/items/:reviewItemId',
    {
      config: perform,
      schema: {
        operationId: 'getReviewItem',
        tags: ['reviews'],
        summary: 'A submission to review: the task, its rubric, reviewer notes and the files (blind)',
        description:
          "Other reviewers' scores appear only after your own review is in. Items that are neither in " +
          'the queue nor reviewed by you answer 404 unless your role reads results.',
        params: reviewItemParams,
        response: { 200: reviewItemSchema, ...staffErrors },
      },
    },
    async (req) => reviews.getReviewItem(ctx, staffOf(req), req.params.reviewItemId),
  );

  app.get(
    '/api/v1/reviews/items/:reviewItemId/files/:uploadId',
    {
      config: perform,
      schema: {
        operationId: 'downloadReviewFile',
        tags: ['reviews'],
        summary: 'Download a submitted file under a blind name (submission-<n>.<ext>), as an attachment',
        params: reviewFileParams,
        response: { 200: z.any().describe('The file, as application/octet-stream'), ...staffErrors },
      },
    },
    async (req, reply) => {
      const f = await reviews.openBlindFile(ctx, staffOf(req), req.params.reviewItemId, req.params.uploadId);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${f.name}"`)
        .header('content-length', String(f.size))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, no-store')
        .send(f.stream);
    },
  );

  app.post(
    '/api/v1/reviews/items/:reviewItemId/review',
    {
      config: perform,
      schema: {
        operationId: 'submitReview',
        tags: ['reviews'],
        summary: 'Submit your rubric scores and comment; one review per reviewer per submission',
        description:
          'Scores give one level score per rubric criterion. When this is the last required review the ' +
          "section is scored (the mean of the reviewers' totals) and, once every upload section is, the " +
          'attempt is graded. 409 when you already reviewed it (use PATCH) or it has all its reviews.',
        params: reviewItemParams,
        body: reviewBody,
        response: { 201: reviewItemSchema, ...staffErrors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await reviews.submitReview(ctx, staffOf(req), req.params.reviewItemId, req.body, metaOf(req))),
  );

  app.patch(
    '/api/v1/reviews/items/:reviewItemId/review',
    {
      config: perform,
      schema: {
        operationId: 'editReview',
        tags: ['reviews'],
        summary: 'Edit your submitted review (audited); a graded attempt is re-scored',
        params: reviewItemParams,
        body: reviewBody,
        response: { 200: reviewItemSchema, ...staffErrors },
      },
    },
    async (req) => reviews.editReview(ctx, staffOf(req), req.params.reviewItemId, req.body, metaOf(req)),
  );

  app.get(
    '/api/v1/reviews/:reviewId',
    {
      config: { access: { kind: 'staff', permission: 'reviews.read' } },
      schema: {
        operationId: 'getReview',
        tags: ['reviews'],
        summary:
          'One review with its reviewer and the section outcome (the review.completed webhook links here)',
        params: reviewParams,
        response: { 200: staffReviewSchema, ...staffErrors },
      },
    },
    async (req) => reviews.getReview(ctx, staffOf(req), req.params.reviewId),
  );
}
