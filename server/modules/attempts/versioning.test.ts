// An attempt points at question versions: editing a question after a candidate started changes
// neither the text they see nor how their answer is graded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, dialects, type TestApp } from '../../test/harness.js';
import { updateQuestion } from '../bank/bank.service.js';
import {
  asCandidate,
  createTestAssessment,
  createTestInvitation,
  createTestOrg,
  createTestQuestion,
  json,
  quizSection,
  startBrowser,
} from './attempts.factories.js';

describe.each(dialects)('question versions in attempts (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('keeps the started attempt on the version it drew, for display and for grading', async () => {
    const org = await createTestOrg(t.ctx);
    // Two questions in the cell, so the draw check's 2× rule holds; the quiz draws one of them.
    await createTestQuestion(t.ctx, org, { correct: ['a'] });
    await createTestQuestion(t.ctx, org, { correct: ['a'] });
    const assessmentId = await createTestAssessment(t.ctx, org, [
      quizSection('quiz', 1, { shuffleOptions: false }),
    ]);
    const inv = await createTestInvitation(t.ctx, org, assessmentId);
    const candidate = asCandidate(t, await startBrowser(t, inv.token));

    const before = await candidate.state();
    const item = before.current.items[0];
    const drawnId = (
      await t.ctx.db
        .selectFrom('question_versions as v')
        .innerJoin('questions as q', 'q.id', 'v.question_id')
        .select('q.id')
        .where('v.stem', '=', item.stem)
        .where('q.org_id', '=', org.orgId)
        .executeTakeFirstOrThrow()
    ).id;

    // The candidate answers 'a', right under the version they were given.
    expect((await candidate.answer(item.key, ['a'], 1)).statusCode).toBe(200);

    // Staff now rewrite the question: a new stem, and 'b' becomes the key.
    await updateQuestion(
      t.ctx,
      org.actor,
      drawnId,
      { stem: 'A rewritten stem that the candidate must not see', correct: ['b'] },
      { ip: '127.0.0.1', requestId: 'test', userAgent: null },
    );
    const versions = await t.ctx.db
      .selectFrom('question_versions')
      .select('version')
      .where('question_id', '=', drawnId)
      .execute();
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2]);

    const after = await candidate.state();
    expect(after.current.items[0].stem).toBe(item.stem);
    expect(JSON.stringify(after)).not.toContain('rewritten stem');

    json(await candidate.post('/api/v1/take/submit', {}));
    await t.runJobs();
    const attempt = await t.ctx.db
      .selectFrom('attempts')
      .select(['status', 'score'])
      .where('invitation_id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    expect(attempt.status).toBe('graded');
    expect(attempt.score).toBe(1);
  });
});
