import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../../app.js';
import { addMember, PASSWORD } from '../../test/factories.js';
import { createTestApp, dialects, signInAgent, type TestApp } from '../../test/harness.js';
import { json } from '../attempts/attempts.factories.js';
import {
  attemptOf,
  call,
  inviteCandidate,
  resultsScenario,
  type Scenario,
  takeAssessment,
} from '../results/test-scenario.js';
import { combineReviews, scoreAgainstRubric } from './reviews.service.js';

const all = (level: number) => ({ model: level, keys: level, indexes: level });

function numbersIn(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(numbersIn);
  if (v && typeof v === 'object') return Object.values(v).flatMap(numbersIn);
  return [];
}
const showsQuizScore = (v: unknown) => numbersIn(v).some((n) => Math.abs(n - 0.75) < 1e-9);

describe('rubric scoring and combining reviews', () => {
  const level = (score: number) => ({ score, descriptor: `L${score}` });
  const rubric = ['a', 'b', 'c'].map((id) => ({ id, name: id, levels: [level(0), level(1), level(2)] }));

  it('normalises a review by the best level of each criterion', () => {
    expect(scoreAgainstRubric(rubric, { a: 2, b: 1, c: 0 }).total).toBe(0.5);
    expect(scoreAgainstRubric(rubric, { a: 2, b: 2, c: 2 }).total).toBe(1);
  });

  it('refuses scores that do not match the rubric', () => {
    expect(() => scoreAgainstRubric(rubric, { a: 2, b: 1 })).toThrow(/rubric/);
    expect(() => scoreAgainstRubric(rubric, { a: 2, b: 1, c: 3 })).toThrow(/rubric/);
    expect(() => scoreAgainstRubric(rubric, { a: 2, b: 1, c: 1, d: 1 })).toThrow(/rubric/);
  });

  it('takes the mean of the totals and flags a spread past the threshold', () => {
    expect(combineReviews([1, 0], 0.25)).toEqual({ score: 0.5, disagreement: true });
    expect(combineReviews([1, 0.75], 0.25)).toEqual({ score: 0.875, disagreement: false });
    expect(combineReviews([0.5], 0)).toEqual({ score: 0.5, disagreement: false });
  });
});

describe.each(dialects)('reviews (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  const markers = {
    name: 'Zelda Blindtest',
    email: 'zelda.blindtest@example.com',
    externalId: 'EXT-BLIND-4242',
    fileName: 'zelda-blindtest-solution.sql',
  };

  async function submittedCandidate(s: Scenario, correct = 3, who = markers) {
    const inv = await inviteCandidate(t, s, who);
    await takeAssessment(t, inv.token, { correct, fileName: who.fileName });
    await t.runJobs();
    const attempt = await attemptOf(t, inv.invitationId);
    const item = await t.ctx.db
      .selectFrom('review_items')
      .selectAll()
      .where('attempt_id', '=', attempt.id)
      .executeTakeFirstOrThrow();
    return { inv, attempt, item };
  }

  it('keeps every reviewer response blind until the reviewer has submitted, and identity blind always', async () => {
    const s = await resultsScenario(t, { reviewersRequired: 2 });
    const { inv, attempt, item } = await submittedCandidate(s, 3);
    expect(attempt.status).toBe('awaiting_review');
    expect(attempt.score).toBeCloseTo(0.75, 10);
    const upload = await t.ctx.db
      .selectFrom('uploads')
      .select(['id', 'display_name'])
      .where('attempt_id', '=', attempt.id)
      .executeTakeFirstOrThrow();
    expect(upload.display_name).toBe(markers.fileName);

    // A first reviewer (a recruiter) reviews, with a comment the others must not see yet.
    const first = call(t, s.agents.recruiter);
    json(
      await first.post(`/api/v1/reviews/items/${item.id}/review`, {
        scores: all(2),
        comment: 'FIRST-REVIEWER-SECRET-COMMENT',
      }),
      201,
    );

    // Crawl every reviewer GET route as the reviewer, before their own review.
    const reviewer = call(t, s.agents.reviewer);
    const ids: Record<string, string> = { reviewItemId: item.id, uploadId: upload.id };
    const forbidden = [
      markers.name,
      markers.email,
      markers.externalId,
      markers.fileName,
      inv.candidateId,
      inv.invitationId,
      attempt.id,
      'FIRST-REVIEWER-SECRET-COMMENT',
    ];
    const reviewerGets = routesOf(t.app).filter(
      (r) =>
        r.method === 'GET' &&
        r.access?.kind === 'staff' &&
        r.access.permission === 'reviews.perform' &&
        r.url.startsWith('/api/v1/'),
    );
    expect(reviewerGets.length).toBeGreaterThanOrEqual(4);
    const seen: string[] = [];
    for (const r of reviewerGets) {
      const url = r.url.replace(/:(\w+)/g, (_, k: string) => ids[k] ?? 'missing');
      const res = await reviewer.get(url);
      expect(res.statusCode, url).toBe(200);
      const text = `${JSON.stringify(res.headers)}\n${res.body}`;
      for (const m of forbidden) expect(text, `${url} leaks ${m}`).not.toContain(m);
      // The quiz score (0.75) appears nowhere as a value.
      if (String(res.headers['content-type']).startsWith('application/json'))
        expect(showsQuizScore(res.json()), `${url} shows the quiz score`).toBe(false);
      seen.push(url);
    }
    expect(seen).toContain('/api/v1/reviews/queue');
    const view = json(await reviewer.get(`/api/v1/reviews/items/${item.id}`));
    expect(view.others).toBeNull();
    expect(view.outcome).toBeNull();
    expect(view.task.reviewerNotes).toContain('SECRET-REVIEWER-NOTES');
    expect(view.task.rubric).toHaveLength(3);
    expect(view.files).toEqual([
      expect.objectContaining({ id: upload.id, label: 'submission-1.sql', size: 10 }),
    ]);
    const file = await reviewer.get(`/api/v1/reviews/items/${item.id}/files/${upload.id}`);
    expect(file.headers['content-disposition']).toBe('attachment; filename="submission-1.sql"');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-type']).toBe('application/octet-stream');
    expect(file.body).toBe('select 1;\n');

    // After their own review: the other reviewer's scores, never anyone's identity.
    const after = await reviewer.post(`/api/v1/reviews/items/${item.id}/review`, {
      scores: all(0),
      comment: 'Second look',
    });
    expect(after.statusCode).toBe(201);
    for (const m of forbidden.slice(0, 7)) expect(after.body).not.toContain(m);
    expect(showsQuizScore(after.json())).toBe(false);
    const mine = after.json();
    expect(mine.others).toEqual([
      { label: 'Reviewer 1', scores: all(2), total: 1, comment: 'FIRST-REVIEWER-SECRET-COMMENT' },
    ]);
    expect(mine.outcome).toEqual({ score: 0.5, disagreement: true });
    const edited = await reviewer.patch(`/api/v1/reviews/items/${item.id}/review`, {
      scores: all(1),
      comment: 'Changed my mind',
    });
    for (const m of forbidden.slice(0, 7)) expect(edited.body).not.toContain(m);
  });

  it('grades the attempt once the last required review lands: score, events, percentile, one email', async () => {
    const s = await resultsScenario(t, { reviewersRequired: 2, settings: { feedbackPolicy: 'overall' } });
    const { inv, attempt, item } = await submittedCandidate(s, 3, {
      ...markers,
      email: 'graded.once@example.com',
    });
    const recruiter = call(t, s.agents.recruiter);
    const reviewer = call(t, s.agents.reviewer);
    json(await recruiter.post(`/api/v1/reviews/items/${item.id}/review`, { scores: all(2) }), 201);
    expect((await attemptOf(t, inv.invitationId)).status).toBe('awaiting_review');
    // The item left the first reviewer's queue, not the second's.
    expect(
      json(await recruiter.get('/api/v1/reviews/queue')).items.map((i: { id: string }) => i.id),
    ).not.toContain(item.id);
    expect(
      json(await reviewer.get('/api/v1/reviews/queue')).items.map((i: { id: string }) => i.id),
    ).toContain(item.id);
    json(
      await reviewer.post(`/api/v1/reviews/items/${item.id}/review`, {
        scores: { model: 2, keys: 2, indexes: 1 },
      }),
      201,
    );

    const graded = await attemptOf(t, inv.invitationId);
    expect(graded.status).toBe('graded');
    // Upload section: mean of 1 and 5/6; sections weighted by time (quiz 10 min, upload 20 min).
    const section = (1 + 5 / 6) / 2;
    expect(graded.score).toBeCloseTo(0.75 / 3 + (section * 2) / 3, 5);
    const itemRow = await t.ctx.db
      .selectFrom('review_items')
      .selectAll()
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
    expect(itemRow).toMatchObject({ state: 'complete', reviews_done: 2, disagreement: 0 });
    expect(itemRow.score).toBeCloseTo(section, 10);

    const events = await t.ctx.db
      .selectFrom('events')
      .select(['type', 'data'])
      .where('org_id', '=', s.orgId)
      .where('type', 'in', ['review.completed', 'attempt.graded'])
      .execute();
    expect(events.filter((e) => e.type === 'review.completed')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'attempt.graded')).toHaveLength(1);
    for (const e of events) expect(e.data).not.toContain(markers.name);
    // The webhook's link for review.completed: one review, for staff who read reviews.
    const reviewId = JSON.parse(events.find((e) => e.type === 'review.completed')!.data).reviewId as string;
    const review = json(await call(t, s.agents.owner).get(`/api/v1/reviews/${reviewId}`));
    expect(review).toMatchObject({
      id: reviewId,
      reviewItemId: item.id,
      attemptId: attempt.id,
      item: { state: 'complete', reviewsDone: 2 },
    });
    expect((await reviewer.get(`/api/v1/reviews/${reviewId}`)).statusCode).toBe(403);

    // Nobody can add a third review, and the queues are empty of it.
    expect(
      (await call(t, s.agents.admin).post(`/api/v1/reviews/items/${item.id}/review`, { scores: all(1) }))
        .statusCode,
    ).toBe(409);
    expect(json(await call(t, s.agents.admin).get('/api/v1/reviews/queue')).items).toHaveLength(0);

    // A second reviewer-role member can't open a finished item they never reviewed.
    const other = await addMember(t.ctx, s.orgId, 'reviewer');
    const otherAgent = call(t, await signInAgent(t.app, other.email, PASSWORD));
    expect((await otherAgent.get(`/api/v1/reviews/items/${item.id}`)).statusCode).toBe(404);

    // Jobs: the percentile refresh runs at the end of its minute; the result email goes once.
    t.clock.advance(61_000);
    await t.runJobs();
    expect((await attemptOf(t, inv.invitationId)).percentile).toBe(50);
    const mails = () =>
      t.ctx.db
        .selectFrom('emails')
        .select(['kind'])
        .where('to_address', '=', 'graded.once@example.com')
        .where('kind', '=', 'attempt.result')
        .execute();
    expect(await mails()).toHaveLength(1);

    // Editing a review re-scores the attempt (audited), but mails nobody again.
    json(
      await reviewer.patch(`/api/v1/reviews/items/${item.id}/review`, { scores: all(0), comment: 'Oops' }),
    );
    const rescored = await attemptOf(t, inv.invitationId);
    expect(rescored.score).toBeCloseTo(0.75 / 3 + (0.5 * 2) / 3, 5);
    const edited = await t.ctx.db
      .selectFrom('review_items')
      .select(['disagreement', 'score'])
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
    expect(edited).toEqual({ disagreement: 1, score: 0.5 });
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('org_id', '=', s.orgId)
      .where('action', '=', 'review.edited')
      .execute();
    expect(audit).toHaveLength(1);
    t.clock.advance(61_000);
    await t.runJobs();
    expect(await mails()).toHaveLength(1);
    expect((await attemptOf(t, inv.invitationId)).percentile).toBe(50);
    expect(json(await call(t, s.agents.owner).get(`/api/v1/invitations/${inv.invitationId}`)).status).toBe(
      'completed',
    );
  });

  it('validates reviews against the rubric and allows one per reviewer', async () => {
    const s = await resultsScenario(t, { reviewersRequired: 2 });
    const { item } = await submittedCandidate(s, 1, { ...markers, email: 'rubric@example.com' });
    const reviewer = call(t, s.agents.reviewer);
    const bad = await reviewer.post(`/api/v1/reviews/items/${item.id}/review`, {
      scores: { model: 2, keys: 9 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields).toMatchObject({
      'body.scores.keys': expect.stringContaining('0, 1, 2'),
      'body.scores.indexes': expect.any(String),
    });
    const unknown = await reviewer.post(`/api/v1/reviews/items/${item.id}/review`, {
      scores: { ...all(1), style: 1 },
    });
    expect(unknown.statusCode).toBe(400);
    json(await reviewer.post(`/api/v1/reviews/items/${item.id}/review`, { scores: all(1) }), 201);
    expect(
      (await reviewer.post(`/api/v1/reviews/items/${item.id}/review`, { scores: all(1) })).statusCode,
    ).toBe(409);
    expect(
      (await call(t, s.agents.recruiter).patch(`/api/v1/reviews/items/${item.id}/review`, { scores: all(1) }))
        .statusCode,
    ).toBe(404);
    const mine = json(await reviewer.get('/api/v1/reviews/mine'));
    expect(mine.items).toEqual([
      expect.objectContaining({ reviewItemId: item.id, total: 0.5, state: 'open' }),
    ]);
  });

  it('orders the queue oldest submission first and pages through it', async () => {
    const s = await resultsScenario(t);
    const first = await submittedCandidate(s, 2, { ...markers, email: 'q1@example.com' });
    t.clock.advance(60_000);
    const second = await submittedCandidate(s, 2, { ...markers, email: 'q2@example.com' });
    t.clock.advance(60_000);
    const third = await submittedCandidate(s, 2, { ...markers, email: 'q3@example.com' });
    const reviewer = call(t, s.agents.reviewer);
    const page1 = json(await reviewer.get('/api/v1/reviews/queue?limit=2'));
    expect(page1.items.map((i: { id: string }) => i.id)).toEqual([first.item.id, second.item.id]);
    const page2 = json(await reviewer.get(`/api/v1/reviews/queue?limit=2&cursor=${page1.nextCursor}`));
    expect(page2.items.map((i: { id: string }) => i.id)).toEqual([third.item.id]);
    expect(page2.nextCursor).toBeNull();
  });

  it("keeps a reviewer out of candidates, invitations and results (403), and the candidate's file name", async () => {
    const s = await resultsScenario(t);
    const { inv, attempt } = await submittedCandidate(s, 2, { ...markers, email: 'perm@example.com' });
    const upload = await t.ctx.db
      .selectFrom('uploads')
      .select('id')
      .where('attempt_id', '=', attempt.id)
      .executeTakeFirstOrThrow();
    const reviewer = call(t, s.agents.reviewer);
    for (const url of [
      '/api/v1/pipeline',
      `/api/v1/assessments/${s.assessmentId}/pipeline`,
      `/api/v1/assessments/${s.assessmentId}/invitations`,
      `/api/v1/invitations/${inv.invitationId}`,
      `/api/v1/invitations/${inv.invitationId}/notes`,
      `/api/v1/attempts/${attempt.id}`,
      `/api/v1/attempts/${attempt.id}/report`,
      `/api/v1/attempts/${attempt.id}/report.html`,
      `/api/v1/attempts/${attempt.id}/export.json`,
      `/api/v1/attempts/${attempt.id}/uploads/${upload.id}/download`,
      `/api/v1/compare?attemptIds=${attempt.id},${attempt.id}x`,
      `/api/v1/assessments/${s.assessmentId}/export.csv`,
      `/api/v1/assessments/${s.assessmentId}/item-stats`,
      '/api/v1/item-stats',
    ]) {
      const res = await reviewer.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.body).not.toContain(markers.name);
    }
    // The owner's download keeps the candidate's own file name.
    const owner = await call(t, s.agents.owner).get(
      `/api/v1/attempts/${attempt.id}/uploads/${upload.id}/download`,
    );
    expect(owner.statusCode).toBe(200);
    expect(String(owner.headers['content-disposition'])).toContain(markers.fileName);
  });
});
