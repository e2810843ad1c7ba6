// Confidentiality of answers and results (security/checks/leakage.ts) at test scale.
import { describe, it } from 'vitest';
import { answerKeyCrawl, errorBodies, questionScraping } from '../../security/checks/leakage.js';
import { dialects } from '../test/harness.js';
import { expectFigures, testContext } from './support.js';

describe.each(dialects)('answers and results stay confidential (%s)', (dialect) => {
  const c = testContext(dialect);
  it('G1: no candidate response, page or script carries an answer key', async () => {
    expectFigures(await answerKeyCrawl(c));
  }, 120_000);
  it('G2: results wait for the feedback policy; error bodies never show internals', async () => {
    expectFigures(await errorBodies(c));
  }, 180_000);
  it("G3: a candidate is served only their current section's questions", async () => {
    expectFigures(await questionScraping(c));
  }, 120_000);
});
