// How many questions a draw takes from each subtopic × difficulty cell. Pure arithmetic, shared by the
// content validator (can the bank satisfy a role?) and by assessments (what to draw for a candidate).
import { type Difficulty, difficulties } from './bank.model.js';

export type DifficultyMix = Record<Difficulty, number>;
export type CellCount = { subtopic: string; difficulty: Difficulty; count: number };
export type DrawPlan = {
  total: number;
  bySubtopic: Record<string, number>;
  byDifficulty: DifficultyMix;
  /** Only the cells that draw at least one question, subtopics in the order of `weights`. */
  cells: CellCount[];
};

/**
 * Largest-remainder (Hamilton) apportionment of `total` seats by `weights`: every share is the floor
 * or the ceiling of its exact quota and the shares sum to `total`. Ties go to the larger weight, then
 * to the earlier key, so the result is deterministic.
 */
export function apportion(
  total: number,
  weights: ReadonlyArray<readonly [string, number]>,
): Map<string, number> {
  const sum = weights.reduce((s, [, w]) => s + Math.max(0, w), 0);
  const out = new Map<string, number>();
  if (sum <= 0 || total <= 0) {
    for (const [k] of weights) out.set(k, 0);
    return out;
  }
  const rows = weights.map(([key, w], i) => {
    const quota = (total * Math.max(0, w)) / sum;
    const floor = Math.floor(quota + 1e-9);
    return { key, w, i, floor, rest: quota - floor };
  });
  let left = total - rows.reduce((s, r) => s + r.floor, 0);
  for (const r of rows) out.set(r.key, r.floor);
  const order = [...rows].sort((a, b) => b.rest - a.rest || b.w - a.w || a.i - b.i);
  for (const r of order) {
    if (left <= 0) break;
    if (r.w <= 0) continue;
    out.set(r.key, (out.get(r.key) ?? 0) + 1);
    left--;
  }
  return out;
}

/**
 * The draw of `questionCount` questions for subtopic `weights` (summing to 100) and a difficulty mix
 * (summing to 100). Subtopic counts are the largest-remainder apportionment of the weights, and so are
 * the overall difficulty counts, which therefore lie within ±1 of the exact mix. Inside a subtopic
 * each difficulty gets the floor or ceiling of its exact share, chosen so that the column totals come
 * out exactly (a controlled rounding of the table, solved as a small bipartite matching).
 */
export function planCellCounts(
  weights: Readonly<Record<string, number>>,
  difficultyMix: Readonly<DifficultyMix>,
  questionCount: number,
): DrawPlan {
  const subtopics = Object.entries(weights).filter(([, w]) => w > 0);
  const bySubtopicMap = apportion(questionCount, subtopics);
  const byDifficultyMap = apportion(
    questionCount,
    difficulties.map((d) => [d, difficultyMix[d]] as const),
  );
  const mixSum = difficulties.reduce((s, d) => s + Math.max(0, difficultyMix[d]), 0);

  // Floors of the exact cell shares, and what each row and column still needs.
  const cell = new Map<string, number>();
  const key = (s: string, d: Difficulty) => `${s}\u0000${d}`;
  const fractions: Array<{ s: string; d: Difficulty; rest: number }> = [];
  const rowNeed = new Map<string, number>();
  const colNeed = new Map<Difficulty, number>(difficulties.map((d) => [d, byDifficultyMap.get(d) ?? 0]));
  for (const [s] of subtopics) {
    const n = bySubtopicMap.get(s) ?? 0;
    let placed = 0;
    for (const d of difficulties) {
      const exact = mixSum > 0 ? (n * Math.max(0, difficultyMix[d])) / mixSum : 0;
      const floor = Math.floor(exact + 1e-9);
      cell.set(key(s, d), floor);
      placed += floor;
      colNeed.set(d, (colNeed.get(d) ?? 0) - floor);
      if (difficultyMix[d] > 0) fractions.push({ s, d, rest: exact - floor });
    }
    rowNeed.set(s, n - placed);
  }

  // Each row hands out its missing units, one per difficulty at most, so that each column receives
  // exactly what it lacks. Cells with the largest fractional parts are tried first; a cell with no
  // fraction is used only when nothing else balances (it then sits at exact + 1, still within ±1).
  fractions.sort((a, b) => b.rest - a.rest);
  const edges = new Map<string, Difficulty[]>();
  for (const f of fractions) {
    if (f.rest > 1e-9) edges.set(f.s, [...(edges.get(f.s) ?? []), f.d]);
  }
  for (const [s] of subtopics) {
    for (const d of difficulties) {
      const list = edges.get(s) ?? [];
      if (difficultyMix[d] > 0 && !list.includes(d)) edges.set(s, [...list, d]);
    }
  }
  const assigned = new Map<string, Difficulty | undefined>(); // `${row}#${unit}` → column
  const colTaken = new Map<Difficulty, string[]>(difficulties.map((d) => [d, []]));
  const units: string[] = [];
  for (const [s] of subtopics) for (let u = 0; u < (rowNeed.get(s) ?? 0); u++) units.push(`${s}#${u}`);
  const rowOf = (unit: string) => unit.slice(0, unit.lastIndexOf('#'));
  const uses = (s: string, d: Difficulty) => (colTaken.get(d) ?? []).some((u) => rowOf(u) === s);

  const augment = (unit: string, seen: Set<Difficulty>): boolean => {
    const s = rowOf(unit);
    for (const d of edges.get(s) ?? []) {
      if (seen.has(d) || uses(s, d)) continue;
      seen.add(d);
      const taken = colTaken.get(d) ?? [];
      if (taken.length < (colNeed.get(d) ?? 0)) {
        taken.push(unit);
        assigned.set(unit, d);
        return true;
      }
      for (let i = 0; i < taken.length; i++) {
        const other = taken[i]!;
        taken.splice(i, 1);
        if (augment(other, seen)) {
          taken.push(unit);
          assigned.set(unit, d);
          return true;
        }
        taken.splice(i, 0, other);
      }
    }
    return false;
  };
  for (const unit of units) {
    if (!augment(unit, new Set())) throw new Error('planCellCounts: no balanced rounding exists');
  }
  for (const [unit, d] of assigned)
    if (d) cell.set(key(rowOf(unit), d), (cell.get(key(rowOf(unit), d)) ?? 0) + 1);

  const cells: CellCount[] = [];
  for (const [s] of subtopics) {
    for (const d of difficulties) {
      const count = cell.get(key(s, d)) ?? 0;
      if (count > 0) cells.push({ subtopic: s, difficulty: d, count });
    }
  }
  return {
    total: questionCount,
    bySubtopic: Object.fromEntries(Object.keys(weights).map((s) => [s, bySubtopicMap.get(s) ?? 0])),
    byDifficulty: {
      easy: byDifficultyMap.get('easy') ?? 0,
      medium: byDifficultyMap.get('medium') ?? 0,
      hard: byDifficultyMap.get('hard') ?? 0,
    },
    cells,
  };
}
