// The draw on synthetic pools: exact subtopic counts, difficulty within ±1, reproducible per seed,
// pinned questions counted toward their subtopic, and every question reachable.
import { describe, expect, it } from 'vitest';
import { type Difficulty, difficulties, subtopicIds } from '../bank/bank.model.js';
import { planCellCounts } from '../bank/draw-plan.js';
import {
  drawFromPool,
  type PoolQuestion,
  planSectionDraw,
  type QuizDrawSpec,
  resolveSectionWeights,
  seededRng,
  shortagesOf,
} from './draw.js';

/** `perCell` questions in every subtopic × difficulty cell. */
function pool(perCell: number | ((s: string, d: Difficulty) => number)): PoolQuestion[] {
  const out: PoolQuestion[] = [];
  for (const s of subtopicIds)
    for (const d of difficulties) {
      const n = typeof perCell === 'number' ? perCell : perCell(s, d);
      for (let i = 0; i < n; i++) {
        const id = `${s}-${d}-${String(i).padStart(3, '0')}`;
        out.push({ questionId: id, versionId: `v-${id}`, subtopic: s, difficulty: d });
      }
    }
  return out;
}

type SubtopicWeights = QuizDrawSpec['subtopicWeights'];
const weights = (w: Partial<SubtopicWeights>) =>
  Object.fromEntries(subtopicIds.map((s) => [s, w[s] ?? 0])) as SubtopicWeights;

const specs: Array<[string, QuizDrawSpec]> = [
  [
    'back-end engineer',
    {
      subtopicWeights: weights({
        'server-side-languages': 20,
        databases: 20,
        'api-integration': 20,
        'server-management': 10,
        'security-auth': 15,
        'caching-performance': 15,
      }),
      difficulty: { easy: 20, medium: 50, hard: 30 },
      questionCount: 35,
      pinnedQuestionIds: [],
    },
  ],
  [
    'uneven thirds',
    {
      subtopicWeights: weights({ databases: 34, 'security-auth': 33, 'api-integration': 33 }),
      difficulty: { easy: 33, medium: 34, hard: 33 },
      questionCount: 7,
      pinnedQuestionIds: [],
    },
  ],
  [
    'one subtopic',
    {
      subtopicWeights: weights({ databases: 100 }),
      difficulty: { easy: 10, medium: 10, hard: 80 },
      questionCount: 11,
      pinnedQuestionIds: [],
    },
  ],
];

const countBy = <T>(items: T[], key: (t: T) => string) => {
  const m: Record<string, number> = {};
  for (const i of items) m[key(i)] = (m[key(i)] ?? 0) + 1;
  return m;
};

describe('drawFromPool', () => {
  const big = pool(40);

  it.each(specs)('draws subtopic counts exactly by largest remainder (%s)', (_name, spec) => {
    for (let seed = 0; seed < 50; seed++) {
      const { questions } = drawFromPool(spec, big, `seed-${seed}`);
      expect(questions).toHaveLength(spec.questionCount);
      expect(new Set(questions.map((q) => q.questionId)).size).toBe(spec.questionCount);
      const bySubtopic = countBy(questions, (q) => q.subtopic);
      for (const s of subtopicIds) {
        const exact = (spec.questionCount * (spec.subtopicWeights[s] ?? 0)) / 100;
        const n = bySubtopic[s] ?? 0;
        expect(n === Math.floor(exact) || n === Math.ceil(exact)).toBe(true);
        expect(n).toBe(
          planCellCounts(spec.subtopicWeights, spec.difficulty, spec.questionCount).bySubtopic[s],
        );
      }
    }
  });

  it.each(specs)('keeps each difficulty within ±1 of the mix (%s)', (_name, spec) => {
    for (let seed = 0; seed < 50; seed++) {
      const byDifficulty = countBy(drawFromPool(spec, big, `s${seed}`).questions, (q) => q.difficulty);
      for (const d of difficulties) {
        const exact = (spec.questionCount * spec.difficulty[d]) / 100;
        expect(Math.abs((byDifficulty[d] ?? 0) - exact)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('gives the same draw for the same seed, and different draws for different seeds', () => {
    const spec = specs[0]![1];
    const a = drawFromPool(spec, big, 'candidate-1').questions.map((q) => q.questionId);
    const b = drawFromPool(spec, [...big].reverse(), 'candidate-1').questions.map((q) => q.questionId);
    const c = drawFromPool(spec, big, 'candidate-2').questions.map((q) => q.questionId);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('includes pinned questions and counts them toward their subtopic', () => {
    const spec: QuizDrawSpec = {
      ...specs[0]![1],
      pinnedQuestionIds: [
        'databases-hard-000',
        'databases-hard-001',
        'databases-easy-005',
        'security-auth-hard-002',
      ],
    };
    const planned = planCellCounts(spec.subtopicWeights, spec.difficulty, spec.questionCount);
    for (let seed = 0; seed < 50; seed++) {
      const { questions } = drawFromPool(spec, big, `p${seed}`);
      const ids = questions.map((q) => q.questionId);
      expect(ids.slice(0, 4)).toEqual(spec.pinnedQuestionIds);
      expect(new Set(ids).size).toBe(spec.questionCount);
      expect(countBy(questions, (q) => q.subtopic)).toEqual(
        Object.fromEntries(Object.entries(planned.bySubtopic).filter(([, n]) => n > 0)),
      );
      const byDifficulty = countBy(questions, (q) => q.difficulty);
      for (const d of difficulties)
        expect(
          Math.abs((byDifficulty[d] ?? 0) - (spec.questionCount * spec.difficulty[d]) / 100),
        ).toBeLessThanOrEqual(1);
    }
  });

  it('moves a pinned question into its subtopic when its own cell draws nothing, keeping the difficulty totals', () => {
    // databases draws 7 of 35 at 20/50/30: 1–2 easy. Pin three easy ones.
    const spec: QuizDrawSpec = {
      ...specs[0]![1],
      pinnedQuestionIds: ['databases-easy-000', 'databases-easy-001', 'databases-easy-002'],
    };
    const planned = planCellCounts(spec.subtopicWeights, spec.difficulty, spec.questionCount);
    const { questions, plan } = drawFromPool(spec, big, 'x');
    expect(plan.problems).toEqual([]);
    expect(countBy(questions, (q) => q.subtopic).databases).toBe(planned.bySubtopic.databases);
    expect(countBy(questions, (q) => q.difficulty)).toEqual(planned.byDifficulty);
  });

  it('reports pinned questions it cannot use', () => {
    const spec: QuizDrawSpec = {
      subtopicWeights: weights({ databases: 100 }),
      difficulty: { easy: 100, medium: 0, hard: 0 },
      questionCount: 2,
      pinnedQuestionIds: ['nope', 'databases-easy-000', 'databases-easy-001', 'databases-easy-002'],
    };
    const plan = planSectionDraw(spec, big);
    expect(plan.problems.map((p) => [p.code, p.questionId])).toEqual([
      ['PINNED_NOT_AVAILABLE', 'nope'],
      ['PINNED_OVER_SUBTOPIC', 'databases-easy-002'],
    ]);
  });

  it('draws every question of a cell at least once over 1,000 draws', () => {
    const spec = specs[0]![1];
    const plan = planCellCounts(spec.subtopicWeights, spec.difficulty, spec.questionCount);
    // Each cell holds exactly twice what it draws: the smallest pool the draw check accepts.
    const need = new Map(plan.cells.map((c) => [`${c.subtopic}|${c.difficulty}`, c.count * 2]));
    const tight = pool((s, d) => need.get(`${s}|${d}`) ?? 0);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++)
      for (const q of drawFromPool(spec, tight, `r${i}`).questions) seen.add(q.questionId);
    expect(seen.size).toBe(tight.length);
  });

  it('finds the cells that hold less than twice what they draw', () => {
    const spec: QuizDrawSpec = {
      subtopicWeights: weights({ databases: 50, 'security-auth': 50 }),
      difficulty: { easy: 50, medium: 50, hard: 0 },
      questionCount: 8,
      pinnedQuestionIds: ['databases-easy-000'],
    };
    // databases: 2 easy + 2 medium; security-auth: 2 easy + 2 medium. The pinned one takes an easy place.
    const p = pool((s, d) =>
      s === 'databases' && d === 'easy' ? 2 : s === 'security-auth' && d === 'medium' ? 3 : 9,
    );
    expect(shortagesOf(planSectionDraw(spec, p))).toEqual([
      // One easy question is left to draw; the pool without the pinned one holds 1.
      { subtopic: 'databases', difficulty: 'easy', needed: 2, available: 1 },
      { subtopic: 'security-auth', difficulty: 'medium', needed: 4, available: 3 },
    ]);
  });
});

describe('seededRng', () => {
  it('is reproducible and spreads over [0, 1)', () => {
    const a = seededRng('x');
    const b = seededRng('x');
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.filter((x) => x < 0.5).length).toBeGreaterThan(400);
  });
});

describe('resolveSectionWeights', () => {
  it('uses time limits when no section has a weight', () => {
    expect(
      resolveSectionWeights([
        { weight: null, minutes: 30 },
        { weight: null, minutes: 90 },
      ]),
    ).toEqual([0.25, 0.75]);
  });
  it('normalises explicit weights and shares what is left by time', () => {
    expect(
      resolveSectionWeights([
        { weight: 60, minutes: 30 },
        { weight: 20, minutes: 10 },
      ]),
    ).toEqual([0.75, 0.25]);
    const mixed = resolveSectionWeights([
      { weight: 50, minutes: 30 },
      { weight: null, minutes: 10 },
      { weight: null, minutes: 30 },
    ]);
    expect(mixed.map((w) => Math.round(w * 1000) / 1000)).toEqual([0.5, 0.125, 0.375]);
  });
  it('falls back to time when every weight is zero', () => {
    expect(
      resolveSectionWeights([
        { weight: 0, minutes: 20 },
        { weight: 0, minutes: 20 },
      ]),
    ).toEqual([0.5, 0.5]);
  });
});
