// Import (multipart; preview, then confirm) and export of the bank in QTI, GIFT and Moodle XML.
import fastifyMultipart from '@fastify/multipart';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { invalid } from '../../errors.js';
import { metaOf, staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { errorSchema, staffErrors } from '../../http/schemas.js';
import { subtopicIds } from './bank.model.js';
import { exportBank, importBankFile } from './bank-interchange.service.js';
import { interchangeFormats, maxUploadBytes } from './interchange/index.js';

const previewItem = z.object({
  index: z.number(),
  sourceId: z.string().nullable(),
  title: z.string(),
  type: z.enum(['question', 'upload-task']).nullable(),
  id: z.string().nullable(),
  status: z.enum(['new', 'unchanged', 'skipped']),
  reason: z.string().nullable(),
  notes: z.array(z.string()),
});

const importReport = z
  .object({
    format: z.enum(interchangeFormats),
    confirmed: z.boolean(),
    counts: z.object({ total: z.number(), new: z.number(), unchanged: z.number(), skipped: z.number() }),
    items: z.array(previewItem),
  })
  .meta({ id: 'BankImportReport' });

export function registerBankInterchangeRoutes(app: App, ctx: Ctx): void {
  void app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      limits: { files: 1, fields: 4, parts: 6, fileSize: maxUploadBytes },
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/bank/import',
      {
        config: { access: { kind: 'staff', permission: 'bank.import' } },
        schema: {
          operationId: 'importBank',
          tags: ['bank'],
          summary: 'Import questions and upload tasks (QTI 2.1/3.0 package, GIFT, Moodle XML)',
          description:
            'Send the file as multipart field "file". Without confirm=true nothing is written: the reply previews every item (new, unchanged or skipped with a reason). With confirm=true every new item is imported in one transaction; a malformed file changes nothing.',
          consumes: ['multipart/form-data'],
          querystring: z.object({
            confirm: z
              .enum(['true', 'false'])
              .default('false')
              .transform((v) => v === 'true'),
            defaultSubtopic: z
              .enum(subtopicIds)
              .optional()
              .describe('Subtopic for items whose file gives none'),
          }),
          response: { 200: importReport, 413: errorSchema, ...staffErrors },
        },
      },
      async (req) => {
        if (!req.isMultipart()) throw invalid('Send the file as multipart/form-data', { file: 'Required' });
        const file = await req.file();
        if (!file) throw invalid('No file received', { file: 'Required' });
        const bytes = new Uint8Array(await file.toBuffer());
        return importBankFile(
          ctx,
          staffOf(req),
          {
            filename: file.filename,
            bytes,
            confirm: req.query.confirm,
            defaultSubtopic: req.query.defaultSubtopic,
          },
          metaOf(req),
        );
      },
    );
  });

  app.get(
    '/api/v1/bank/export',
    {
      config: { access: { kind: 'staff', permission: 'bank.export' } },
      schema: {
        operationId: 'exportBank',
        tags: ['bank'],
        summary: 'Export the bank as a file; X-Assay-Dropped says what the format could not carry',
        querystring: z.object({
          format: z.enum(interchangeFormats),
          source: z.enum(['builtin', 'organization', 'all']).default('organization'),
          subtopic: z.enum(subtopicIds).optional(),
          includeUploadTasks: z
            .enum(['true', 'false'])
            .default('true')
            .transform((v) => v === 'true'),
        }),
        response: { 200: z.any().describe('The exported file'), ...staffErrors },
      },
    },
    async (req, reply) => {
      const r = await exportBank(ctx, staffOf(req), req.query, metaOf(req));
      reply
        .header('content-type', r.contentType)
        .header('content-disposition', `attachment; filename="${r.filename.replace(/[^\w.-]/g, '_')}"`)
        .header('x-content-type-options', 'nosniff')
        .header('x-assay-items', String(r.items))
        .header('x-assay-dropped', JSON.stringify(r.droppedSummary));
      return reply.send(typeof r.data === 'string' ? r.data : Buffer.from(r.data));
    },
  );
}
