import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgWithTeam } from '../../test/factories.js';
import { createTestApp, dialects, type TestApp } from '../../test/harness.js';
import { seededRng } from '../assessments/draw.js';
import { json } from '../attempts/attempts.factories.js';
import { call } from '../results/test-scenario.js';
import { normal, probabilityCorrect, simulateAnswer } from './ability-model.js';

describe('the 2PL ability model', () => {
  it('is a logistic curve in θ − b, steeper with a larger a', () => {
    expect(probabilityCorrect(0, 1, 0)).toBe(0.5);
    expect(probabilityCorrect(1, 1.5, 0)).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 12);
    expect(probabilityCorrect(2, 1, 0)).toBeGreaterThan(probabilityCorrect(0, 1, 0));
    expect(probabilityCorrect(1, 2, 0)).toBeGreaterThan(probabilityCorrect(1, 1, 0));
  });

  it('draws the same answers from the same seed, and more right ones for abler candidates', () => {
    const item = {
      questionId: 'q-1',
      kind: 'single' as const,
      difficulty: 'medium' as const,
      optionIds: ['a', 'b', 'c', 'd'],
      correct: ['a'],
    };
    const run = (theta: number) => {
      const rng = seededRng('model-test');
      return Array.from({ length: 400 }, () => simulateAnswer(rng, theta, item));
    };
    expect(run(0)).toEqual(run(0));
    const share = (answers: string[][]) => answers.filter((a) => a[0] === 'a').length / answers.length;
    expect(share(run(2))).toBeGreaterThan(share(run(0)));
    expect(share(run(0))).toBeGreaterThan(share(run(-2)));
    const thetas = Array.from(
      { length: 2000 },
      (
        (rng) => () =>
          normal(rng)
      )(seededRng('normal')),
    );
    const mean = thetas.reduce((a, b) => a + b, 0) / thetas.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
  });
});

describe.each(dialects)('demo (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { loadContent: true });
  });
  afterAll(() => t.close());

  it('fills the organization with candidates in every status, and removes all of it', async () => {
    const team = await orgWithTeam(t.app, t.ctx);
    const owner = call(t, team.agents.owner);
    expect((await call(t, team.agents.recruiter).post('/api/v1/demo')).statusCode).toBe(403);
    expect(json(await owner.get('/api/v1/demo'))).toEqual({
      present: false,
      assessmentId: null,
      candidates: 0,
    });

    const created = json(await owner.post('/api/v1/demo'), 201);
    expect(created).toMatchObject({ created: true, candidates: 60 });
    // Again: nothing changes.
    expect(json(await owner.post('/api/v1/demo'))).toMatchObject({
      created: false,
      assessmentId: created.assessmentId,
    });

    // The pipeline shows every status, all marked demo.
    const rows = json(await owner.get(`/api/v1/assessments/${created.assessmentId}/pipeline?limit=200`))
      .items as Array<{
      status: string;
      demo: boolean;
      candidate: { name: string; email: string };
      attemptId: string | null;
      percentile: number | null;
      stage: string;
    }>;
    expect(rows).toHaveLength(60);
    const statuses = new Set(rows.map((r) => r.status));
    for (const s of ['invited', 'opened', 'in_progress', 'completed', 'awaiting_review', 'graded', 'expired'])
      expect(statuses, s).toContain(s);
    expect(rows.every((r) => r.demo && r.candidate.name.startsWith('Demo — '))).toBe(true);
    expect(rows.every((r) => r.candidate.email.endsWith('@demo.assay.example'))).toBe(true);
    expect(rows.filter((r) => r.status === 'graded').every((r) => r.percentile !== null)).toBe(true);
    expect(new Set(rows.map((r) => r.stage)).size).toBeGreaterThanOrEqual(3);

    // A report of a graded candidate, with the demo's own benchmark and a review.
    const graded = rows.find((r) => r.status === 'graded')!;
    const report = json(await owner.get(`/api/v1/attempts/${graded.attemptId}/report`));
    expect(report.demo).toBe(true);
    expect(report.benchmark.gradedCount).toBe(24);
    expect(report.benchmark.median).not.toBeNull();
    expect(report.sections.find((s: { kind: string }) => s.kind === 'upload').review.reviews).toHaveLength(1);

    // The review queue holds the uploads awaiting review; item statistics are there already.
    const queue = json(await call(t, team.agents.reviewer).get('/api/v1/reviews/queue?limit=200'));
    expect(queue.items.length).toBeGreaterThanOrEqual(12);
    expect(queue.items.every((i: { demo: boolean }) => i.demo)).toBe(true);
    const stats = json(await owner.get(`/api/v1/assessments/${created.assessmentId}/item-stats?limit=200`));
    expect(stats.summary.attempts).toBe(36);
    expect(stats.summary.alpha).not.toBeNull();
    expect(stats.items.length).toBeGreaterThan(20);
    // Demo data never reaches live statistics, events or mail.
    expect(json(await owner.get('/api/v1/item-stats')).items).toEqual([]);
    const events = await t.ctx.db
      .selectFrom('events')
      .select('type')
      .where('org_id', '=', team.orgId)
      .execute();
    expect(events).toEqual([]);
    const mail = await t.ctx.db
      .selectFrom('emails')
      .select('id')
      .where('to_address', 'like', '%@demo.assay.example')
      .execute();
    expect(mail).toEqual([]);
    // Nothing happens to it when the jobs run.
    await t.runJobs();
    expect(
      json(await owner.get(`/api/v1/assessments/${created.assessmentId}/pipeline?status=in_progress`)).items,
    ).toHaveLength(6);

    const blobKeys = (
      await t.ctx.db.selectFrom('uploads').select('blob_key').where('org_id', '=', team.orgId).execute()
    ).map((u) => u.blob_key);
    expect(blobKeys.length).toBeGreaterThan(0);
    expect(await t.ctx.blobs.exists(blobKeys[0]!)).toBe(true);

    const attemptIds = (
      await t.ctx.db.selectFrom('attempts').select('id').where('org_id', '=', team.orgId).execute()
    ).map((a) => a.id);
    const removed = json(await owner.delete('/api/v1/demo'));
    expect(removed.removed).toMatchObject({ assessments: 1, candidates: 60 });
    for (const table of [
      'candidates',
      'invitations',
      'attempts',
      'uploads',
      'integrity_events',
      'review_items',
      'reviews',
      'candidate_notes',
      'item_stats',
      'assessment_stats',
      'role_benchmarks',
    ] as const) {
      const n = await t.ctx.db
        .selectFrom(table)
        .select(t.ctx.db.fn.countAll<number>().as('n'))
        .where('org_id', '=', team.orgId)
        .executeTakeFirstOrThrow();
      expect(Number(n.n), table).toBe(0);
    }
    expect(
      await t.ctx.db
        .selectFrom('answers')
        .select('attempt_id')
        .where('attempt_id', 'in', attemptIds)
        .execute(),
    ).toEqual([]);
    expect(
      await t.ctx.db.selectFrom('assessments').select('id').where('org_id', '=', team.orgId).execute(),
    ).toEqual([]);
    for (const key of blobKeys) expect(await t.ctx.blobs.exists(key)).toBe(false);
    expect(json(await owner.get('/api/v1/demo'))).toMatchObject({ present: false });
    // And it can be made again.
    expect(json(await owner.post('/api/v1/demo'), 201).created).toBe(true);
  }, 120_000);
});
