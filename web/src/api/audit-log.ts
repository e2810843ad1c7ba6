// The organization's audit log, newest first, one keyset page at a time.
import { useInfiniteQuery } from '@tanstack/react-query';
import { client, unwrap } from './client';

export function useAuditLog(action: string) {
  return useInfiniteQuery({
    queryKey: ['audit-log', action],
    queryFn: ({ pageParam }) =>
      unwrap(
        client.GET('/api/v1/audit-log', {
          params: { query: { ...(action ? { action } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
}
