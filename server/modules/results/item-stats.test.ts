import { describe, expect, it } from 'vitest';
import {
  accumulateItemSums,
  discriminationOf,
  emptySums,
  facilityOf,
  flagsFor,
  type ItemResponse,
  median,
  mergeSums,
  testStatistics,
} from './item-stats.js';

// A hand-computed fixture: 5 candidates × 4 single-choice items, marks 0/1 (max mark 1).
//
//            I1  I2  I3  I4 | total X
//   C1        1   1   1   0 |   3
//   C2        1   1   1   0 |   3
//   C3        1   1   0   1 |   3
//   C4        1   0   0   0 |   1
//   C5        0   0   0   1 |   1
//
// Facility F = mean mark / max mark:  I1 4/5 = 0.8, I2 3/5 = 0.6, I3 2/5 = 0.4, I4 2/5 = 0.4.
//
// Totals: mean 11/5 = 2.2, deviations (.8, .8, .8, -1.2, -1.2), Σd² = 3×.64 + 2×1.44 = 4.8,
// sample variance Var(X) = 4.8 / (5−1) = 1.2.
// Item sample variances: I1 (4×.2² + .8²)/4 = .8/4 = 0.2; I2, I3, I4 (2×.6²+3×.4² or 3×.6²+2×.4²)/4 = 1.2/4 = 0.3.
// ΣVar(x_i) = 0.2 + 3×0.3 = 1.1.
// Cronbach's alpha = p/(p−1)·(1 − ΣVar(x_i)/Var(X)) = 4/3 × (1 − 1.1/1.2) = 4/3 × 1/12 = 1/9 ≈ 0.1111.
// KR-20 with population variances gives the same: Σpq = .16 + 3×.24 = .88, σ²X = 4.8/5 = .96,
// 4/3 × (1 − .88/.96) = 1/9.
// Quiz mean on the 0–1 scale = 2.2/4 = 0.55; SD = √1.2 / 4 ≈ 0.27386; SEM = SD·√(1 − α) = 0.27386 × √(8/9) ≈ 0.25820.
//
// Discrimination D = corr(x_i, rest_i), rest_i = X − x_i (Σ over deviations; the n's cancel):
//   I1: x (1,1,1,1,0) mean .8, rest (2,2,2,0,1) mean 1.4
//       dx (.2,.2,.2,.2,-.8), dr (.6,.6,.6,-1.4,-.4)
//       Σdx·dr = .12+.12+.12-.28+.32 = .40; Σdx² = .8; Σdr² = 3×.36 + 1.96 + .16 = 3.2
//       D = .4 / √(.8×3.2) = .4 / 1.6 = 0.25
//   I2: x (1,1,1,0,0) mean .6, rest (2,2,2,1,1) mean 1.6
//       dx (.4,.4,.4,-.6,-.6), dr (.4,.4,.4,-.6,-.6) — identical deviations
//       D = 1.2 / √(1.2×1.2) = 1.0
//   I3: x (1,1,0,0,0) mean .4, rest (2,2,3,1,1) mean 1.8
//       dx (.6,.6,-.4,-.4,-.4), dr (.2,.2,1.2,-.8,-.8)
//       Σdx·dr = .12+.12-.48+.32+.32 = .40; Σdx² = 1.2; Σdr² = .04+.04+1.44+.64+.64 = 2.8
//       D = .4 / √3.36 ≈ .4 / 1.83303 ≈ 0.21822
//   I4: x (0,0,1,0,1) mean .4, rest (3,3,2,1,0) mean 1.8
//       dx (-.4,-.4,.6,-.4,.6), dr (1.2,1.2,.2,-.8,-1.8)
//       Σdx·dr = -.48-.48+.12+.32-1.08 = -1.60; Σdx² = 1.2; Σdr² = 1.44+1.44+.04+.64+3.24 = 6.8
//       D = -1.6 / √8.16 ≈ -1.6 / 2.85657 ≈ -0.56011  → flagged: negative discrimination
//
// Options (key 'a' everywhere) and who chose what:
//   I1 options a,b:      C1–C4 a, C5 b                 → every distractor used
//   I2 options a,b,c:    C1–C3 a, C4 b, C5 c           → every distractor used
//   I3 options a,b,c,d:  C1,C2 a, C3 b, C4 c, C5 b     → d never chosen → flagged: unused distractor
//   I4 options a,b,c:    C3,C5 a, C1 b, C2 c, C4 b     → every distractor used
// No facility is above 0.95 or below 0.10.
const marks = [
  [1, 1, 1, 0],
  [1, 1, 1, 0],
  [1, 1, 0, 1],
  [1, 0, 0, 0],
  [0, 0, 0, 1],
];
const choices = [
  ['a', 'a', 'a', 'b'],
  ['a', 'a', 'a', 'c'],
  ['a', 'a', 'b', 'a'],
  ['a', 'b', 'c', 'b'],
  ['b', 'c', 'b', 'a'],
];
const items = [
  { id: 'I1', optionIds: ['a', 'b'], correct: ['a'] },
  { id: 'I2', optionIds: ['a', 'b', 'c'], correct: ['a'] },
  { id: 'I3', optionIds: ['a', 'b', 'c', 'd'], correct: ['a'] },
  { id: 'I4', optionIds: ['a', 'b', 'c'], correct: ['a'] },
];
const attempts: ItemResponse[][] = marks.map((row, c) =>
  row.map((mark, i) => ({ itemId: items[i]!.id, mark, chosen: [choices[c]![i]!] })),
);

describe('item statistics (hand-computed 5 × 4 fixture)', () => {
  const sums = accumulateItemSums(attempts);
  const stats = items.map((item) => {
    const s = sums.get(item.id)!;
    const facility = facilityOf(s);
    const discrimination = discriminationOf(s);
    return {
      id: item.id,
      facility,
      discrimination,
      options: s.options,
      flags: flagsFor({ n: s.n, facility, discrimination, options: s.options }, item),
    };
  });

  it('computes facility as the mean mark over the max mark', () => {
    expect(stats.map((s) => s.facility)).toEqual([0.8, 0.6, 0.4, 0.4]);
  });

  it('computes discrimination as the correlation of the item with the rest of the test', () => {
    const d = stats.map((s) => s.discrimination!);
    expect(d[0]).toBeCloseTo(0.25, 10);
    expect(d[1]).toBeCloseTo(1.0, 10);
    expect(d[2]).toBeCloseTo(0.4 / Math.sqrt(3.36), 10);
    expect(d[2]).toBeCloseTo(0.21822, 5);
    expect(d[3]).toBeCloseTo(-1.6 / Math.sqrt(8.16), 10);
    expect(d[3]).toBeCloseTo(-0.56011, 5);
  });

  it('counts option frequencies', () => {
    expect(stats[0]!.options).toEqual({ a: 4, b: 1 });
    expect(stats[2]!.options).toEqual({ a: 2, b: 2, c: 1 });
    expect(stats[3]!.options).toEqual({ a: 2, b: 2, c: 1 });
  });

  it('flags negative discrimination and a distractor nobody picks', () => {
    expect(stats.map((s) => s.flags)).toEqual([[], [], ['unused-distractor'], ['negative-discrimination']]);
  });

  it("computes Cronbach's alpha (KR-20 for 0/1 marks), the mean, SD and SEM of the quiz", () => {
    const t = testStatistics(marks);
    expect(t.attempts).toBe(5);
    expect(t.items).toBe(4);
    expect(t.alpha).toBeCloseTo(1 / 9, 10);
    expect(t.mean).toBeCloseTo(0.55, 10);
    expect(t.sd).toBeCloseTo(Math.sqrt(1.2) / 4, 10);
    expect(t.sem).toBeCloseTo(0.2582, 4);
  });

  it('adds up across assessments: merged sums equal the sums of the whole', () => {
    const first = accumulateItemSums(attempts.slice(0, 2));
    const second = accumulateItemSums(attempts.slice(2));
    const merged = mergeSums(first.get('I4') ?? emptySums(), second.get('I4') ?? emptySums());
    expect(discriminationOf(merged)).toBeCloseTo(stats[3]!.discrimination!, 12);
    expect(facilityOf(merged)).toBe(0.4);
  });

  it('flags too easy and too hard items, never with too few attempts, and has no D without spread', () => {
    const item = { optionIds: ['a', 'b'], correct: ['a'] };
    const used = { a: 1, b: 1 };
    expect(flagsFor({ n: 20, facility: 0.97, discrimination: 0.2, options: used }, item)).toEqual([
      'too-easy',
    ]);
    expect(flagsFor({ n: 20, facility: 0.05, discrimination: 0.2, options: used }, item)).toEqual([
      'too-hard',
    ]);
    expect(flagsFor({ n: 4, facility: 0.05, discrimination: -0.5, options: {} }, item)).toEqual([]);
    const flat = accumulateItemSums([
      [
        { itemId: 'x', mark: 1, chosen: ['a'] },
        { itemId: 'y', mark: 0, chosen: [] },
      ],
      [
        { itemId: 'x', mark: 1, chosen: ['a'] },
        { itemId: 'y', mark: 1, chosen: ['a'] },
      ],
    ]);
    expect(discriminationOf(flat.get('x')!)).toBeNull();
    expect(flat.get('y')!.options).toEqual({ '': 1, a: 1 });
  });

  it('takes the median', () => {
    expect(median([])).toBeNull();
    expect(median([0.3, 0.1, 0.2])).toBe(0.2);
    expect(median([0.4, 0.1, 0.2, 0.3])).toBeCloseTo(0.25, 12);
  });
});
