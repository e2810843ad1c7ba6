import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { sessionKey } from '../api/session';

// A 401 or "password change required" on any request means the session changed under us (expired,
// revoked from another device, reset by an admin). Re-reading it lets the guards send the user on.
function checkSession(err: unknown, queryKey?: readonly unknown[]): void {
  if (!(err instanceof ApiError)) return;
  if (queryKey?.[0] === sessionKey[0]) return;
  if (err.status === 401 || err.code === 'PASSWORD_CHANGE_REQUIRED') {
    void queryClient.invalidateQueries({ queryKey: sessionKey });
  }
}

export const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (err, query) => checkSession(err, query.queryKey) }),
  mutationCache: new MutationCache({ onError: (err) => checkSession(err) }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A client error won't fix itself; a network blip or a 503 might.
      retry: (count, err) => count < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
    },
    mutations: { retry: false },
  },
});
