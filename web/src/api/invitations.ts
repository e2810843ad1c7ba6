// Candidate invitations of an assessment: the list, inviting one candidate, importing a CSV (a job
// the page polls), and resending, revoking or extending one invitation or many.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { assessmentKey } from './assessments';
import { client, unwrap } from './client';
import type { components, paths } from './schema';

type Schemas = components['schemas'];
export type Invitation = Schemas['Invitation'];
export type InvitationStatus = Invitation['status'];
export type CandidateImport = Schemas['CandidateImport'];
export type BulkResult = Schemas['BulkInvitationResult'];
export type InviteCandidateInput = NonNullable<
  paths['/api/v1/assessments/{assessmentId}/invitations']['post']['requestBody']
>['content']['application/json'];
export type BulkAction = 'resend' | 'revoke' | 'extend';

export type InvitationFilters = { q?: string; status?: InvitationStatus };

const PAGE_SIZE = 50;
const BULK_MAX = 500;

const invitationsKey = (assessmentId: string) => ['invitations', assessmentId] as const;

export function useInvitations(assessmentId: string, filters: InvitationFilters) {
  return useInfiniteQuery({
    queryKey: [...invitationsKey(assessmentId), 'list', filters],
    queryFn: ({ pageParam }) =>
      unwrap(
        client.GET('/api/v1/assessments/{assessmentId}/invitations', {
          params: {
            path: { assessmentId },
            query: { ...filters, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
  });
}

/** After invitations change: the list, and the assessment's counts. */
function useRefreshInvitations(assessmentId: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: invitationsKey(assessmentId) });
    void queryClient.invalidateQueries({ queryKey: assessmentKey(assessmentId) });
    void queryClient.invalidateQueries({ queryKey: ['assessments', 'list'] });
  };
}

export function useInviteCandidate(assessmentId: string) {
  const refresh = useRefreshInvitations(assessmentId);
  return useMutation({
    mutationFn: (body: InviteCandidateInput) =>
      unwrap(
        client.POST('/api/v1/assessments/{assessmentId}/invitations', {
          params: { path: { assessmentId } },
          body,
        }),
      ),
    onSuccess: refresh,
  });
}

/** Uploads a CSV; the server checks its header at once and queues the rows for a job. */
export function useImportCandidates(assessmentId: string) {
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file, file.name);
      return unwrap(
        client.POST('/api/v1/assessments/{assessmentId}/imports', {
          params: { path: { assessmentId } },
          // The contract has no JSON body here: the file goes as multipart/form-data.
          body: form as never,
          bodySerializer: (body: unknown) => body as FormData,
        }),
      );
    },
  });
}

const finished = (imp: CandidateImport | undefined) => imp?.status === 'done' || imp?.status === 'failed';

/** An import's progress, polled every second until it is done or has failed. */
export function useCandidateImport(assessmentId: string, importId: string | null) {
  const refresh = useRefreshInvitations(assessmentId);
  return useQuery({
    queryKey: ['candidate-import', importId],
    queryFn: async () => {
      const imp = await unwrap(
        client.GET('/api/v1/candidate-imports/{importId}', {
          params: { path: { importId: importId ?? '' } },
        }),
      );
      // New invitations appear in the list while the import runs, and once more at the end.
      if (imp.processedRows > 0) refresh();
      return imp;
    },
    enabled: importId !== null,
    refetchInterval: (query) => (finished(query.state.data) ? false : 1000),
  });
}

export function useBulkInvitations(assessmentId: string) {
  const refresh = useRefreshInvitations(assessmentId);
  return useMutation({
    // The API takes at most BULK_MAX ids a call: a bigger selection goes in several calls.
    mutationFn: async ({
      invitationIds,
      ...rest
    }: {
      action: BulkAction;
      invitationIds: string[];
      days?: number;
    }) => {
      const results: BulkResult['results'] = [];
      for (let i = 0; i < invitationIds.length; i += BULK_MAX) {
        const reply = await unwrap(
          client.POST('/api/v1/assessments/{assessmentId}/invitations/bulk', {
            params: { path: { assessmentId } },
            body: { ...rest, invitationIds: invitationIds.slice(i, i + BULK_MAX) },
          }),
        );
        results.push(...reply.results);
      }
      return { results };
    },
    onSettled: refresh,
  });
}

export function useInvitationAction(assessmentId: string) {
  const refresh = useRefreshInvitations(assessmentId);
  return useMutation({
    mutationFn: ({
      action,
      invitationId,
      days,
    }: {
      action: BulkAction;
      invitationId: string;
      days?: number;
    }) => {
      const params = { params: { path: { invitationId } } };
      switch (action) {
        case 'resend':
          return unwrap(client.POST('/api/v1/invitations/{invitationId}/resend', params));
        case 'revoke':
          return unwrap(client.POST('/api/v1/invitations/{invitationId}/revoke', params));
        case 'extend':
          return unwrap(
            client.POST('/api/v1/invitations/{invitationId}/extend', {
              ...params,
              body: { days: days ?? 7 },
            }),
          );
      }
    },
    onSettled: refresh,
  });
}

/** The newest CSV import of an assessment, so a dialog opened again can follow one still running. */
export function useLatestImport(assessmentId: string) {
  return useQuery({
    queryKey: ['candidate-imports', assessmentId, 'latest'],
    queryFn: async () => {
      const page = await unwrap(
        client.GET('/api/v1/assessments/{assessmentId}/imports', {
          params: { path: { assessmentId }, query: { limit: 1 } },
        }),
      );
      return page.items[0] ?? null;
    },
    staleTime: 0,
  });
}
