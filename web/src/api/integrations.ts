// API keys and webhook endpoints of the current organization, with each endpoint's delivery log.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from './client';
import type { paths } from './schema';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

export type ApiKey = JsonOf<paths['/api/v1/api-keys']['get']['responses'][200]>['items'][number];
export type ApiKeyScope = ApiKey['scope'];
export type CreatedApiKey = JsonOf<paths['/api/v1/api-keys']['post']['responses'][201]>;
export type WebhookEndpoint = JsonOf<
  paths['/api/v1/webhook-endpoints/{endpointId}']['get']['responses'][200]
>;
export type WebhookEventType = WebhookEndpoint['eventTypes'][number];
export type CreatedWebhookEndpoint = JsonOf<paths['/api/v1/webhook-endpoints']['post']['responses'][201]>;
export type WebhookEndpointInput = NonNullable<
  paths['/api/v1/webhook-endpoints']['post']['requestBody']
>['content']['application/json'];
export type WebhookEndpointPatch = NonNullable<
  paths['/api/v1/webhook-endpoints/{endpointId}']['patch']['requestBody']
>['content']['application/json'];
export type RotatedSecret = JsonOf<
  paths['/api/v1/webhook-endpoints/{endpointId}/rotate-secret']['post']['responses'][200]
>;
export type WebhookDelivery = JsonOf<
  paths['/api/v1/webhook-endpoints/{endpointId}/deliveries']['get']['responses'][200]
>['items'][number];

const apiKeysKey = ['integrations', 'api-keys'] as const;
const endpointsKey = ['integrations', 'webhook-endpoints'] as const;
const endpointKey = (id: string) => [...endpointsKey, id] as const;
const deliveriesKey = (id: string) => [...endpointsKey, id, 'deliveries'] as const;

export function useApiKeys() {
  return useInfiniteQuery({
    queryKey: apiKeysKey,
    queryFn: ({ pageParam }) =>
      unwrap(client.GET('/api/v1/api-keys', { params: { query: pageParam ? { cursor: pageParam } : {} } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
}

export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; scope: ApiKeyScope }) =>
      unwrap(client.POST('/api/v1/api-keys', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysKey }),
  });
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (apiKeyId: string) =>
      unwrap(client.DELETE('/api/v1/api-keys/{apiKeyId}', { params: { path: { apiKeyId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysKey }),
  });
}

export function useWebhookEndpoints() {
  return useInfiniteQuery({
    queryKey: endpointsKey,
    queryFn: ({ pageParam }) =>
      unwrap(
        client.GET('/api/v1/webhook-endpoints', {
          params: { query: pageParam ? { cursor: pageParam } : {} },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
}

export function useWebhookEndpoint(endpointId: string) {
  return useQuery({
    queryKey: endpointKey(endpointId),
    queryFn: () =>
      unwrap(client.GET('/api/v1/webhook-endpoints/{endpointId}', { params: { path: { endpointId } } })),
  });
}

export function useCreateWebhookEndpoint() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookEndpointInput) => unwrap(client.POST('/api/v1/webhook-endpoints', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: endpointsKey }),
  });
}

export function useUpdateWebhookEndpoint(endpointId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookEndpointPatch) =>
      unwrap(
        client.PATCH('/api/v1/webhook-endpoints/{endpointId}', { params: { path: { endpointId } }, body }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(endpointKey(endpointId), saved);
      return queryClient.invalidateQueries({ queryKey: endpointsKey });
    },
  });
}

export function useDeleteWebhookEndpoint() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (endpointId: string) =>
      unwrap(client.DELETE('/api/v1/webhook-endpoints/{endpointId}', { params: { path: { endpointId } } })),
    onSuccess: (_data, endpointId) => {
      queryClient.removeQueries({ queryKey: endpointKey(endpointId) });
      return queryClient.invalidateQueries({ queryKey: endpointsKey, exact: true });
    },
  });
}

export function useRotateWebhookSecret(endpointId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        client.POST('/api/v1/webhook-endpoints/{endpointId}/rotate-secret', {
          params: { path: { endpointId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: endpointKey(endpointId) }),
  });
}

export function useWebhookDeliveries(endpointId: string) {
  return useInfiniteQuery({
    queryKey: deliveriesKey(endpointId),
    queryFn: ({ pageParam }) =>
      unwrap(
        client.GET('/api/v1/webhook-endpoints/{endpointId}/deliveries', {
          params: { path: { endpointId }, query: pageParam ? { cursor: pageParam } : {} },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
}

export function useSendWebhookTest(endpointId: string) {
  return useMutation({
    mutationFn: () =>
      unwrap(
        client.POST('/api/v1/webhook-endpoints/{endpointId}/test', { params: { path: { endpointId } } }),
      ),
  });
}

export function useRedeliverWebhook(endpointId: string) {
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        client.POST('/api/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver', {
          params: { path: { endpointId, deliveryId } },
        }),
      ),
  });
}

/** Refreshes an endpoint and its log, after a delivery has had a moment to happen. */
export function useRefreshDeliveries(endpointId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: deliveriesKey(endpointId) }),
      queryClient.invalidateQueries({ queryKey: endpointKey(endpointId), exact: true }),
    ]);
}
