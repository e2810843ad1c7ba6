// Results: the pipeline of candidates (per assessment and across them) with saved views and bulk
// actions, the candidate report with notes, stage and extra time, comparisons, exports, item
// statistics, and the demo data switch.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { client, unwrap } from './client';
import type { paths } from './schema';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Reply<
  P extends keyof paths,
  M extends 'get' | 'post' | 'patch',
  S extends number = 200,
> = paths[P][M] extends { responses: infer R } ? (S extends keyof R ? JsonOf<R[S]> : never) : never;
type Query<P extends keyof paths> = NonNullable<
  paths[P]['get'] extends { parameters: { query?: infer Q } } ? Q : never
>;

export type PipelinePage = Reply<'/api/v1/pipeline', 'get'>;
export type PipelineRow = PipelinePage['items'][number];
export type PipelineStatus = PipelineRow['status'];
export type Stage = PipelineRow['stage'];
export type IntegrityTier = NonNullable<PipelineRow['integrityTier']>;
export type PipelineSort = NonNullable<Query<'/api/v1/pipeline'>['sort']>;
export type SortOrder = 'asc' | 'desc';
export type SavedView = Reply<'/api/v1/saved-views/{viewId}', 'get'>;
export type SavedViewQuery = SavedView['query'];
export type BulkResult = Reply<'/api/v1/pipeline/stage', 'post'>;
export type Report = Reply<'/api/v1/attempts/{attemptId}/report', 'get'>;
export type ReportSection = Report['sections'][number];
export type ReportItem = NonNullable<ReportSection['items']>[number];
export type Note = Report['notes'][number];
export type Comparison = Reply<'/api/v1/compare', 'get'>;
export type ComparedAttempt = Comparison['attempts'][number];
export type AssessmentItemStats = Reply<'/api/v1/assessments/{assessmentId}/item-stats', 'get'>;
export type ItemStat = AssessmentItemStats['items'][number];
export type ItemFlag = ItemStat['flags'][number];

/** The pipeline's filters and sort, the same shape a saved view keeps. */
export type PipelineFilters = {
  status?: PipelineStatus[];
  stage?: Stage[];
  integrityTier?: IntegrityTier[];
  minScore?: number;
  maxScore?: number;
  q?: string;
  sort: PipelineSort;
  order?: SortOrder;
};

const PAGE_SIZE = 50;
/** The API takes at most this many ids a call: a bigger selection goes in several calls. */
const BULK_MAX = 500;

const pipelineKey = ['pipeline'] as const;
const savedViewsKey = ['saved-views'] as const;
const reportKey = (attemptId: string) => ['report', attemptId] as const;
const notesKey = (invitationId: string) => ['notes', invitationId] as const;

/** Filters as query parameters: lists comma-separated, empty ones left out. */
export function filterParams(f: PipelineFilters) {
  const list = (v?: string[]) => (v && v.length > 0 ? v.join(',') : undefined);
  const q = {
    status: list(f.status),
    stage: list(f.stage),
    integrityTier: list(f.integrityTier),
    minScore: f.minScore,
    maxScore: f.maxScore,
    q: f.q || undefined,
    sort: f.sort,
    order: f.order,
  };
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as {
    [K in keyof typeof q]?: NonNullable<(typeof q)[K]>;
  };
}

/** The candidates of one assessment, or across all of them when `assessmentId` is null. */
export function usePipeline(assessmentId: string | null, filters: PipelineFilters) {
  return useInfiniteQuery({
    queryKey: [...pipelineKey, assessmentId, filters],
    queryFn: ({ pageParam }) => {
      const query = {
        ...filterParams(filters),
        limit: PAGE_SIZE,
        ...(pageParam ? { cursor: pageParam } : {}),
      };
      return unwrap(
        assessmentId
          ? client.GET('/api/v1/assessments/{assessmentId}/pipeline', {
              params: { path: { assessmentId }, query },
            })
          : client.GET('/api/v1/pipeline', { params: { query } }),
      );
    },
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
  });
}

/** The address of an assessment's pipeline as CSV, with the filters and sort on screen. */
export function pipelineCsvUrl(assessmentId: string, filters: PipelineFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filterParams(filters))) params.set(k, String(v));
  const qs = params.toString();
  return `/api/v1/assessments/${encodeURIComponent(assessmentId)}/export.csv${qs ? `?${qs}` : ''}`;
}

/** After stages, reminders or expiries change: the pipeline lists and any open report. */
function useRefreshResults() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: pipelineKey });
    void queryClient.invalidateQueries({ queryKey: ['report'] });
    void queryClient.invalidateQueries({ queryKey: ['notes'] });
    void queryClient.invalidateQueries({ queryKey: ['compare'] });
    void queryClient.invalidateQueries({ queryKey: ['invitations'] });
  };
}

export type BulkAction =
  | { kind: 'stage'; stage: Stage; note?: string }
  | { kind: 'remind' }
  | { kind: 'extend'; days: number };

export function useBulkPipelineAction() {
  const refresh = useRefreshResults();
  return useMutation({
    mutationFn: async ({ action, invitationIds }: { action: BulkAction; invitationIds: string[] }) => {
      const results: BulkResult['results'] = [];
      for (let i = 0; i < invitationIds.length; i += BULK_MAX) {
        const ids = invitationIds.slice(i, i + BULK_MAX);
        const reply =
          action.kind === 'stage'
            ? await unwrap(
                client.POST('/api/v1/pipeline/stage', {
                  body: {
                    stage: action.stage,
                    invitationIds: ids,
                    ...(action.note ? { note: action.note } : {}),
                  },
                }),
              )
            : await unwrap(
                client.POST('/api/v1/pipeline/bulk', {
                  body:
                    action.kind === 'extend'
                      ? { action: 'extend', invitationIds: ids, days: action.days }
                      : { action: 'remind', invitationIds: ids },
                }),
              );
        results.push(...reply.results);
      }
      return { results };
    },
    onSettled: refresh,
  });
}

// ---------------------------------------------------------------------------------------------
// Saved views

export function useSavedViews() {
  return useQuery({
    queryKey: savedViewsKey,
    queryFn: () => unwrap(client.GET('/api/v1/saved-views', { params: { query: { limit: 200 } } })),
  });
}

export function useCreateSavedView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; assessmentId: string | null; query: SavedViewQuery }) =>
      unwrap(client.POST('/api/v1/saved-views', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: savedViewsKey }),
  });
}

export function useDeleteSavedView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (viewId: string) =>
      unwrap(client.DELETE('/api/v1/saved-views/{viewId}', { params: { path: { viewId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: savedViewsKey }),
  });
}

// ---------------------------------------------------------------------------------------------
// The candidate report

export function useReport(attemptId: string) {
  return useQuery({
    queryKey: reportKey(attemptId),
    queryFn: () =>
      unwrap(client.GET('/api/v1/attempts/{attemptId}/report', { params: { path: { attemptId } } })),
    // An attempt in progress or waiting for reviews changes on its own: keep it fresh.
    refetchInterval: (query) => (query.state.data?.status === 'graded' ? false : 15_000),
  });
}

export function useNotes(invitationId: string | null, initial?: Note[]) {
  return useQuery({
    queryKey: notesKey(invitationId ?? ''),
    queryFn: () =>
      unwrap(
        client.GET('/api/v1/invitations/{invitationId}/notes', {
          params: { path: { invitationId: invitationId ?? '' } },
        }),
      ),
    enabled: invitationId !== null,
    initialData: initial ? { items: initial } : undefined,
    staleTime: 10_000,
  });
}

export function useAddNote(invitationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: string) =>
      unwrap(
        client.POST('/api/v1/invitations/{invitationId}/notes', {
          params: { path: { invitationId } },
          body: { body },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notesKey(invitationId) }),
  });
}

export function useChangeStage(invitationId: string) {
  const refresh = useRefreshResults();
  return useMutation({
    mutationFn: (body: { stage: Stage; note?: string }) =>
      unwrap(
        client.POST('/api/v1/invitations/{invitationId}/stage', { params: { path: { invitationId } }, body }),
      ),
    onSuccess: refresh,
  });
}

export function useGrantExtraTime(attemptId: string) {
  const refresh = useRefreshResults();
  return useMutation({
    mutationFn: (minutes: number) =>
      unwrap(
        client.POST('/api/v1/attempts/{attemptId}/extra-time', {
          params: { path: { attemptId } },
          body: { minutes },
        }),
      ),
    onSuccess: refresh,
  });
}

export const reportHtmlUrl = (attemptId: string) =>
  `/api/v1/attempts/${encodeURIComponent(attemptId)}/report.html?download=true`;
export const reportJsonUrl = (attemptId: string) =>
  `/api/v1/attempts/${encodeURIComponent(attemptId)}/export.json`;

// ---------------------------------------------------------------------------------------------
// Compare

export function useComparison(attemptIds: string[]) {
  return useQuery({
    queryKey: ['compare', attemptIds],
    queryFn: () =>
      unwrap(client.GET('/api/v1/compare', { params: { query: { attemptIds: attemptIds.join(',') } } })),
    enabled: attemptIds.length >= 2 && attemptIds.length <= 4,
  });
}

// ---------------------------------------------------------------------------------------------
// Item statistics

export function useAssessmentItemStats(assessmentId: string, flagged: boolean) {
  return useInfiniteQuery({
    queryKey: ['item-stats', assessmentId, flagged],
    queryFn: ({ pageParam }) =>
      unwrap(
        client.GET('/api/v1/assessments/{assessmentId}/item-stats', {
          params: {
            path: { assessmentId },
            query: {
              limit: PAGE_SIZE,
              ...(flagged ? { flagged: 'true' as const } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useFlaggedItems() {
  return useInfiniteQuery({
    queryKey: ['item-stats', 'flagged'],
    queryFn: ({ pageParam }) =>
      unwrap(
        client.GET('/api/v1/item-stats', {
          params: {
            query: { flagged: 'true', limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
}

// ---------------------------------------------------------------------------------------------
// Demo data

const demoKey = ['demo'] as const;

/** Whether the organization holds demo data, and which assessment is the demo one. */
export function useDemoState() {
  return useQuery({
    queryKey: demoKey,
    queryFn: () => unwrap(client.GET('/api/v1/demo')),
    staleTime: 60_000,
  });
}

/**
 * Demo data touches nearly every list: refresh them all once it arrives or leaves. Not awaited, so
 * the caller's own callbacks run before the lists change under it (the empty state that holds the
 * button goes away).
 */
function useRefreshAfterDemo() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries();
  };
}

export function useCreateDemo() {
  const refresh = useRefreshAfterDemo();
  return useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/demo')),
    onSuccess: refresh,
  });
}

export function useRemoveDemo() {
  const refresh = useRefreshAfterDemo();
  return useMutation({
    mutationFn: () => unwrap(client.DELETE('/api/v1/demo')),
    onSuccess: refresh,
  });
}
