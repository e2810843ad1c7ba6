// The current organization's own settings.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from './client';
import { sessionKey } from './session';

export const organizationKey = ['organization'] as const;

export function useOrganization() {
  return useQuery({
    queryKey: organizationKey,
    queryFn: () => unwrap(client.GET('/api/v1/organization')),
  });
}

export function useUpdateOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string }) => unwrap(client.PATCH('/api/v1/organization', { body })),
    onSuccess: async (organization) => {
      queryClient.setQueryData(organizationKey, organization);
      // The header and the organization switcher show the name from the session.
      await queryClient.invalidateQueries({ queryKey: sessionKey });
    },
  });
}
