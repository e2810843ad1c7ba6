// The simulated candidates' answers: a two-parameter logistic (2PL) ability model on a fixed draw.
// Each candidate has an ability θ ~ N(0, 1); each question a difficulty b from its level and a
// discrimination a from a hash of its id, and P(correct) = 1 / (1 + exp(−a(θ − b))). Everything is
// seeded, so the demo looks the same every time it is generated.
import { createHash } from 'node:crypto';
import type { Rng } from '../assessments/draw.js';

export const difficultyB = { easy: -1, medium: 0, hard: 1 } as const;

export function probabilityCorrect(theta: number, a: number, b: number): number {
  return 1 / (1 + Math.exp(-a * (theta - b)));
}

/** A standard normal draw (Box–Muller). */
export function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function unit(id: string, salt: string): number {
  return createHash('sha256').update(`${salt}:${id}`).digest().readUInt32LE(0) / 4294967296;
}

/**
 * The question's discrimination: mostly between 0.6 and 2; one question in twenty is a "bad" item
 * (negative a), so the item statistics have something to flag, as real banks do.
 */
export function discriminationOf(questionId: string): number {
  if (unit(questionId, 'bad') < 0.05) return -0.7;
  return 0.6 + 1.4 * unit(questionId, 'a');
}

export type SimItem = {
  questionId: string;
  kind: 'single' | 'multiple';
  difficulty: keyof typeof difficultyB;
  optionIds: readonly string[];
  correct: readonly string[];
};

/**
 * One simulated answer: the key when the model says correct; otherwise a plausible wrong answer,
 * with distractors drawn unevenly (the first wrong option most often, as with real questions), and
 * now and then no answer at all.
 */
export function simulateAnswer(rng: Rng, theta: number, item: SimItem): string[] {
  const p = probabilityCorrect(theta, discriminationOf(item.questionId), difficultyB[item.difficulty]);
  const right = rng() < p;
  const key = new Set(item.correct);
  const distractors = item.optionIds.filter((o) => !key.has(o));
  if (right) return [...item.correct];
  if (rng() < 0.04) return [];
  const pick = () => {
    if (!distractors.length) return undefined;
    const r = rng();
    const i = r < 0.6 ? 0 : r < 0.9 ? 1 : 2;
    return distractors[Math.min(i, distractors.length - 1)];
  };
  if (item.kind === 'single') {
    const d = pick();
    return d ? [d] : [];
  }
  // Multiple: part of the key, sometimes with a distractor.
  const partial = item.correct.slice(0, Math.max(0, item.correct.length - 1));
  const d = rng() < 0.5 ? pick() : undefined;
  return d ? [...partial, d] : partial;
}
