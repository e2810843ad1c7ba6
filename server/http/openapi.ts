import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export const API_VERSION = '0.1.0';

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
      const out = jsonSchemaTransform(input);
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
