// Runs the scorecard's checks inside `npm test`, at test scale: each figure must hold its threshold,
// and a failure prints what went wrong.
import { expect } from 'vitest';
import type { Figure } from '../../security/lib/figures.js';
import type { CheckContext } from '../../security/lib/world.js';
import type { Dialect } from '../db/database.js';

export function testContext(dialect: Dialect): CheckContext {
  return { dialect, scale: 'test', seed: Number(process.env.ASSAY_SEED ?? 42), log: () => {} };
}

export function expectFigures(figures: Figure[]): void {
  expect(figures.length).toBeGreaterThan(0);
  const failed = figures
    .filter((f) => !f.pass)
    .map(
      (f) =>
        `${f.id} ${f.text} (threshold ${f.threshold})${f.details.length ? `\n    ${f.details.join('\n    ')}` : ''}`,
    );
  expect(failed, failed.join('\n')).toEqual([]);
}
