// One error model for the whole API: { error: { code, message, details? }, requestId }.
// A 5xx never shows internals: the cause is logged with the request id, and the reply has only the id.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode, errorStatus } from '../errors.js';

export function errorBody(code: ErrorCode, message: string, requestId: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) }, requestId };
}

/**
 * Errors Fastify's router raises before any route or hook runs (a malformed percent-encoding, a path
 * parameter over the length limit): the same error shape as everything else, and no echo of the path.
 * Passed as the `frameworkErrors` option in buildApp.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const message =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'A part of the address is too long'
      : 'The address is malformed';
  void reply
    .status(400)
    .header('x-request-id', String(req.id))
    .send(errorBody('VALIDATION_FAILED', message, String(req.id)));
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const requestId = String(req.id);
    // Refused before the body was read to its end (too large, the wrong type, a closed section):
    // hang up after the answer, so a client that keeps sending can't hold the connection open.
    if (!req.raw.complete) reply.header('connection', 'close');
    if (err instanceof AppError) {
      if (err.code === 'RATE_LIMITED' || err.code === 'UNAVAILABLE') reply.header('retry-after', '30');
      return reply.status(err.status).send(errorBody(err.code, err.message, requestId, err.details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields: Record<string, string> = {};
      for (const v of err.validation) {
        const where =
          v.instancePath.replace(/^\//, '').replaceAll('/', '.') ||
          (v.params.issue as { path?: PropertyKey[] } | undefined)?.path?.map(String).join('.') ||
          '';
        const key = `${err.validationContext ?? 'body'}${where ? `.${where}` : ''}`;
        fields[key] ??= v.message ?? 'Invalid value';
      }
      return reply
        .status(400)
        .send(errorBody('VALIDATION_FAILED', 'Some fields are invalid', requestId, { fields }));
    }
    if (isMalformedMultipart(err)) {
      // busboy's parse errors carry no status: a body the client got wrong, not our failure.
      return reply
        .status(400)
        .send(errorBody('VALIDATION_FAILED', 'The multipart body is malformed', requestId));
    }
    const status = err.statusCode ?? 500;
    if (status === 429) {
      return reply
        .status(429)
        .send(errorBody('RATE_LIMITED', 'Too many requests; try again shortly', requestId));
    }
    if (
      status === 413 ||
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ||
      err.code === 'FST_REQ_FILE_TOO_LARGE'
    ) {
      return reply
        .status(413)
        .send(errorBody('PAYLOAD_TOO_LARGE', 'The request body is too large', requestId));
    }
    if (status === 415 || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply
        .status(415)
        .send(errorBody('UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type', requestId));
    }
    if (status === 404) return reply.status(404).send(errorBody('NOT_FOUND', 'Not found', requestId));
    if (status === 403) return reply.status(403).send(errorBody('FORBIDDEN', 'Forbidden', requestId));
    if (status >= 400 && status < 500) {
      // Malformed JSON, bad content length and the like: the client's fault, safe to describe.
      return reply
        .status(400)
        .send(
          errorBody(
            'VALIDATION_FAILED',
            err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
              ? 'The body is not valid JSON'
              : 'The request is malformed',
            requestId,
          ),
        );
    }
    if (isStorageUnavailable(err)) {
      // The disk or the object store failed (full, read-only, I/O error): nothing was kept, and the
      // client may retry once it is back.
      req.log.error({ err }, 'storage unavailable');
      reply.header('retry-after', '30');
      return reply
        .status(503)
        .send(
          errorBody('UNAVAILABLE', 'File storage is temporarily unavailable; try again shortly', requestId),
        );
    }
    if (isDatabaseUnavailable(err)) {
      req.log.error({ err }, 'database unavailable');
      reply.header('retry-after', '5');
      return reply
        .status(503)
        .send(
          errorBody('UNAVAILABLE', 'The service is temporarily unavailable; try again shortly', requestId),
        );
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('INTERNAL', 'Something went wrong on our side', requestId));
  });
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  'SQLITE_BUSY',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  // "…is not queryable": a pooled client whose server went away mid-transaction (the rollback fails).
  return /Connection terminated|timeout exceeded when trying to connect|database is locked|is not queryable/i.test(
    e.message ?? '',
  );
}

function isMalformedMultipart(err: { message?: string; statusCode?: number }): boolean {
  return (
    err.statusCode === undefined &&
    /^(Multipart: |Malformed part header|Malformed urlencoded form|Unexpected end of (form|file))/.test(
      err.message ?? '',
    )
  );
}

const STORAGE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EMFILE', 'ENFILE']);

export function isStorageUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_CODES.has(code);
}

export { errorStatus };
