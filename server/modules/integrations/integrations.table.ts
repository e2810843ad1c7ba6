import type { Selectable } from 'kysely';

export const apiKeyScopes = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export interface ApiKeysTable {
  id: string;
  org_id: string;
  name: string;
  scope: ApiKeyScope;
  /** The first characters of the key, for telling keys apart in a list. */
  prefix: string;
  /** SHA-256 of the whole key (hex); the key itself is shown once and never stored. */
  key_hash: string;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

export type IdempotencyState = 'pending' | 'completed';

export interface IdempotencyKeysTable {
  id: string;
  org_id: string;
  key: string;
  /** SHA-256 over caller, method, path and body: the same key with another request is refused. */
  request_hash: string;
  state: IdempotencyState;
  status_code: number | null;
  content_type: string | null;
  /** The response body, sealed with the instance key. */
  response_sealed: string | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookEndpointsTable {
  id: string;
  org_id: string;
  url: string;
  description: string;
  /** JSON array of subscribed event types. */
  event_types: string;
  /** `whsec_…`, sealed with the instance key (invariant 7). */
  secret_sealed: string;
  /** After a rotation, the old secret keeps signing alongside the new one until it expires. */
  previous_secret_sealed: string | null;
  previous_secret_expires_at: number | null;
  active: number;
  /** Why the system turned the endpoint off: 'gone' (410) or 'failing'. Null when a person did. */
  disabled_reason: string | null;
  /** The first failure since the last success; null while deliveries succeed. */
  failing_since: number | null;
  last_success_at: number | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'refused' | 'skipped';

export interface WebhookDeliveriesTable {
  id: string;
  org_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  outcome: DeliveryOutcome;
  status_code: number | null;
  duration_ms: number;
  response_excerpt: string | null;
  error: string | null;
  created_at: number;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;
export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
