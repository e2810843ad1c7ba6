import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { difficulties } from './bank.model.js';
import { apportion, planCellCounts } from './draw-plan.js';

describe('apportion (largest remainder)', () => {
  it('gives each share the floor or ceiling of its quota and sums to the total', () => {
    expect(
      Object.fromEntries(
        apportion(10, [
          ['a', 33],
          ['b', 33],
          ['c', 34],
        ]),
      ),
    ).toEqual({ a: 3, b: 3, c: 4 });
    expect(
      Object.fromEntries(
        apportion(7, [
          ['a', 50],
          ['b', 50],
        ]),
      ),
    ).toEqual({ a: 4, b: 3 });
    expect(
      Object.fromEntries(
        apportion(5, [
          ['a', 0],
          ['b', 100],
        ]),
      ),
    ).toEqual({ a: 0, b: 5 });
  });
});

describe('planCellCounts', () => {
  it('splits the back-end engineer template as the validator and draws expect', () => {
    const plan = planCellCounts(
      {
        'server-side-languages': 20,
        databases: 20,
        'api-integration': 20,
        'server-management': 10,
        'security-auth': 15,
        'caching-performance': 15,
      },
      { easy: 20, medium: 50, hard: 30 },
      35,
    );
    expect(plan.bySubtopic).toEqual({
      'server-side-languages': 7,
      databases: 7,
      'api-integration': 7,
      'server-management': 4,
      'security-auth': 5,
      'caching-performance': 5,
    });
    expect(plan.byDifficulty).toEqual({ easy: 7, medium: 18, hard: 10 });
    expect(plan.cells.reduce((n, c) => n + c.count, 0)).toBe(35);
  });

  it('leaves out subtopics and difficulties with no weight', () => {
    const plan = planCellCounts(
      { databases: 100, 'server-management': 0 },
      { easy: 100, medium: 0, hard: 0 },
      3,
    );
    expect(plan.cells).toEqual([{ subtopic: 'databases', difficulty: 'easy', count: 3 }]);
    expect(plan.bySubtopic).toEqual({ databases: 3, 'server-management': 0 });
  });

  it('always balances: rows and columns sum exactly, every cell within ±1 of its exact share', () => {
    const subtopics = ['s1', 's2', 's3', 's4', 's5', 's6'];
    const percentages = (n: number) =>
      fc
        .array(fc.nat(100), { minLength: n, maxLength: n })
        .filter((a) => a.some((x) => x > 0))
        .map((a) => {
          // Scale to integers summing to 100, as the content rules require.
          const sum = a.reduce((s, x) => s + x, 0);
          const scaled = a.map((x) => Math.floor((100 * x) / sum));
          scaled[a.findIndex((x) => x > 0)]! += 100 - scaled.reduce((s, x) => s + x, 0);
          return scaled;
        });
    fc.assert(
      fc.property(percentages(6), percentages(3), fc.integer({ min: 1, max: 200 }), (w, m, count) => {
        const weights = Object.fromEntries(subtopics.map((s, i) => [s, w[i]!]));
        const mix = { easy: m[0]!, medium: m[1]!, hard: m[2]! };
        const plan = planCellCounts(weights, mix, count);
        const cell = (s: string, d: string) =>
          plan.cells.find((c) => c.subtopic === s && c.difficulty === d)?.count ?? 0;
        for (const s of subtopics) {
          expect(difficulties.reduce((n, d) => n + cell(s, d), 0)).toBe(plan.bySubtopic[s]);
          expect(Math.abs(plan.bySubtopic[s]! - (count * weights[s]!) / 100)).toBeLessThan(1);
          for (const d of difficulties) {
            const exact = (plan.bySubtopic[s]! * mix[d]) / 100;
            expect(Math.abs(cell(s, d) - exact)).toBeLessThanOrEqual(1);
          }
        }
        for (const d of difficulties) {
          expect(subtopics.reduce((n, s) => n + cell(s, d), 0)).toBe(plan.byDifficulty[d]);
          expect(Math.abs(plan.byDifficulty[d] - (count * mix[d]) / 100)).toBeLessThan(1);
        }
      }),
      { numRuns: 500 },
    );
  });
});
