// Mail the instance has queued or sent, readable by admins when no SMTP server is configured.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { client, unwrap } from './client';

export function useOutbox() {
  return useInfiniteQuery({
    queryKey: ['outbox', 'list'],
    queryFn: ({ pageParam }) =>
      unwrap(client.GET('/api/v1/outbox', { params: { query: pageParam ? { cursor: pageParam } : {} } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
}

export function useOutboxEmail(emailId: string | null) {
  return useQuery({
    queryKey: ['outbox', 'email', emailId],
    queryFn: () =>
      unwrap(client.GET('/api/v1/outbox/{emailId}', { params: { path: { emailId: emailId ?? '' } } })),
    enabled: emailId !== null,
  });
}
