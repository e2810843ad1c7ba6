// Reviews: the reviewer's queue of uploads (oldest first), one submission with its task, rubric,
// reviewer notes and files, and the reviewer's own rubric scores. Every shape here is blind: the
// contract has no field for a candidate's name, email or original file names.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, unwrap } from './client';
import type { paths } from './schema';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Reply<P extends keyof paths, M extends 'get' | 'post', S extends number = 200> = paths[P][M] extends {
  responses: infer R;
}
  ? S extends keyof R
    ? JsonOf<R[S]>
    : never
  : never;

export type ReviewQueueItem = Reply<'/api/v1/reviews/queue', 'get'>['items'][number];
export type ReviewItem = Reply<'/api/v1/reviews/items/{reviewItemId}', 'get'>;
export type RubricCriterion = ReviewItem['task']['rubric'][number];
export type MyReviewSummary = Reply<'/api/v1/reviews/mine', 'get'>['items'][number];
export type ReviewInput = NonNullable<
  paths['/api/v1/reviews/items/{reviewItemId}/review']['post']['requestBody']
>['content']['application/json'];

const PAGE_SIZE = 50;

const queueKey = ['reviews', 'queue'] as const;
const mineKey = ['reviews', 'mine'] as const;
const itemKey = (reviewItemId: string) => ['reviews', 'item', reviewItemId] as const;

export function useReviewQueue() {
  return useInfiniteQuery({
    queryKey: queueKey,
    queryFn: ({ pageParam }) =>
      unwrap(
        client.GET('/api/v1/reviews/queue', {
          params: { query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
}

/** The reviewer's own reviews, newest first: the first page is enough for "recently reviewed". */
export function useMyReviews() {
  return useQuery({
    queryKey: mineKey,
    queryFn: () => unwrap(client.GET('/api/v1/reviews/mine', { params: { query: { limit: 10 } } })),
  });
}

export function useReviewItem(reviewItemId: string, enabled = true) {
  return useQuery({
    queryKey: itemKey(reviewItemId),
    queryFn: () =>
      unwrap(client.GET('/api/v1/reviews/items/{reviewItemId}', { params: { path: { reviewItemId } } })),
    enabled,
  });
}

/** Submits the reviewer's scores, or edits them when `edit` (they already reviewed this one). */
export function useSubmitReview(reviewItemId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ edit, ...body }: ReviewInput & { edit: boolean }) => {
      const options = { params: { path: { reviewItemId } }, body };
      return edit
        ? unwrap(client.PATCH('/api/v1/reviews/items/{reviewItemId}/review', options))
        : unwrap(client.POST('/api/v1/reviews/items/{reviewItemId}/review', options));
    },
    onSuccess: (item) => {
      queryClient.setQueryData(itemKey(reviewItemId), item);
      void queryClient.invalidateQueries({ queryKey: queueKey });
      void queryClient.invalidateQueries({ queryKey: mineKey });
    },
  });
}

/** The oldest submission still waiting for this reviewer, other than `exceptId`; null when none. */
export async function fetchNextReviewItemId(exceptId: string): Promise<string | null> {
  const page = await unwrap(client.GET('/api/v1/reviews/queue', { params: { query: { limit: 5 } } }));
  return page.items.find((item) => item.id !== exceptId)?.id ?? null;
}

/** "Submission #3F9C2A": a short, stable reference that says nothing about who handed it in. */
export function submissionRef(reviewItemId: string): string {
  return `Submission #${reviewItemId.replace(/-/g, '').slice(-6).toUpperCase()}`;
}
