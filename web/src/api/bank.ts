// The question bank: the skills taxonomy, role templates, questions with their versions, and upload
// tasks with their rubrics. Staff only: these shapes carry answer keys and reviewer notes.
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
export type Skill = Schemas['Skill'];
export type RoleTemplate = Schemas['RoleTemplate'];
export type Question = Schemas['Question'];
export type QuestionDetail = Schemas['QuestionDetail'];
export type QuestionVersion = Schemas['QuestionVersion'];
export type UploadTaskSummary = Schemas['UploadTaskSummary'];
export type UploadTask = Schemas['UploadTask'];
export type Difficulty = Question['difficulty'];
export type QuestionKind = Question['kind'];
export type QuestionSource = Question['source'];
export type CreateQuestionInput = NonNullable<
  paths['/api/v1/questions']['post']['requestBody']
>['content']['application/json'];
export type UpdateQuestionInput = NonNullable<
  paths['/api/v1/questions/{questionId}']['patch']['requestBody']
>['content']['application/json'];

export type QuestionFilters = {
  q?: string;
  subtopic?: string;
  difficulty?: Difficulty;
  kind?: QuestionKind;
  source?: 'builtin' | 'organization' | 'all';
  includeRetired?: boolean;
};

export type UploadTaskFilters = {
  q?: string;
  subtopic?: string;
  source?: 'builtin' | 'organization' | 'all';
  includeRetired?: boolean;
};

const PAGE_SIZE = 50;

// Content changes only when the server restarts with new files or someone edits a custom item.
const CATALOG_STALE_MS = 5 * 60_000;

export function useSkills() {
  return useQuery({
    queryKey: ['bank', 'skills'],
    queryFn: () => unwrap(client.GET('/api/v1/skills')),
    staleTime: CATALOG_STALE_MS,
  });
}

export function useRoleTemplates() {
  return useQuery({
    queryKey: ['bank', 'role-templates'],
    queryFn: () => unwrap(client.GET('/api/v1/role-templates')),
    staleTime: CATALOG_STALE_MS,
  });
}

const questionsKey = ['bank', 'questions'] as const;
const questionKey = (questionId: string) => ['bank', 'question', questionId] as const;

export function useQuestions(filters: QuestionFilters) {
  const { includeRetired, ...rest } = filters;
  return useInfiniteQuery({
    queryKey: [...questionsKey, filters],
    queryFn: ({ pageParam }) =>
      unwrap(
        client.GET('/api/v1/questions', {
          params: {
            query: {
              ...rest,
              limit: PAGE_SIZE,
              ...(includeRetired ? { includeRetired: 'true' as const } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    // Keep the current rows on screen while a new filter loads, so the table doesn't flash.
    placeholderData: keepPreviousData,
  });
}

export function useQuestion(questionId: string | null) {
  return useQuery({
    queryKey: questionKey(questionId ?? ''),
    queryFn: () =>
      unwrap(
        client.GET('/api/v1/questions/{questionId}', { params: { path: { questionId: questionId ?? '' } } }),
      ),
    enabled: questionId !== null,
  });
}

function useStoreQuestion() {
  const queryClient = useQueryClient();
  return (question: QuestionDetail) => {
    queryClient.setQueryData(questionKey(question.id), question);
    void queryClient.invalidateQueries({ queryKey: questionsKey });
  };
}

export function useCreateQuestion() {
  const store = useStoreQuestion();
  return useMutation({
    mutationFn: (body: CreateQuestionInput) => unwrap(client.POST('/api/v1/questions', { body })),
    onSuccess: store,
  });
}

export function useUpdateQuestion(questionId: string) {
  const store = useStoreQuestion();
  return useMutation({
    mutationFn: (body: UpdateQuestionInput) =>
      unwrap(client.PATCH('/api/v1/questions/{questionId}', { params: { path: { questionId } }, body })),
    onSuccess: store,
  });
}

export function useSetQuestionRetired(questionId: string) {
  const store = useStoreQuestion();
  return useMutation({
    mutationFn: (retired: boolean) =>
      unwrap(
        retired
          ? client.POST('/api/v1/questions/{questionId}/retire', { params: { path: { questionId } } })
          : client.POST('/api/v1/questions/{questionId}/restore', { params: { path: { questionId } } }),
      ),
    onSuccess: store,
  });
}

export function useUploadTasks(filters: UploadTaskFilters) {
  const { includeRetired, ...rest } = filters;
  return useInfiniteQuery({
    queryKey: ['bank', 'upload-tasks', filters],
    queryFn: ({ pageParam }) =>
      unwrap(
        client.GET('/api/v1/upload-tasks', {
          params: {
            query: {
              ...rest,
              limit: PAGE_SIZE,
              ...(includeRetired ? { includeRetired: 'true' as const } : {}),
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

export function useUploadTask(taskId: string) {
  return useQuery({
    queryKey: ['bank', 'upload-task', taskId],
    queryFn: () => unwrap(client.GET('/api/v1/upload-tasks/{taskId}', { params: { path: { taskId } } })),
  });
}
