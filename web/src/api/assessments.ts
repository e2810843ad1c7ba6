// Assessments: the list, the builder (sections and settings), the lifecycle, the draw check that
// guards opening, and the public self-registration link.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { client, unwrap } from './client';
import type { components, paths } from './schema';

type Schemas = components['schemas'];
export type Assessment = Schemas['Assessment'];
export type AssessmentSummary = Schemas['AssessmentSummary'];
export type AssessmentState = Assessment['state'];
export type AssessmentSettings = Assessment['settings'];
export type Section = Assessment['sections'][number];
export type QuizSection = Extract<Section, { kind: 'quiz' }>;
export type UploadSection = Extract<Section, { kind: 'upload' }>;
export type DrawCheck = Schemas['DrawCheck'];
export type DrawShortage = DrawCheck['shortages'][number];
export type PublicLink = Schemas['PublicLink'];
export type UpdateAssessmentInput = NonNullable<
  paths['/api/v1/assessments/{assessmentId}']['patch']['requestBody']
>['content']['application/json'];
export type AssessmentStateFilter = NonNullable<
  NonNullable<paths['/api/v1/assessments']['get']['parameters']['query']>['state']
>;

export type AssessmentFilters = { q?: string; state?: AssessmentStateFilter };

const listKey = ['assessments', 'list'] as const;
export const assessmentKey = (assessmentId: string) => ['assessments', 'one', assessmentId] as const;
const drawCheckKey = (assessmentId: string) => ['assessments', 'draw-check', assessmentId] as const;

export function useAssessments(filters: AssessmentFilters) {
  return useInfiniteQuery({
    queryKey: [...listKey, filters],
    queryFn: ({ pageParam }) =>
      unwrap(
        client.GET('/api/v1/assessments', {
          params: { query: { ...filters, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useAssessment(assessmentId: string) {
  return useQuery({
    queryKey: assessmentKey(assessmentId),
    queryFn: () =>
      unwrap(client.GET('/api/v1/assessments/{assessmentId}', { params: { path: { assessmentId } } })),
  });
}

export function useDrawCheck(assessmentId: string, enabled = true) {
  return useQuery({
    queryKey: drawCheckKey(assessmentId),
    queryFn: () =>
      unwrap(
        client.GET('/api/v1/assessments/{assessmentId}/draw-check', { params: { path: { assessmentId } } }),
      ),
    enabled,
  });
}

/** Puts a fresh assessment in the cache and marks what depends on it as stale. */
function useStoreAssessment() {
  const queryClient = useQueryClient();
  return (assessment: Assessment) => {
    queryClient.setQueryData(assessmentKey(assessment.id), assessment);
    void queryClient.invalidateQueries({ queryKey: listKey });
    void queryClient.invalidateQueries({ queryKey: drawCheckKey(assessment.id) });
  };
}

export function useCreateAssessment() {
  const store = useStoreAssessment();
  return useMutation({
    mutationFn: (body: { name?: string; roleTemplateId?: string }) =>
      unwrap(client.POST('/api/v1/assessments', { body })),
    onSuccess: store,
  });
}

export function useDuplicateAssessment() {
  const store = useStoreAssessment();
  return useMutation({
    mutationFn: ({ assessmentId, name }: { assessmentId: string; name?: string }) =>
      unwrap(
        client.POST('/api/v1/assessments/{assessmentId}/duplicate', {
          params: { path: { assessmentId } },
          body: name ? { name } : {},
        }),
      ),
    onSuccess: store,
  });
}

export function useUpdateAssessment(assessmentId: string) {
  const store = useStoreAssessment();
  return useMutation({
    mutationFn: (body: UpdateAssessmentInput) =>
      unwrap(
        client.PATCH('/api/v1/assessments/{assessmentId}', { params: { path: { assessmentId } }, body }),
      ),
    onSuccess: store,
  });
}

export type LifecycleAction = 'open' | 'close' | 'reopen' | 'archive';

export function useAssessmentLifecycle(assessmentId: string) {
  const store = useStoreAssessment();
  return useMutation({
    mutationFn: (action: LifecycleAction) => {
      const options = { params: { path: { assessmentId } } };
      switch (action) {
        case 'open':
          return unwrap(client.POST('/api/v1/assessments/{assessmentId}/open', options));
        case 'close':
          return unwrap(client.POST('/api/v1/assessments/{assessmentId}/close', options));
        case 'reopen':
          return unwrap(client.POST('/api/v1/assessments/{assessmentId}/reopen', options));
        case 'archive':
          return unwrap(client.POST('/api/v1/assessments/{assessmentId}/archive', options));
      }
    },
    onSuccess: store,
  });
}

/** Enables the public link or replaces its token. The URL comes back only in this reply. */
export function useEnablePublicLink(assessmentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { cap?: number | null }) =>
      unwrap(
        client.POST('/api/v1/assessments/{assessmentId}/public-link', {
          params: { path: { assessmentId } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: assessmentKey(assessmentId) }),
  });
}

export function useDisablePublicLink(assessmentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        client.DELETE('/api/v1/assessments/{assessmentId}/public-link', {
          params: { path: { assessmentId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: assessmentKey(assessmentId) }),
  });
}

// ---------------------------------------------------------------------------------------------
// The bank, as the builder needs it

/** Questions to pin: the first matches for some text, or the first questions when it is empty. */
export function useQuestionSearch(q: string, enabled: boolean) {
  return useQuery({
    queryKey: ['assessments', 'question-search', q],
    queryFn: () =>
      unwrap(client.GET('/api/v1/questions', { params: { query: { limit: 20, ...(q ? { q } : {}) } } })),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

/** Every upload task the organization can use (built-in and its own), for the section picker. */
export function useUploadTaskChoices() {
  return useQuery({
    queryKey: ['assessments', 'upload-task-choices'],
    queryFn: () => unwrap(client.GET('/api/v1/upload-tasks', { params: { query: { limit: 200 } } })),
    staleTime: 5 * 60_000,
  });
}
