// Integrations over HTTP: API keys, webhook endpoints, their delivery log, redelivery and test events.
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { metaOf, staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { errorSchema, idParam, pageQuery, staffErrors } from '../../http/schemas.js';
import * as apiKeys from './api-keys.service.js';
import {
  apiKeyListQuery,
  apiKeySchema,
  createApiKeyBody,
  createdApiKeySchema,
  createdWebhookEndpointSchema,
  createWebhookEndpointBody,
  page,
  queuedEventSchema,
  rotatedSecretSchema,
  updateWebhookEndpointBody,
  webhookDeliverySchema,
  webhookEndpointSchema,
} from './integrations.schemas.js';
import * as webhooks from './webhooks.service.js';

const manage = { access: { kind: 'staff', permission: 'integrations.manage' } } as const;
const writeErrors = { ...staffErrors, 422: errorSchema, 429: errorSchema } as const;
const endpointParams = idParam('endpointId');

export function registerIntegrationRoutes(app: App, ctx: Ctx): void {
  app.get(
    '/api/v1/api-keys',
    {
      config: manage,
      schema: {
        operationId: 'listApiKeys',
        tags: ['integrations'],
        summary: "The organization's API keys, newest first (never the keys themselves)",
        querystring: apiKeyListQuery,
        response: { 200: page(apiKeySchema), ...staffErrors },
      },
    },
    async (req) => apiKeys.listApiKeys(ctx, staffOf(req), req.query),
  );

  app.post(
    '/api/v1/api-keys',
    {
      config: manage,
      schema: {
        operationId: 'createApiKey',
        tags: ['integrations'],
        summary: 'Create an API key; the key is in this response only',
        body: createApiKeyBody,
        response: { 201: createdApiKeySchema, ...writeErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await apiKeys.createApiKey(ctx, staffOf(req), req.body, metaOf(req))),
  );

  app.delete(
    '/api/v1/api-keys/:apiKeyId',
    {
      config: manage,
      schema: {
        operationId: 'revokeApiKey',
        tags: ['integrations'],
        summary: 'Revoke an API key; its next request is refused',
        params: idParam('apiKeyId'),
        response: { 204: z.null(), ...staffErrors },
      },
    },
    async (req, reply) => {
      await apiKeys.revokeApiKey(ctx, staffOf(req), req.params.apiKeyId as string, metaOf(req));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/webhook-endpoints',
    {
      config: manage,
      schema: {
        operationId: 'listWebhookEndpoints',
        tags: ['integrations'],
        summary: "The organization's webhook endpoints, newest first",
        querystring: pageQuery,
        response: { 200: page(webhookEndpointSchema), ...staffErrors },
      },
    },
    async (req) => webhooks.listEndpoints(ctx, staffOf(req), req.query),
  );

  app.post(
    '/api/v1/webhook-endpoints',
    {
      config: manage,
      schema: {
        operationId: 'createWebhookEndpoint',
        tags: ['integrations'],
        summary: 'Add a webhook endpoint; its signing secret is in this response only',
        body: createWebhookEndpointBody,
        response: { 201: createdWebhookEndpointSchema, ...writeErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await webhooks.createEndpoint(ctx, staffOf(req), req.body, metaOf(req))),
  );

  app.get(
    '/api/v1/webhook-endpoints/:endpointId',
    {
      config: manage,
      schema: {
        operationId: 'getWebhookEndpoint',
        tags: ['integrations'],
        summary: 'One webhook endpoint',
        params: endpointParams,
        response: { 200: webhookEndpointSchema, ...staffErrors },
      },
    },
    async (req) => webhooks.getEndpoint(ctx, staffOf(req), req.params.endpointId as string),
  );

  app.patch(
    '/api/v1/webhook-endpoints/:endpointId',
    {
      config: manage,
      schema: {
        operationId: 'updateWebhookEndpoint',
        tags: ['integrations'],
        summary: 'Change the URL, events or description, or turn the endpoint on or off',
        params: endpointParams,
        body: updateWebhookEndpointBody,
        response: { 200: webhookEndpointSchema, ...staffErrors },
      },
    },
    async (req) =>
      webhooks.updateEndpoint(ctx, staffOf(req), req.params.endpointId as string, req.body, metaOf(req)),
  );

  app.delete(
    '/api/v1/webhook-endpoints/:endpointId',
    {
      config: manage,
      schema: {
        operationId: 'deleteWebhookEndpoint',
        tags: ['integrations'],
        summary: 'Delete a webhook endpoint and its delivery log',
        params: endpointParams,
        response: { 204: z.null(), ...staffErrors },
      },
    },
    async (req, reply) => {
      await webhooks.deleteEndpoint(ctx, staffOf(req), req.params.endpointId as string, metaOf(req));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/webhook-endpoints/:endpointId/rotate-secret',
    {
      config: manage,
      schema: {
        operationId: 'rotateWebhookSecret',
        tags: ['integrations'],
        summary: 'Make a new signing secret; both sign deliveries for the next 24 hours',
        params: endpointParams,
        response: { 200: rotatedSecretSchema, ...writeErrors },
      },
    },
    async (req) => webhooks.rotateSecret(ctx, staffOf(req), req.params.endpointId as string, metaOf(req)),
  );

  app.get(
    '/api/v1/webhook-endpoints/:endpointId/deliveries',
    {
      config: manage,
      schema: {
        operationId: 'listWebhookDeliveries',
        tags: ['integrations'],
        summary: 'Delivery attempts to this endpoint, newest first (kept 30 days)',
        params: endpointParams,
        querystring: pageQuery,
        response: { 200: page(webhookDeliverySchema), ...staffErrors },
      },
    },
    async (req) => webhooks.listDeliveries(ctx, staffOf(req), req.params.endpointId as string, req.query),
  );

  app.post(
    '/api/v1/webhook-endpoints/:endpointId/deliveries/:deliveryId/redeliver',
    {
      config: manage,
      schema: {
        operationId: 'redeliverWebhook',
        tags: ['integrations'],
        summary: "Send a delivery's event to the endpoint again, with the same webhook-id",
        params: z.object({
          endpointId: z.string().min(1).max(100),
          deliveryId: z.string().min(1).max(100),
        }),
        response: { 202: queuedEventSchema, ...writeErrors },
      },
    },
    async (req, reply) =>
      reply
        .status(202)
        .send(
          await webhooks.redeliver(
            ctx,
            staffOf(req),
            req.params.endpointId,
            req.params.deliveryId,
            metaOf(req),
          ),
        ),
  );

  app.post(
    '/api/v1/webhook-endpoints/:endpointId/test',
    {
      config: manage,
      schema: {
        operationId: 'sendWebhookTestEvent',
        tags: ['integrations'],
        summary: 'Send a webhook.test event to this endpoint only',
        params: endpointParams,
        response: { 202: queuedEventSchema, ...writeErrors },
      },
    },
    async (req, reply) =>
      reply
        .status(202)
        .send(await webhooks.sendTestEvent(ctx, staffOf(req), req.params.endpointId as string)),
  );
}
