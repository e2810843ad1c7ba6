// Classical item analysis, as in Moodle's quiz statistics (formulas in ../shared/research/
// performance-anchors.md, B8): facility, discrimination (the corrected item-total correlation, i.e.
// the item mark against the rest of the test), option frequencies, and Cronbach's alpha (KR-20 when
// marks are 0/1). Pure: the analytics job feeds it rows and stores what it returns.
//
// Items are kept as sufficient statistics (counts and sums), so an organization's totals for a
// question are the sums of its assessments' rows. The "rest of test" is the mean mark of the
// attempt's other quiz items: for candidates who all took the same number of items it is the rest
// score divided by a constant, which leaves the correlation unchanged, and it keeps forms of
// different lengths comparable.

export type ItemResponse = {
  /** The question version answered. */
  itemId: string;
  /** Mark in [0, 1] (max mark 1). */
  mark: number;
  /** The option ids chosen; empty when unanswered. */
  chosen: readonly string[];
};

export type ItemSums = {
  /** Attempts that had the item. */
  n: number;
  sumX: number;
  sumX2: number;
  /** Pairs with a rest score (attempts with at least one other item). */
  nR: number;
  sumXp: number;
  sumXp2: number;
  sumR: number;
  sumR2: number;
  sumXR: number;
  /** Times each option was chosen; '' counts unanswered. */
  options: Record<string, number>;
};

export const emptySums = (): ItemSums => ({
  n: 0,
  sumX: 0,
  sumX2: 0,
  nR: 0,
  sumXp: 0,
  sumXp2: 0,
  sumR: 0,
  sumR2: 0,
  sumXR: 0,
  options: {},
});

/** Adds each attempt's responses to the per-item sums. */
export function accumulateItemSums(
  attempts: ReadonlyArray<ReadonlyArray<ItemResponse>>,
  into: Map<string, ItemSums> = new Map(),
): Map<string, ItemSums> {
  for (const responses of attempts) {
    const k = responses.length;
    const total = responses.reduce((s, r) => s + r.mark, 0);
    for (const r of responses) {
      const s = into.get(r.itemId) ?? emptySums();
      const x = r.mark;
      s.n++;
      s.sumX += x;
      s.sumX2 += x * x;
      if (k > 1) {
        const rest = (total - x) / (k - 1);
        s.nR++;
        s.sumXp += x;
        s.sumXp2 += x * x;
        s.sumR += rest;
        s.sumR2 += rest * rest;
        s.sumXR += x * rest;
      }
      if (r.chosen.length === 0) s.options[''] = (s.options[''] ?? 0) + 1;
      for (const o of r.chosen) s.options[o] = (s.options[o] ?? 0) + 1;
      into.set(r.itemId, s);
    }
  }
  return into;
}

export function mergeSums(a: ItemSums, b: ItemSums): ItemSums {
  const options = { ...a.options };
  for (const [k, v] of Object.entries(b.options)) options[k] = (options[k] ?? 0) + v;
  return {
    n: a.n + b.n,
    sumX: a.sumX + b.sumX,
    sumX2: a.sumX2 + b.sumX2,
    nR: a.nR + b.nR,
    sumXp: a.sumXp + b.sumXp,
    sumXp2: a.sumXp2 + b.sumXp2,
    sumR: a.sumR + b.sumR,
    sumR2: a.sumR2 + b.sumR2,
    sumXR: a.sumXR + b.sumXR,
    options,
  };
}

/** Facility index F = mean mark / max mark (max mark is 1). Null with no attempts. */
export function facilityOf(s: Pick<ItemSums, 'n' | 'sumX'>): number | null {
  return s.n > 0 ? s.sumX / s.n : null;
}

// Below this many squared deviations a variance is rounding noise, not spread.
const EPS = 1e-12;

/**
 * Discrimination index D = Cov(x, rest) / √(Var(x)·Var(rest)), the Pearson correlation of the item
 * mark with the rest of the test. Null when either has no spread (everyone scored the same), or with
 * fewer than two pairs.
 */
export function discriminationOf(s: ItemSums): number | null {
  const n = s.nR;
  if (n < 2) return null;
  const sxx = s.sumXp2 - (s.sumXp * s.sumXp) / n;
  const srr = s.sumR2 - (s.sumR * s.sumR) / n;
  const sxr = s.sumXR - (s.sumXp * s.sumR) / n;
  if (sxx <= EPS || srr <= EPS) return null;
  return Math.max(-1, Math.min(1, sxr / Math.sqrt(sxx * srr)));
}

export type ItemFlag = 'negative-discrimination' | 'too-easy' | 'too-hard' | 'unused-distractor';

/** Flags need this many attempts; below it every item would look odd. */
export const MIN_ATTEMPTS_FOR_FLAGS = 5;
export const FACILITY_HIGH = 0.95;
export const FACILITY_LOW = 0.1;

/** What deserves an author's look: D < 0, F > 0.95 or F < 0.10, a distractor nobody picks. */
export function flagsFor(
  s: { n: number; facility: number | null; discrimination: number | null; options: Record<string, number> },
  item: { optionIds: readonly string[]; correct: readonly string[] },
): ItemFlag[] {
  if (s.n < MIN_ATTEMPTS_FOR_FLAGS) return [];
  const flags: ItemFlag[] = [];
  if (s.discrimination !== null && s.discrimination < 0) flags.push('negative-discrimination');
  if (s.facility !== null && s.facility > FACILITY_HIGH) flags.push('too-easy');
  if (s.facility !== null && s.facility < FACILITY_LOW) flags.push('too-hard');
  const key = new Set(item.correct);
  if (item.optionIds.some((o) => !key.has(o) && !(s.options[o] ?? 0))) flags.push('unused-distractor');
  return flags;
}

/** Sample variance (denominator s − 1), as Moodle uses. */
function sampleVariance(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  return xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
}

export type TestStatistics = {
  attempts: number;
  items: number;
  /** Mean of the quiz total over the items, in [0, 1]. */
  mean: number | null;
  sd: number | null;
  /** Cronbach's alpha: p/(p−1)·(1 − ΣVar(x_i)/Var(X)); KR-20 when marks are 0/1. */
  alpha: number | null;
  /** Standard error of measurement on the same 0–1 scale: SD·√(1 − α). */
  sem: number | null;
};

/**
 * Test-level statistics over a matrix of marks: one row per attempt, one column per item (slot),
 * every row the same length.
 */
export function testStatistics(matrix: ReadonlyArray<ReadonlyArray<number>>): TestStatistics {
  const s = matrix.length;
  const p = matrix[0]?.length ?? 0;
  if (s === 0 || p === 0) return { attempts: s, items: p, mean: null, sd: null, alpha: null, sem: null };
  const totals = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const mean = totals.reduce((a, b) => a + b, 0) / s / p;
  const varTotal = sampleVariance(totals);
  const sd = s > 1 ? Math.sqrt(varTotal) / p : null;
  let alpha: number | null = null;
  if (s > 1 && p > 1 && varTotal > EPS) {
    let sumItemVar = 0;
    for (let j = 0; j < p; j++) sumItemVar += sampleVariance(matrix.map((row) => row[j] ?? 0));
    alpha = (p / (p - 1)) * (1 - sumItemVar / varTotal);
  }
  const sem = sd !== null && alpha !== null ? sd * Math.sqrt(Math.max(0, 1 - alpha)) : null;
  return { attempts: s, items: p, mean, sd, alpha, sem };
}

/** The median of a list (the mean of the middle two for an even count); null when empty. */
export function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
