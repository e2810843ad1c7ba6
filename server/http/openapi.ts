import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export const API_VERSION = '0.1.0';

const errorJsonSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      required: ['code', 'message'],
      additionalProperties: false,
    },
    requestId: { type: 'string' },
  },
  required: ['error', 'requestId'],
  additionalProperties: false,
};

/**
 * Replies any route can give, whatever it declares: the error handler answers malformed requests
 * (400), credentials that don't work (401), refused access (403), unknown paths (404), bodies that are
 * too large (413) or of an unsupported type (415), rate limits (429), and a database or file store
 * that is down (503, with Retry-After). They are documented on every operation, so clients and the
 * conformance checks know every status they can meet.
 */
const COMMON_ERRORS: Record<string, string> = {
  '400': 'The request is malformed or a field is invalid',
  '401': 'Credentials are missing or do not work',
  '403': 'The caller may not do this',
  '404': 'Not found, or not yours',
  '413': 'The body is too large',
  '415': 'The content type is not supported',
  '429': 'Too many requests; see Retry-After',
  '500': 'Something went wrong on our side (the body has only a request id)',
  '503': 'The database or file storage is temporarily unavailable; see Retry-After',
};

function withCommonErrors<T extends { schema: object }>(out: T): T {
  const response = { ...((out.schema as { response?: Record<string, unknown> }).response ?? {}) };
  for (const [status, description] of Object.entries(COMMON_ERRORS)) {
    if (!(status in response)) response[status] = { description, ...errorJsonSchema };
  }
  return { ...out, schema: { ...out.schema, response } };
}

/** OpenAPI from the route schemas, served at /openapi.json, with a browsable UI at /docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Assay API',
        version: API_VERSION,
        description:
          'The Assay REST API. Staff authenticate with a session cookie (plus the X-CSRF-Token header on writes) or an API key sent as `Authorization: Bearer …`. POST requests accept an `Idempotency-Key` header (kept 24 hours). Errors have the shape `{ "error": { "code", "message", "details"? }, "requestId" }`. See docs/api.md.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'assay_session' },
          apiKey: { type: 'http', scheme: 'bearer' },
          candidateSession: { type: 'apiKey', in: 'cookie', name: 'assay_candidate' },
        },
      },
      // Staff routes by default; public and candidate routes say otherwise below.
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: (input) => {
      const out = withCommonErrors(jsonSchemaTransform(input));
      const kind = input.route.config?.access?.kind;
      if (kind === 'public') return { ...out, schema: { ...out.schema, security: [] } };
      if (kind === 'candidate')
        return { ...out, schema: { ...out.schema, security: [{ candidateSession: [] }] } };
      return out;
    },
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true }, config: { access: { kind: 'public' } } }, async () =>
    app.swagger(),
  );
}
