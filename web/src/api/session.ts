// The signed-in session and the auth flows that create, change or end it.
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { accountSessionsKey } from './account';
import { ApiError, client, setCsrfToken, unwrap } from './client';
import type { ChangePasswordInput, Session, SignInInput, SignUpInput } from './types';

export const sessionKey = ['session'] as const;
export const authConfigKey = ['auth-config'] as const;
export const invitationPreviewKey = 'team-invitation-preview';

// Cached data that is the same whoever is signed in.
const sharedKeys = new Set<unknown>([sessionKey[0], authConfigKey[0], invitationPreviewKey]);

async function fetchSession(): Promise<Session | null> {
  try {
    const session = await unwrap(client.GET('/api/v1/auth/session'));
    setCsrfToken(session.csrfToken);
    return session;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

/** The current session, or null when signed out. */
export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: 60_000 });
}

/**
 * Replaces the session after sign-in, sign-up, switching organization, accepting an invitation or
 * signing out. Everything else cached belonged to the previous user or organization, so it goes.
 */
export function replaceSession(queryClient: QueryClient, session: Session | null): void {
  setCsrfToken(session?.csrfToken ?? null);
  queryClient.removeQueries({ predicate: (q) => !sharedKeys.has(q.queryKey[0]) });
  queryClient.setQueryData(sessionKey, session);
}

export function useAuthConfig() {
  return useQuery({
    queryKey: authConfigKey,
    queryFn: () => unwrap(client.GET('/api/v1/auth/config')),
    staleTime: 5 * 60_000,
  });
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SignInInput) => unwrap(client.POST('/api/v1/auth/sign-in', { body })),
    onSuccess: (session) => replaceSession(queryClient, session),
  });
}

export function useSignUp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SignUpInput) => unwrap(client.POST('/api/v1/auth/sign-up', { body })),
    onSuccess: (session) => replaceSession(queryClient, session),
  });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/auth/sign-out')),
    // Signed out on the server or not, this tab forgets the session.
    onSettled: () => replaceSession(queryClient, null),
  });
}

export function useSwitchOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (organizationId: string) =>
      unwrap(client.POST('/api/v1/auth/switch-organization', { body: { organizationId } })),
    onSuccess: (session) => replaceSession(queryClient, session),
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ChangePasswordInput) => unwrap(client.POST('/api/v1/auth/password', { body })),
    // Clears mustChangePassword; the user's other sessions end, so their list changes too.
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: sessionKey }),
        queryClient.invalidateQueries({ queryKey: accountSessionsKey }),
      ]),
  });
}

export function useRequestPasswordReset() {
  return useMutation({
    mutationFn: (email: string) =>
      unwrap(client.POST('/api/v1/auth/password-reset/request', { body: { email } })),
  });
}

export function useConfirmPasswordReset() {
  return useMutation({
    mutationFn: (body: { token: string; newPassword: string }) =>
      unwrap(client.POST('/api/v1/auth/password-reset/confirm', { body })),
  });
}
