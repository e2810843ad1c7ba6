import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../../app.js';
import { hashToken } from '../../crypto.js';
import { PASSWORD } from '../../test/factories.js';
import { createTestApp, dialects, nextIp, signInAgent, type TestApp } from '../../test/harness.js';
import type { AssessmentSettings, Section } from '../assessments/assessment.model.js';
import type { QuestionKind } from '../bank/bank.model.js';
import { linkTokenIn } from '../invitations/test-helpers.js';
import {
  asCandidate,
  type Browser,
  createTestAssessment,
  createTestInvitation,
  createTestOrg,
  createTestQuestion,
  createTestUploadTask,
  filePart,
  json,
  quizSection,
  startBrowser,
  uploadSection,
} from './attempts.factories.js';

const GRACE_MS = 5_000;

describe.each(dialects)('attempts (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  async function quizSetup(
    opts: {
      kinds?: QuestionKind[];
      minutes?: number;
      extraTime?: number;
      settings?: Partial<AssessmentSettings>;
      section?: Partial<Section>;
    } = {},
  ) {
    const org = await createTestOrg(t.ctx);
    const kinds = opts.kinds ?? ['single', 'single', 'single', 'single'];
    const questions = [];
    for (const kind of kinds) questions.push(await createTestQuestion(t.ctx, org, { kind }));
    const assessmentId = await createTestAssessment(
      t.ctx,
      org,
      [quizSection('q', kinds.length, { minutes: opts.minutes ?? 10, ...opts.section })],
      opts.settings,
    );
    const inv = await createTestInvitation(t.ctx, org, assessmentId, { extraTime: opts.extraTime });
    return { org, assessmentId, inv, questions };
  }

  const attemptOf = (invitationId: string) =>
    t.ctx.db
      .selectFrom('attempts')
      .selectAll()
      .where('invitation_id', '=', invitationId)
      .executeTakeFirstOrThrow();
  const eventsOf = (type: string, subjectId: string) =>
    t.ctx.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', type)
      .where('subject_id', '=', subjectId)
      .execute();
  const mailsTo = (email: string) =>
    t.ctx.db.selectFrom('emails').selectAll().where('to_address', '=', email).execute();

  it('exchanges the link token for an HttpOnly candidate cookie and starts the clock once', async () => {
    const s = await quizSetup({ extraTime: 1.5 });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/take/start',
      payload: { token: s.inv.token },
      remoteAddress: nextIp(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ attemptUrl: '/take' });
    expect(res.body).not.toContain(s.inv.token);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^assay_candidate=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toContain(s.inv.token);
    const cookieValue = setCookie.split(';')[0]!.split('=')[1]!;

    // Only the hash of the cookie is stored; the session is the attempt's writer.
    const a = await attemptOf(s.inv.invitationId);
    const sessions = await t.ctx.db
      .selectFrom('candidate_sessions')
      .selectAll()
      .where('attempt_id', '=', a.id)
      .execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.token_hash).toBe(hashToken(cookieValue));
    expect(a.session_id).toBe(sessions[0]!.id);
    expect(a.status).toBe('in_progress');
    expect(a.extra_time).toBe(1.5);
    expect(a.section_deadline_at).toBe(t.clock.now() + 15 * 60_000);
    const inv = await t.ctx.db
      .selectFrom('invitations')
      .selectAll()
      .where('id', '=', s.inv.invitationId)
      .executeTakeFirstOrThrow();
    expect(inv.status).toBe('started');
    expect(await eventsOf('attempt.started', a.id)).toHaveLength(1);

    const headers = { cookie: `assay_candidate=${cookieValue}` };
    const state = json(await t.app.inject({ method: 'GET', url: '/api/v1/take/attempt', headers }));
    expect(state).toMatchObject({
      status: 'in_progress',
      phase: 'section',
      remainingMs: 15 * 60_000,
      writer: true,
    });
    expect(state.current.items).toHaveLength(4);
    // Without the cookie there is no attempt; without the header, no write.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/take/attempt' })).statusCode).toBe(401);
    const noHeader = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/take/answers/i1',
      headers,
      payload: { choice: ['a'], seq: 1 },
    });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json().error.code).toBe('CSRF_FAILED');
    // A link token that doesn't exist is a 404 like any other.
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/take/start',
      payload: { token: 'x'.repeat(43) },
      remoteAddress: nextIp(),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('starts from a real invitation: landing, start, submit and the invitation completed', async () => {
    const org = await createTestOrg(t.ctx);
    for (let i = 0; i < 4; i++) await createTestQuestion(t.ctx, org);
    const owner = await signInAgent(t.app, org.email, PASSWORD);
    const api = (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: owner.headers, payload, remoteAddress: nextIp() });
    const created = json(await api('POST', '/api/v1/assessments', { name: 'Backend basics' }), 201);
    json(await api('PATCH', `/api/v1/assessments/${created.id}`, { sections: [quizSection('q', 2)] }));
    json(await api('POST', `/api/v1/assessments/${created.id}/open`));
    const invited = json(
      await api('POST', `/api/v1/assessments/${created.id}/invitations`, {
        email: 'real.candidate@example.com',
        name: 'Real Candidate',
      }),
      201,
    );
    const token = await linkTokenIn(t, 'real.candidate@example.com', '/i/');
    const landing = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/take/landing',
        payload: { token },
        remoteAddress: nextIp(),
      });
    expect(json(await landing()).state).toBe('ready');
    expect(
      await t.ctx.db.selectFrom('attempts').select('id').where('assessment_id', '=', created.id).execute(),
    ).toEqual([]);
    const c = asCandidate(t, await startBrowser(t, token));
    expect(json(await landing()).state).toBe('in_progress');
    const state = await c.state();
    expect(state.assessment.name).toBe('Backend basics');
    json(await c.post('/api/v1/take/submit', { answers: [{ itemKey: 'i1', choice: ['a'], seq: 1 }] }));
    await t.runJobs();
    expect(json(await landing()).state).toBe('completed');
    const inv = await t.ctx.db
      .selectFrom('invitations')
      .selectAll()
      .where('id', '=', invited.invitation.id)
      .executeTakeFirstOrThrow();
    expect(inv.status).toBe('completed');
    // Opening the link again after the end shows the result, never a new attempt.
    const again = asCandidate(t, await startBrowser(t, token));
    expect((await again.state()).status).toBe('graded');
    expect(
      await t.ctx.db.selectFrom('attempts').select('id').where('assessment_id', '=', created.id).execute(),
    ).toHaveLength(1);
  });

  it('enforces the section deadline by the server clock, with the grace period', async () => {
    const s = await quizSetup({ minutes: 10 });
    const c = asCandidate(t, await startBrowser(t, s.inv.token));
    t.clock.advance(10 * 60_000 - 1);
    expect((await c.answer('i1', ['a'], 1)).statusCode).toBe(200);
    t.clock.advance(1 + GRACE_MS); // exactly deadline + grace: still accepted
    expect((await c.answer('i1', ['b'], 2)).statusCode).toBe(200);
    t.clock.advance(1);
    const late = await c.answer('i1', ['c'], 3);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('ATTEMPT_CLOSED');
    const batch = await c.put('/api/v1/take/answers', {
      answers: [{ itemKey: 'i2', choice: ['a'], seq: 1 }],
    });
    expect(batch.statusCode).toBe(409);
    // The candidate's view follows the clock: the section closed, the attempt is submitted.
    const state = await c.state();
    expect(state.status).not.toBe('in_progress');
    const answers = await t.ctx.db.selectFrom('answers').selectAll().execute();
    const a = await attemptOf(s.inv.invitationId);
    expect(answers.filter((r) => r.attempt_id === a.id).map((r) => JSON.parse(r.choice))).toEqual([['b']]);
  });

  it('never resets time on reload or on another device', async () => {
    const s = await quizSetup({ minutes: 30 });
    const first = asCandidate(t, await startBrowser(t, s.inv.token));
    expect((await first.state()).remainingMs).toBe(30 * 60_000);
    t.clock.advance(7 * 60_000);
    expect((await first.state()).remainingMs).toBe(23 * 60_000);
    const second = asCandidate(t, await startBrowser(t, s.inv.token));
    expect((await second.state()).remainingMs).toBe(23 * 60_000);
    t.clock.advance(60_000);
    expect((await first.state()).remainingMs).toBe(22 * 60_000);
    expect((await second.state()).remainingMs).toBe(22 * 60_000);
    const attempts = await t.ctx.db
      .selectFrom('attempts')
      .select('id')
      .where('invitation_id', '=', s.inv.invitationId)
      .execute();
    expect(attempts).toHaveLength(1);
    expect(await eventsOf('attempt.started', attempts[0]!.id)).toHaveLength(1);
  });

  it('keeps the newest of out-of-order autosaves', async () => {
    const s = await quizSetup();
    const c = asCandidate(t, await startBrowser(t, s.inv.token));
    expect(json(await c.answer('i1', ['b'], 5))).toEqual({ itemKey: 'i1', seq: 5, saved: true });
    expect(json(await c.answer('i1', ['c'], 3))).toEqual({ itemKey: 'i1', seq: 5, saved: false });
    expect(json(await c.answer('i1', ['b'], 5))).toEqual({ itemKey: 'i1', seq: 5, saved: false });
    const batch = json(
      await c.put('/api/v1/take/answers', {
        answers: [
          { itemKey: 'i1', choice: ['d'], seq: 4 },
          { itemKey: 'i2', choice: ['a'], seq: 1 },
        ],
      }),
    );
    expect(batch.results).toEqual([
      { itemKey: 'i2', seq: 1, saved: true, outcome: 'saved' },
      { itemKey: 'i1', seq: 5, saved: false, outcome: 'stale' },
    ]);
    const items = (await c.state()).current.items;
    expect(items[0]).toMatchObject({ key: 'i1', answer: ['b'], seq: 5 });
    expect(items[1]).toMatchObject({ key: 'i2', answer: ['a'], seq: 1 });
    // Choices are checked against the item's own options and kind; items outside the draw don't exist.
    expect((await c.answer('i1', ['z'], 9)).statusCode).toBe(400);
    expect((await c.answer('i1', ['a', 'b'], 9)).statusCode).toBe(400);
    expect((await c.answer('i99', ['a'], 1)).statusCode).toBe(404);
    expect((await c.post('/api/v1/take/sections/nope/submit', {})).statusCode).toBe(404);
  });

  it('refuses a section without going back to change items already left behind', async () => {
    const s = await quizSetup({ section: { allowBack: false } });
    const c = asCandidate(t, await startBrowser(t, s.inv.token));
    expect((await c.answer('i1', ['a'], 1)).statusCode).toBe(200);
    expect((await c.answer('i3', ['a'], 2)).statusCode).toBe(200);
    const back = await c.answer('i2', ['a'], 3);
    expect(back.statusCode).toBe(409);
    expect(back.json().error.code).toBe('CONFLICT');
    expect((await c.answer('i3', ['b'], 4)).statusCode).toBe(200);
    expect((await c.state()).current.furthestItem).toBe(2);
  });

  it('makes fifty parallel submits one status change, one event, one grading job and one email', async () => {
    const s = await quizSetup({ settings: { feedbackPolicy: 'overall' } });
    const c = asCandidate(t, await startBrowser(t, s.inv.token));
    await c.answer('i1', ['a'], 1);
    const replies = await Promise.all(Array.from({ length: 50 }, () => c.post('/api/v1/take/submit')));
    expect(replies.map((r) => r.statusCode)).toEqual(Array(50).fill(200));
    const a = await attemptOf(s.inv.invitationId);
    expect(a.status).toBe('submitted');
    const gradeJobs = await t.ctx.db
      .selectFrom('jobs')
      .select('id')
      .where('name', '=', 'attempts.grade')
      .where('payload', 'like', `%${a.id}%`)
      .execute();
    expect(gradeJobs).toHaveLength(1);
    expect(await eventsOf('attempt.submitted', a.id)).toHaveLength(1);
    await t.runJobs();
    await Promise.all(Array.from({ length: 5 }, () => c.post('/api/v1/take/submit')));
    await t.runJobs();
    const graded = await attemptOf(s.inv.invitationId);
    expect(graded.status).toBe('graded');
    expect(graded.score).toBeCloseTo(0.25, 5);
    expect(await eventsOf('attempt.graded', a.id)).toHaveLength(1);
    const mails = await mailsTo(s.inv.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.kind).toBe('attempt.result');
    const inv = await t.ctx.db
      .selectFrom('invitations')
      .selectAll()
      .where('id', '=', s.inv.invitationId)
      .executeTakeFirstOrThrow();
    expect(inv.status).toBe('completed');
    expect(json(await c.get('/api/v1/take/result'))).toEqual({
      status: 'graded',
      score: expect.closeTo(0.25, 5),
    });
  });

  it('never accepts an autosave once the submit has committed', async () => {
    const s = await quizSetup();
    const c = asCandidate(t, await startBrowser(t, s.inv.token));
    const a = await attemptOf(s.inv.invitationId);

    // Deterministic: a submit holds the attempt (uncommitted) while an autosave arrives.
    let release!: () => void;
    let locked!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const submit = t.ctx.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('attempts')
        .set({ status: 'submitted', submitted_at: t.clock.now() })
        .where('id', '=', a.id)
        .where('status', '=', 'in_progress')
        .execute();
      locked();
      await gate;
    });
    await isLocked;
    const save = c.answer('i1', ['a'], 1);
    await new Promise((r) => setTimeout(r, 30));
    release();
    await submit;
    const res = await save;
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('ATTEMPT_CLOSED');
    const stored = await t.ctx.db.selectFrom('answers').selectAll().where('attempt_id', '=', a.id).execute();
    expect(stored).toEqual([]);
  });

  it('keeps exactly the acknowledged autosaves when they race the real submit', async () => {
    const s = await quizSetup();
    const c = asCandidate(t, await startBrowser(t, s.inv.token));
    const saves = Array.from({ length: 30 }, (_, i) => c.answer(`i${(i % 4) + 1}`, ['a'], i + 1));
    const [submitted, ...results] = await Promise.all([c.post('/api/v1/take/submit'), ...saves]);
    expect(submitted!.statusCode).toBe(200);
    const a = await attemptOf(s.inv.invitationId);
    const acked = new Map<string, number>();
    results.forEach((r, i) => {
      if (r.statusCode === 200) {
        const key = `i${(i % 4) + 1}`;
        if (r.json().saved) acked.set(key, Math.max(acked.get(key) ?? 0, i + 1));
      } else {
        expect(r.statusCode).toBe(409);
        expect(r.json().error.code).toBe('ATTEMPT_CLOSED');
      }
    });
    const stored = await t.ctx.db.selectFrom('answers').selectAll().where('attempt_id', '=', a.id).execute();
    expect(new Map(stored.map((r) => [r.item_key, r.client_seq]))).toEqual(acked);
    expect((await c.answer('i1', ['b'], 1000)).statusCode).toBe(409);
  });

  it('moves the attempt to the newest browser and lets the first take it back', async () => {
    const s = await quizSetup();
    const first = await startBrowser(t, s.inv.token, 'BrowserA/1');
    const a = asCandidate(t, first);
    expect((await a.answer('i1', ['a'], 1)).statusCode).toBe(200);
    const second = await startBrowser(t, s.inv.token, 'BrowserB/2');
    const b = asCandidate(t, second);
    const moved = await a.answer('i1', ['b'], 2);
    expect(moved.statusCode).toBe(409);
    expect(moved.json().error.code).toBe('SESSION_MOVED');
    expect((await a.state()).writer).toBe(false);
    expect((await b.answer('i1', ['c'], 3)).statusCode).toBe(200);
    const claimed = json(await a.post('/api/v1/take/session/claim'));
    expect(claimed.writer).toBe(true);
    expect((await b.answer('i1', ['d'], 4)).json().error.code).toBe('SESSION_MOVED');
    expect((await a.answer('i1', ['a'], 5)).statusCode).toBe(200);
    const attempt = await attemptOf(s.inv.invitationId);
    const events = await t.ctx.db
      .selectFrom('integrity_events')
      .selectAll()
      .where('attempt_id', '=', attempt.id)
      .where('type', '=', 'second-session')
      .orderBy('id')
      .execute();
    expect(events.map((e) => [e.ip, e.user_agent, JSON.parse(e.details).via])).toEqual([
      [second.ip, 'BrowserB/2', 'link-reopened'],
      [first.ip, 'BrowserA/1', 'claim'],
    ]);
    expect(attempt.integrity_tier).toBe('major');
  });

  it('records enabled browser signals and an address change, and summarises a tier', async () => {
    const s = await quizSetup({ settings: { integritySignals: ['tab-hidden', 'ip-change'] } });
    const browser = await startBrowser(t, s.inv.token);
    const c = asCandidate(t, browser);
    expect((await c.state()).integritySignals).toEqual(['tab-hidden', 'tab-visible']);
    expect(json(await c.post('/api/v1/take/integrity', { type: 'tab-hidden' }), 202)).toEqual({
      recorded: true,
    });
    expect(json(await c.post('/api/v1/take/integrity', { type: 'paste' }), 202)).toEqual({ recorded: false });
    const attempt = await attemptOf(s.inv.invitationId);
    expect(attempt.integrity_tier).toBe('some');
    // A write from another address is noticed once.
    const moved = asCandidate(t, { ...browser, ip: nextIp() });
    expect((await moved.answer('i1', ['a'], 1)).statusCode).toBe(200);
    expect((await moved.answer('i1', ['a'], 2)).statusCode).toBe(200);
    const events = await t.ctx.db
      .selectFrom('integrity_events')
      .selectAll()
      .where('attempt_id', '=', attempt.id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.type)).toEqual(['tab-hidden', 'ip-change']);
    expect(JSON.parse(events[1]!.details)).toEqual({ previousIp: browser.ip });
  });

  it('closes and grades an abandoned attempt with the overdue job', async () => {
    const s = await quizSetup({ minutes: 10 });
    const c = asCandidate(t, await startBrowser(t, s.inv.token));
    await c.answer('i1', ['a'], 1);
    await c.answer('i2', ['a'], 1);
    t.clock.advance(10 * 60_000 + GRACE_MS + 1);
    await t.runJobs();
    const a = await attemptOf(s.inv.invitationId);
    expect(a.status).toBe('graded');
    expect(a.score).toBeCloseTo(0.5, 5);
    expect(await eventsOf('attempt.submitted', a.id)).toHaveLength(1);
    expect(await eventsOf('attempt.graded', a.id)).toHaveLength(1);
    expect(await mailsTo(s.inv.email)).toHaveLength(1);
  });

  it('waits between sections for the candidate, and closes the attempt at its close time', async () => {
    const org = await createTestOrg(t.ctx);
    for (let i = 0; i < 2; i++) await createTestQuestion(t.ctx, org, { subtopic: 'databases' });
    for (let i = 0; i < 2; i++) await createTestQuestion(t.ctx, org, { subtopic: 'security-auth' });
    const assessmentId = await createTestAssessment(t.ctx, org, [
      quizSection('one', 2, { minutes: 10 }),
      quizSection('two', 2, { minutes: 20, subtopic: 'security-auth' }),
    ]);
    const inv = await createTestInvitation(t.ctx, org, assessmentId);
    const c = asCandidate(t, await startBrowser(t, inv.token));
    t.clock.advance(10 * 60_000 + GRACE_MS + 1);
    await t.runJobs();
    let state = await c.state();
    expect(state).toMatchObject({
      status: 'in_progress',
      phase: 'between-sections',
      currentSectionIndex: 1,
      remainingMs: null,
      current: null,
    });
    expect(state.sections.map((x: { state: string }) => x.state)).toEqual(['submitted', 'ready']);
    expect((await c.answer('i3', ['a'], 1)).statusCode).toBe(409);
    t.clock.advance(3600_000); // a break: the next section's clock has not started
    state = json(await c.post('/api/v1/take/sections/two/start'));
    expect(state).toMatchObject({ phase: 'section', remainingMs: 20 * 60_000 });
    expect((await c.answer('i3', ['a'], 1)).statusCode).toBe(200);
    expect((await c.answer('i1', ['a'], 1)).json().error.code).toBe('ATTEMPT_CLOSED');
    // The candidate submits section two: the attempt is submitted, and a repeat changes nothing.
    state = json(
      await c.post('/api/v1/take/sections/two/submit', {
        answers: [{ itemKey: 'i4', choice: ['a'], seq: 1 }],
      }),
    );
    expect(state.status).toBe('submitted');
    expect(json(await c.post('/api/v1/take/sections/two/submit')).status).toBe('submitted');
    await t.runJobs();
    const a = await t.ctx.db
      .selectFrom('attempts')
      .selectAll()
      .where('invitation_id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    expect(a.status).toBe('graded');
    expect(a.score).toBeCloseTo((1 / 3) * 0 + (2 / 3) * 1, 5);

    // Someone who never comes back after the first section: closed and graded at close time.
    const inv2 = await createTestInvitation(t.ctx, org, assessmentId);
    const c2 = asCandidate(t, await startBrowser(t, inv2.token));
    await c2.answer('i1', ['a'], 1);
    t.clock.advance(10 * 60_000 + GRACE_MS + 1);
    await t.runJobs();
    expect((await c2.state()).phase).toBe('between-sections');
    t.clock.advance(25 * 3600_000);
    await t.runJobs();
    const a2 = await t.ctx.db
      .selectFrom('attempts')
      .selectAll()
      .where('invitation_id', '=', inv2.invitationId)
      .executeTakeFirstOrThrow();
    expect(a2.status).toBe('graded');
    expect(a2.score).toBeCloseTo((1 / 3) * 0.5, 5);
  });

  it('grades with partial credit for multiple answers, section weights and per-subtopic scores', async () => {
    const org = await createTestOrg(t.ctx);
    for (const kind of ['single', 'single', 'multiple', 'multiple'] as const)
      await createTestQuestion(t.ctx, org, { kind });
    for (let i = 0; i < 2; i++) await createTestQuestion(t.ctx, org, { subtopic: 'security-auth' });
    const assessmentId = await createTestAssessment(
      t.ctx,
      org,
      [
        quizSection('basics', 4, { weight: 25 }),
        quizSection('security', 2, { weight: 75, subtopic: 'security-auth' }),
      ],
      { feedbackPolicy: 'by-subtopic' },
    );
    const inv = await createTestInvitation(t.ctx, org, assessmentId);
    const c = asCandidate(t, await startBrowser(t, inv.token));
    const items = (await c.state()).current.items as Array<{ key: string; kind: string }>;
    const singles = items.filter((i) => i.kind === 'single');
    const multiples = items.filter((i) => i.kind === 'multiple');
    // single right (1), single wrong (0), multiple a+b+c: (2 − 1) / 2 = 0.5, multiple a: 1/2 = 0.5
    const basics = [
      { itemKey: singles[0]!.key, choice: ['a'], seq: 1 },
      { itemKey: singles[1]!.key, choice: ['b'], seq: 1 },
      { itemKey: multiples[0]!.key, choice: ['a', 'b', 'c'], seq: 1 },
      { itemKey: multiples[1]!.key, choice: ['a'], seq: 1 },
    ];
    json(await c.post('/api/v1/take/sections/basics/submit', { answers: basics }));
    json(
      await c.post('/api/v1/take/submit', {
        answers: [
          { itemKey: 'i5', choice: ['a'], seq: 1 },
          { itemKey: 'i6', choice: ['a'], seq: 1 },
        ],
      }),
    );
    await t.runJobs();
    const result = json(await c.get('/api/v1/take/result'));
    expect(result.status).toBe('graded');
    expect(result.score).toBeCloseTo(0.25 * 0.5 + 0.75 * 1, 5);
    expect(
      Object.fromEntries(
        result.bySubtopic.map((x: { subtopic: string; score: number }) => [x.subtopic, x.score]),
      ),
    ).toEqual({
      databases: expect.closeTo(0.5, 5),
      'security-auth': expect.closeTo(1, 5),
    });
    const owner = await signInAgent(t.app, org.email, PASSWORD);
    const a = await t.ctx.db
      .selectFrom('attempts')
      .select('id')
      .where('invitation_id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    const staff = json(
      await t.app.inject({ method: 'GET', url: `/api/v1/attempts/${a.id}`, headers: owner.headers }),
    );
    const marks = staff.sections[0].items.map((i: { kind: string; mark: number }) => [i.kind, i.mark]);
    expect(marks.sort()).toEqual([
      ['multiple', 0.5],
      ['multiple', 0.5],
      ['single', 0],
      ['single', 1],
    ]);
    expect(staff.sections.map((x: { score: number }) => x.score)).toEqual([
      expect.closeTo(0.5, 5),
      expect.closeTo(1, 5),
    ]);
  });

  it('leaves attempts with uploads awaiting review, with a preliminary score and a receipt', async () => {
    const org = await createTestOrg(t.ctx);
    for (let i = 0; i < 2; i++) await createTestQuestion(t.ctx, org);
    const task = await createTestUploadTask(t.ctx, org);
    const assessmentId = await createTestAssessment(t.ctx, org, [
      quizSection('q', 2, { weight: 40 }),
      uploadSection('work', task.id, { weight: 60 }),
    ]);
    const inv = await createTestInvitation(t.ctx, org, assessmentId);
    const c = asCandidate(t, await startBrowser(t, inv.token));
    json(
      await c.post('/api/v1/take/sections/q/submit', { answers: [{ itemKey: 'i1', choice: ['a'], seq: 1 }] }),
    );
    const up = await c.upload('work', 'schema.sql', 'create table orders (id int primary key);\n');
    expect(up.statusCode).toBe(201);
    json(await c.post('/api/v1/take/submit'));
    const mails = await mailsTo(inv.email);
    expect(mails.map((m) => m.kind)).toEqual(['attempt.receipt']);
    await t.runJobs();
    const a = await t.ctx.db
      .selectFrom('attempts')
      .selectAll()
      .where('invitation_id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    expect(a.status).toBe('awaiting_review');
    expect(a.score).toBeCloseTo(0.5, 5);
    expect(await eventsOf('attempt.graded', a.id)).toHaveLength(0);
    expect(await mailsTo(inv.email)).toHaveLength(1);
    const result = json(await c.get('/api/v1/take/result'));
    expect(result.status).toBe('awaiting_review');
    expect(result.score).toBeUndefined();
    expect(result.receipt.files).toEqual([{ name: 'schema.sql', size: 42, sha256: expect.any(String) }]);
  });

  it('never shows a candidate an answer key, an explanation, a rubric or reviewer notes', async () => {
    const org = await createTestOrg(t.ctx);
    const kinds: QuestionKind[] = ['single', 'multiple', 'single'];
    for (const kind of kinds) await createTestQuestion(t.ctx, org, { kind });
    const task = await createTestUploadTask(t.ctx, org);
    const assessmentId = await createTestAssessment(
      t.ctx,
      org,
      [quizSection('q', 3), uploadSection('work', task.id)],
      { feedbackPolicy: 'by-subtopic' },
    );
    const inv = await createTestInvitation(t.ctx, org, assessmentId);
    const browser = await startBrowser(t, inv.token);
    const a = await attemptOf(inv.invitationId);
    const plan = JSON.parse(a.plan) as { sections: Array<{ items?: Array<{ questionVersionId: string }> }> };
    const versions = await t.ctx.db
      .selectFrom('question_versions')
      .select(['id', 'explanation', 'correct'])
      .where(
        'id',
        'in',
        plan.sections[0]!.items!.map((i) => i.questionVersionId),
      )
      .execute();
    const secrets = [...versions.map((v) => v.explanation), 'SECRET-RUBRIC', 'SECRET-REVIEWER-NOTES'];
    const forbiddenFields = [
      '"correct"',
      '"explanation"',
      '"rubric"',
      '"reviewerNotes"',
      '"isCorrect"',
      '"answerKey"',
    ];
    const leaks: string[] = [];
    const inspect = (label: string, body: string) => {
      for (const f of forbiddenFields) if (body.includes(f)) leaks.push(`${label}: field ${f}`);
      for (const x of secrets) if (body.includes(x)) leaks.push(`${label}: secret ${x.slice(0, 30)}`);
    };

    const candidateRoutes = routesOf(t.app).filter(
      (r) => r.access?.kind === 'candidate' && r.method !== 'HEAD',
    );
    expect(candidateRoutes.length).toBeGreaterThanOrEqual(11);
    let uploadId = 'none';
    let seq = 1;
    const callRoute = async (method: string, url: string) => {
      const filled = url
        .replace(':itemKey', 'i1')
        .replace(':sectionKey', url.includes('/uploads/') ? 'work' : ((await currentKey()) ?? 'q'))
        .replace(':uploadId', uploadId);
      if (method === 'POST' && url.startsWith('/api/v1/take/uploads/')) {
        const body = filePart('answer.sql', 'select 1;\n');
        const res = await t.app.inject({
          method: 'POST',
          url: filled,
          headers: { ...browser.headers, 'content-type': body.contentType },
          payload: body.payload,
          remoteAddress: browser.ip,
        });
        if (res.statusCode === 201) uploadId = res.json().id;
        return res;
      }
      const payloads: Record<string, unknown> = {
        'PUT /api/v1/take/answers/:itemKey': { choice: ['a'], seq: seq++ },
        'PUT /api/v1/take/answers': { answers: [{ itemKey: 'i2', choice: ['a'], seq: seq++ }] },
        'POST /api/v1/take/integrity': { type: 'copy' },
      };
      const payload = payloads[`${method} ${url}`];
      return t.app.inject({
        method: method as 'GET',
        url: filled,
        headers: browser.headers,
        remoteAddress: browser.ip,
        ...(payload ? { payload: payload as object } : {}),
      });
    };
    const currentKey = async () => {
      const s = json(
        await t.app.inject({
          method: 'GET',
          url: '/api/v1/take/attempt',
          headers: browser.headers,
          remoteAddress: browser.ip,
        }),
      );
      return s.current?.key as string | undefined;
    };
    const changesPhase = (url: string) => url.endsWith('/submit') || url.endsWith('/start');
    const crawl = async (phase: string) => {
      for (const r of candidateRoutes.filter((x) => !changesPhase(x.url) && x.method !== 'DELETE')) {
        const res = await callRoute(r.method, r.url);
        inspect(`${phase} ${r.method} ${r.url} (${res.statusCode})`, res.body);
        if (res.statusCode >= 500) leaks.push(`${phase} ${r.method} ${r.url}: ${res.statusCode}`);
        if (phase === 'quiz' && res.statusCode >= 300 && !r.url.includes('/uploads/'))
          leaks.push(`${phase} ${r.method} ${r.url} refused: ${res.body}`);
      }
    };
    await crawl('quiz');
    const toUpload = await callRoute('POST', '/api/v1/take/sections/:sectionKey/submit');
    inspect('submit quiz section', toUpload.body);
    expect(toUpload.json().current.kind).toBe('upload');
    await crawl('upload');
    expect(uploadId).not.toBe('none');
    inspect('delete upload', (await callRoute('DELETE', '/api/v1/take/uploads/:uploadId')).body);
    inspect(
      'start (running) section',
      (await callRoute('POST', '/api/v1/take/sections/:sectionKey/start')).body,
    );
    inspect('submit', (await callRoute('POST', '/api/v1/take/submit')).body);
    await t.runJobs();
    await crawl('after submit');
    for (const r of candidateRoutes) {
      if (!changesPhase(r.url) && r.method !== 'DELETE') continue;
      inspect(`after ${r.method} ${r.url}`, (await callRoute(r.method, r.url)).body);
    }
    expect(leaks).toEqual([]);
  });

  it('lets staff preview an assessment as a candidate, without counting it anywhere', async () => {
    const s = await quizSetup();
    const owner = await signInAgent(t.app, s.org.email, PASSWORD);
    const scores: Array<string[]> = [['a'], ['b'], ['b']];
    for (const [i, choice] of scores.entries()) {
      const inv = i === 0 ? s.inv : await createTestInvitation(t.ctx, s.org, s.assessmentId);
      const c = asCandidate(t, await startBrowser(t, inv.token));
      const items = (await c.state()).current.items as Array<{ key: string }>;
      // Answers 'a' on item 1 plus `choice` on item 2: scores 0.5, 0.25, 0.25
      json(
        await c.post('/api/v1/take/submit', {
          answers: [
            { itemKey: items[0]!.key, choice: ['a'], seq: 1 },
            { itemKey: items[1]!.key, choice, seq: 1 },
          ],
        }),
      );
    }
    const preview = await t.app.inject({
      method: 'POST',
      url: `/api/v1/assessments/${s.assessmentId}/preview`,
      headers: owner.headers,
    });
    expect(preview.statusCode).toBe(201);
    const cookie = String(preview.headers['set-cookie']).split(';')[0]!;
    const p = asCandidate(t, {
      cookie,
      ip: nextIp(),
      headers: { cookie, 'x-assay-candidate': '1' },
    } as Browser);
    const pState = await p.state();
    expect(pState.preview).toBe(true);
    json(
      await p.post('/api/v1/take/submit', {
        answers: pState.current.items.map((i: { key: string }) => ({
          itemKey: i.key,
          choice: ['a'],
          seq: 1,
        })),
      }),
    );
    await t.runJobs();
    t.clock.advance(60_000);
    await t.runJobs();
    const rows = await t.ctx.db
      .selectFrom('attempts')
      .select(['is_preview', 'score', 'percentile', 'status'])
      .where('assessment_id', '=', s.assessmentId)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.is_preview, r.status])).toEqual([
      [0, 'graded'],
      [0, 'graded'],
      [0, 'graded'],
      [1, 'graded'],
    ]);
    expect(rows[3]!.score).toBeCloseTo(1, 5);
    expect(rows[3]!.percentile).toBeNull();
    // 0.5 is above both 0.25s: (2 + 0.5) / 3; the 0.25s tie: (0 + 0.5 × 2) / 3.
    expect(rows[0]!.percentile).toBeCloseTo(((2 + 0.5) / 3) * 100, 3);
    expect(rows[1]!.percentile).toBeCloseTo((1 / 3) * 100, 3);
    // No events and no mail for the preview.
    const previewId = (
      await t.ctx.db
        .selectFrom('attempts')
        .select('id')
        .where('is_preview', '=', 1)
        .where('assessment_id', '=', s.assessmentId)
        .executeTakeFirstOrThrow()
    ).id;
    expect(await eventsOf('attempt.submitted', previewId)).toHaveLength(0);
    expect(await eventsOf('attempt.graded', previewId)).toHaveLength(0);
  });

  it('serves staff downloads as attachments with nosniff, to the right organization only', async () => {
    const org = await createTestOrg(t.ctx);
    const task = await createTestUploadTask(t.ctx, org);
    const assessmentId = await createTestAssessment(t.ctx, org, [uploadSection('work', task.id)]);
    const inv = await createTestInvitation(t.ctx, org, assessmentId);
    const up = await asCandidate(t, await startBrowser(t, inv.token)).upload(
      'work',
      'Résumé <script>.sql',
      'select 1;\n',
      {
        filenameStar: true,
      },
    );
    expect(up.statusCode).toBe(201);
    const a = await attemptOf(inv.invitationId);
    const owner = await signInAgent(t.app, org.email, PASSWORD);
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/attempts/${a.id}/uploads/${up.json().id}/download`,
      headers: owner.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(String(res.headers['content-disposition'])).toMatch(
      /^attachment; filename="R_sum_ <script>.sql"; filename\*=UTF-8''R%C3%A9sum%C3%A9%20%3Cscript%3E.sql$/,
    );
    expect(res.body).toBe('select 1;\n');
    const other = await createTestOrg(t.ctx);
    const outsider = await signInAgent(t.app, other.email, PASSWORD);
    const foreign = await t.app.inject({
      method: 'GET',
      url: `/api/v1/attempts/${a.id}/uploads/${up.json().id}/download`,
      headers: outsider.headers,
    });
    expect(foreign.statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/attempts/${a.id}`, headers: outsider.headers }))
        .statusCode,
    ).toBe(404);
  });
});
