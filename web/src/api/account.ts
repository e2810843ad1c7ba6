// The signed-in user's own sessions.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from './client';

export const accountSessionsKey = ['account', 'sessions'] as const;

export function useAccountSessions() {
  return useQuery({
    queryKey: accountSessionsKey,
    queryFn: () => unwrap(client.GET('/api/v1/account/sessions')),
  });
}

export function useRevokeAccountSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) =>
      unwrap(client.DELETE('/api/v1/account/sessions/{sessionId}', { params: { path: { sessionId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountSessionsKey }),
  });
}
