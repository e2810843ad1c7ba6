// The pipeline's filters and sort live in the address, so a reload, the back button or a shared
// link shows the same list.
import { useSearchParams } from 'react-router';
import type {
  IntegrityTier,
  PipelineFilters,
  PipelineSort,
  PipelineStatus,
  SavedViewQuery,
  Stage,
} from '../../api/results';
import { integrityTiers, pipelineStatuses, stages } from './result-labels';

const SUBTOPIC_SORT = /^subtopic:[a-z0-9-]{1,60}$/;
const plainSorts = new Set(['newest', 'score', 'percentile', 'submitted', 'name']);

export const isSort = (s: string | null): s is PipelineSort =>
  !!s && (plainSorts.has(s) || SUBTOPIC_SORT.test(s));

/** Name sorts A to Z; everything else best (or newest) first. */
export const defaultOrder = (sort: PipelineSort) => (sort === 'name' ? 'asc' : 'desc');

function listParam<T extends string>(
  params: URLSearchParams,
  key: string,
  allowed: readonly T[],
): T[] | undefined {
  const raw = params.get(key);
  if (!raw) return undefined;
  const values = raw.split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));
  return values.length > 0 ? values : undefined;
}

function scoreParam(params: URLSearchParams, key: string): number | undefined {
  const raw = params.get(key);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 100 ? n / 100 : undefined;
}

export function readFilters(params: URLSearchParams, defaultSort: PipelineSort): PipelineFilters {
  const sortParam = params.get('sort');
  const sort = isSort(sortParam) ? sortParam : defaultSort;
  const orderParam = params.get('order');
  return {
    status: listParam<PipelineStatus>(params, 'status', pipelineStatuses),
    stage: listParam<Stage>(params, 'stage', stages),
    integrityTier: listParam<IntegrityTier>(params, 'integrity', integrityTiers),
    minScore: scoreParam(params, 'min'),
    maxScore: scoreParam(params, 'max'),
    q: params.get('q')?.trim() || undefined,
    sort,
    order: orderParam === 'asc' || orderParam === 'desc' ? orderParam : defaultOrder(sort),
  };
}

function writeFilters(f: PipelineFilters, defaultSort: PipelineSort): URLSearchParams {
  const params = new URLSearchParams();
  if (f.status?.length) params.set('status', f.status.join(','));
  if (f.stage?.length) params.set('stage', f.stage.join(','));
  if (f.integrityTier?.length) params.set('integrity', f.integrityTier.join(','));
  if (f.minScore !== undefined) params.set('min', String(Math.round(f.minScore * 100)));
  if (f.maxScore !== undefined) params.set('max', String(Math.round(f.maxScore * 100)));
  if (f.q) params.set('q', f.q);
  if (f.sort !== defaultSort) params.set('sort', f.sort);
  if (f.order && f.order !== defaultOrder(f.sort)) params.set('order', f.order);
  return params;
}

export function usePipelineFilters(defaultSort: PipelineSort) {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params, defaultSort);
  const setFilters = (next: PipelineFilters) => setParams(writeFilters(next, defaultSort), { replace: true });
  return [filters, setFilters] as const;
}

export function hasFilters(f: PipelineFilters): boolean {
  return !!(
    f.status?.length ||
    f.stage?.length ||
    f.integrityTier?.length ||
    f.minScore !== undefined ||
    f.maxScore !== undefined ||
    f.q
  );
}

export const toViewQuery = (f: PipelineFilters): SavedViewQuery => {
  const q: SavedViewQuery = { sort: f.sort };
  if (f.status?.length) q.status = f.status;
  if (f.stage?.length) q.stage = f.stage;
  if (f.integrityTier?.length) q.integrityTier = f.integrityTier;
  if (f.minScore !== undefined) q.minScore = f.minScore;
  if (f.maxScore !== undefined) q.maxScore = f.maxScore;
  if (f.q) q.q = f.q;
  if (f.order) q.order = f.order;
  return q;
};

export const fromViewQuery = (q: SavedViewQuery): PipelineFilters => ({
  status: q.status,
  stage: q.stage,
  integrityTier: q.integrityTier,
  minScore: q.minScore,
  maxScore: q.maxScore,
  q: q.q,
  sort: q.sort ?? 'newest',
  order: q.order ?? defaultOrder(q.sort ?? 'newest'),
});

/** Whether the list on screen is exactly what a saved view stores. */
export function sameFilters(a: PipelineFilters, b: PipelineFilters): boolean {
  const norm = (f: PipelineFilters) =>
    JSON.stringify({
      ...toViewQuery(f),
      order: f.order ?? defaultOrder(f.sort),
      status: [...(f.status ?? [])].sort(),
      stage: [...(f.stage ?? [])].sort(),
      integrityTier: [...(f.integrityTier ?? [])].sort(),
    });
  return norm(a) === norm(b);
}
