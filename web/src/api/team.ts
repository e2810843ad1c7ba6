// Members of the current organization, their invitations, and accepting an invitation by its link.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from './client';
import { invitationPreviewKey, replaceSession } from './session';
import type { AcceptInvitationInput, Role } from './types';

export const membersKey = ['team', 'members'] as const;
export const teamInvitationsKey = ['team', 'invitations'] as const;

export function useMembers() {
  return useQuery({ queryKey: membersKey, queryFn: () => unwrap(client.GET('/api/v1/team/members')) });
}

export function useUpdateMemberRole() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(client.PATCH('/api/v1/team/members/{userId}', { params: { path: { userId } }, body: { role } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: membersKey }),
  });
}

export function useRemoveMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(client.DELETE('/api/v1/team/members/{userId}', { params: { path: { userId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: membersKey }),
  });
}

export function useTeamInvitations() {
  return useQuery({
    queryKey: teamInvitationsKey,
    queryFn: () => unwrap(client.GET('/api/v1/team/invitations')),
  });
}

export function useCreateTeamInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; role: Role }) =>
      unwrap(client.POST('/api/v1/team/invitations', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamInvitationsKey }),
  });
}

export function useRevokeTeamInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(
        client.DELETE('/api/v1/team/invitations/{teamInvitationId}', {
          params: { path: { teamInvitationId: invitationId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamInvitationsKey }),
  });
}

/** What an invitation link is for. A POST so the token stays out of URLs and logs; it changes nothing. */
export function useInvitationPreview(token: string) {
  return useQuery({
    queryKey: [invitationPreviewKey, token],
    queryFn: () => unwrap(client.POST('/api/v1/team-invitations/preview', { body: { token } })),
    retry: false,
    refetchOnWindowFocus: false,
  });
}

export function useAcceptInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: AcceptInvitationInput) =>
      unwrap(client.POST('/api/v1/team-invitations/accept', { body })),
    onSuccess: (session) => replaceSession(queryClient, session),
  });
}
