import { z } from 'zod';
import { eventTypes } from '../../events/events.js';
import { isoTime, nameField, pageQuery } from '../../http/schemas.js';
import { apiKeyScopes } from './integrations.table.js';

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(apiKeyScopes),
  prefix: z.string().describe('The start of the key, to tell keys apart'),
  createdBy: z.object({ userId: z.string(), name: z.string().nullable() }).nullable(),
  createdAt: isoTime,
  lastUsedAt: isoTime.nullable().describe('Updated at most once a minute'),
  revokedAt: isoTime.nullable(),
});

export const apiKeyListQuery = pageQuery.extend({
  includeRevoked: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});

export const createApiKeyBody = z.object({
  name: nameField.max(100),
  scope: z
    .enum(apiKeyScopes)
    .describe(
      'read: GET requests a recruiter may make; write: anything a recruiter may do; admin: anything an admin may do',
    ),
});

export const createdApiKeySchema = z.object({
  apiKey: apiKeySchema,
  key: z.string().describe('The API key. It is shown only in this response: store it now'),
});

const eventTypeEnum = z.enum(eventTypes);

export const webhookEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(eventTypeEnum),
  active: z.boolean(),
  disabledReason: z
    .enum(['gone', 'failing'])
    .nullable()
    .describe('Why Assay turned the endpoint off: it answered 410 Gone, or every delivery failed for 24 h'),
  failingSince: isoTime.nullable(),
  lastSuccessAt: isoTime.nullable(),
  previousSecretExpiresAt: isoTime
    .nullable()
    .describe('After a rotation: until then deliveries are signed with the old secret too'),
  createdAt: isoTime,
  updatedAt: isoTime,
});

const urlField = z.string().trim().min(1, 'Required').max(2000);

export const createWebhookEndpointBody = z.object({
  url: urlField,
  eventTypes: z.array(eventTypeEnum).min(1, 'Choose at least one event').max(eventTypes.length),
  description: z.string().trim().max(500).optional(),
  active: z.boolean().optional(),
});

export const updateWebhookEndpointBody = createWebhookEndpointBody.partial();

export const createdWebhookEndpointSchema = z.object({
  endpoint: webhookEndpointSchema,
  secret: z.string().describe('The signing secret (whsec_…). It is shown only in this response'),
});

export const rotatedSecretSchema = z.object({
  secret: z.string().describe('The new signing secret. It is shown only in this response'),
  previousSecretExpiresAt: isoTime,
});

export const webhookDeliverySchema = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string().describe('Also the webhook-id header: the same on every attempt'),
  eventType: z.string(),
  attempt: z.number().int(),
  outcome: z.enum(['delivered', 'failed', 'refused', 'skipped']),
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  responseExcerpt: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: isoTime,
});

export const queuedEventSchema = z.object({ eventId: z.string() });
