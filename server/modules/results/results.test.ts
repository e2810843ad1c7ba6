import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, dialects, type TestApp } from '../../test/harness.js';
import { createTestInvitation, json, startBrowser } from '../attempts/attempts.factories.js';
import { refreshAssessmentAnalytics } from './analytics.service.js';
import { CSV_COLUMNS } from './exports.service.js';
import { attemptOf, call, inviteCandidate, resultsScenario, takeAssessment } from './test-scenario.js';

/** A small RFC 4180 reader, to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('docs/results.md', () => {
  it('lists the CSV columns in the order the export writes them', () => {
    const doc = fs.readFileSync(new URL('../../../docs/results.md', import.meta.url), 'utf8');
    const table = doc.split('<!-- csv-columns:start -->')[1]!.split('<!-- csv-columns:end -->')[0]!;
    const documented = [...table.matchAll(/^\|\s*\d+\s*\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented).toEqual([...CSV_COLUMNS]);
  });
});

describe.each(dialects)('results (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('exports the pipeline as CSV: stable columns, RFC 4180 quoting, formulas neutralised, audited', async () => {
    const s = await resultsScenario(t, { upload: false });
    const evil = await inviteCandidate(t, s, {
      name: '=HYPERLINK("http://evil.example","Click, me")\nsecond line',
      externalId: '@SUM(A1:A9)',
    });
    await takeAssessment(t, evil.token, { correct: 3, upload: false });
    const plain = await inviteCandidate(t, s, { name: 'Plain Person', externalId: '-42' });
    await t.runJobs();
    const res = await call(t, s.agents.recruiter).get(
      `/api/v1/assessments/${s.assessmentId}/export.csv?sort=name`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="assessment-${s.assessmentId}-results.csv"`,
    );
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(res.body.slice(1));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    const col = (row: string[], name: (typeof CSV_COLUMNS)[number]) => row[CSV_COLUMNS.indexOf(name)];
    // Sorted by name: "=hyperlink…" sorts before "plain person".
    const [, first, second] = rows as [string[], string[], string[]];
    expect(col(first, 'candidate_name')).toBe(`'=HYPERLINK("http://evil.example","Click, me")\nsecond line`);
    expect(col(first, 'external_id')).toBe("'@SUM(A1:A9)");
    expect(col(first, 'invitation_id')).toBe(evil.invitationId);
    expect(col(first, 'status')).toBe('graded');
    expect(col(first, 'score_percent')).toBe('75');
    expect(col(first, 'score_databases_percent')).toBe('75');
    expect(col(first, 'score_api_integration_percent')).toBe('');
    expect(col(first, 'demo')).toBe('false');
    expect(col(second, 'candidate_name')).toBe('Plain Person');
    expect(col(second, 'external_id')).toBe("'-42");
    expect(col(second, 'status')).toBe('invited');
    expect(col(second, 'attempt_id')).toBe('');
    // The raw bytes: the dangerous cell is quoted, its quotes doubled.
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil.example"",""Click, me"")\nsecond line"`);
    expect(plain.invitationId).toBe(col(second, 'invitation_id'));
    // Filters apply; the export is audited.
    const graded = parseCsv(
      (
        await call(t, s.agents.recruiter).get(
          `/api/v1/assessments/${s.assessmentId}/export.csv?status=graded`,
        )
      ).body.slice(1),
    );
    expect(graded).toHaveLength(2);
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'target_id'])
      .where('org_id', '=', s.orgId)
      .where('action', '=', 'export.csv')
      .execute();
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toContain('HYPERLINK');
    const other = await resultsScenario(t);
    expect(
      (await call(t, s.agents.owner).get(`/api/v1/assessments/${other.assessmentId}/export.csv`)).statusCode,
    ).toBe(404);
  });

  it('reports a candidate: items with keys and explanations, sections, files, reviews, notes; HTML and JSON', async () => {
    const s = await resultsScenario(t, { reviewersRequired: 1 });
    const inv = await inviteCandidate(t, s, {
      name: 'Rita <script>alert(1)</script> Report',
      externalId: 'R-1',
    });
    await takeAssessment(t, inv.token, { correct: 2, fileName: 'rita.sql' });
    await t.runJobs();
    const attempt = await attemptOf(t, inv.invitationId);
    const item = await t.ctx.db
      .selectFrom('review_items')
      .select('id')
      .where('attempt_id', '=', attempt.id)
      .executeTakeFirstOrThrow();
    json(
      await call(t, s.agents.reviewer).post(`/api/v1/reviews/items/${item.id}/review`, {
        scores: { model: 2, keys: 1, indexes: 0 },
        comment: 'Decent keys',
      }),
      201,
    );
    const owner = call(t, s.agents.owner);
    json(
      await owner.post(`/api/v1/invitations/${inv.invitationId}/notes`, { body: 'Call back Tuesday' }),
      201,
    );

    const report = json(await owner.get(`/api/v1/attempts/${attempt.id}/report`));
    expect(report).toMatchObject({
      attemptId: attempt.id,
      invitationId: inv.invitationId,
      candidate: { id: inv.candidateId, name: 'Rita <script>alert(1)</script> Report', externalId: 'R-1' },
      status: 'graded',
      stage: 'new',
      demo: false,
      benchmark: {
        roleTemplateId: null,
        median: null,
        hiddenReason: expect.stringContaining('role template'),
      },
    });
    expect(report.score).toBeCloseTo(0.5 / 3 + (0.5 * 2) / 3, 5);
    expect(report.subtopics).toEqual([
      { subtopic: 'databases', label: 'Databases', score: 0.5, benchmark: null },
    ]);
    const quiz = report.sections.find((x: { kind: string }) => x.kind === 'quiz');
    expect(quiz.items).toHaveLength(4);
    expect(quiz.items[0]).toMatchObject({ correct: ['a'], chosen: ['a'], mark: 1 });
    expect(quiz.items[0].explanation).toMatch(/^SECRET-EXPLANATION-/);
    expect(quiz.items[3]).toMatchObject({ chosen: ['b'], mark: 0 });
    expect(quiz.items[3].options.find((o: { id: string }) => o.id === 'b')).toMatchObject({
      chosen: true,
      correct: false,
    });
    expect(quiz.timeSpentMs).toBeGreaterThanOrEqual(0);
    const upload = report.sections.find((x: { kind: string }) => x.kind === 'upload');
    expect(upload.uploads).toEqual([expect.objectContaining({ name: 'rita.sql' })]);
    expect(upload.review).toMatchObject({
      state: 'complete',
      reviewsDone: 1,
      score: 0.5,
      disagreement: false,
    });
    expect(upload.review.reviews[0]).toMatchObject({ total: 0.5, comment: 'Decent keys' });
    expect(upload.review.reviews[0].reviewer.name).toBeTruthy();
    expect(report.notes).toEqual([expect.objectContaining({ kind: 'note', body: 'Call back Tuesday' })]);
    expect(report.integrity).toEqual({ tier: 'none', events: [] });

    // The printable page: escaped, its one stylesheet allowed by hash and nothing else.
    const html = await owner.get(`/api/v1/attempts/${attempt.id}/report.html`);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).not.toContain('<script>');
    expect(html.body).toContain('Rita &#60;script&#62;alert(1)&#60;/script&#62; Report');
    expect(html.body).toContain('Decent keys');
    const csp = String(html.headers['content-security-policy']);
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html.body)![1]!;
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(html.headers['content-disposition']).toBeUndefined();
    const download = await owner.get(`/api/v1/attempts/${attempt.id}/report.html?download=true`);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="report-${attempt.id}.html"`);

    // The JSON export: an attachment with the same report, audited.
    const exported = await call(t, s.agents.recruiter).get(`/api/v1/attempts/${attempt.id}/export.json`);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-disposition']).toBe(
      `attachment; filename="attempt-${attempt.id}-report.json"`,
    );
    expect(exported.json().sections).toEqual(report.sections);
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('org_id', '=', s.orgId)
      .where('action', 'in', ['export.json', 'attempt.viewed'])
      .execute();
    expect(audit.filter((a) => a.action === 'export.json')).toHaveLength(1);
    expect(audit.filter((a) => a.action === 'attempt.viewed').length).toBeGreaterThanOrEqual(1);

    const other = await resultsScenario(t);
    const foreign = call(t, other.agents.owner);
    for (const url of [
      `/api/v1/attempts/${attempt.id}/report`,
      `/api/v1/attempts/${attempt.id}/report.html`,
      `/api/v1/attempts/${attempt.id}/export.json`,
      `/api/v1/invitations/${inv.invitationId}/notes`,
    ])
      expect((await foreign.get(url)).statusCode, url).toBe(404);
  });

  it('shows the role benchmark from 20 graded candidates, computed by the analytics job', async () => {
    const s = await resultsScenario(t, { upload: false });
    await t.ctx.db
      .updateTable('assessments')
      .set({ role_template_id: 'backend-engineer' })
      .where('id', '=', s.assessmentId)
      .execute();
    const owner = call(t, s.agents.owner);
    const take = async (i: number) => {
      const inv = await inviteCandidate(t, s, { name: `Bench ${i}` });
      await takeAssessment(t, inv.token, { correct: i % 5, upload: false });
      return inv;
    };
    const first = await take(0);
    for (let i = 1; i < 19; i++) await take(i);
    // 19 graded: hidden. The analytics job runs at the end of its five-minute slot.
    await t.runJobs();
    t.clock.advance(5 * 60_000);
    await t.runJobs();
    const some = await attemptOf(t, first.invitationId);
    const hidden = json(await owner.get(`/api/v1/attempts/${some.id}/report`)).benchmark;
    expect(hidden).toMatchObject({ roleTemplateId: 'backend-engineer', median: null, gradedCount: 19 });
    expect(hidden.hiddenReason).toContain('20');
    // The 20th is graded: shown after the next run.
    await take(19);
    await t.runJobs();
    t.clock.advance(5 * 60_000);
    await t.runJobs();
    const report = json(await owner.get(`/api/v1/attempts/${some.id}/report`));
    expect(report.benchmark).toMatchObject({ gradedCount: 20, median: 0.5, hiddenReason: null });
    expect(report.subtopics).toEqual([expect.objectContaining({ subtopic: 'databases', benchmark: 0.5 })]);

    // The same job computed the item statistics.
    const stats = json(await owner.get(`/api/v1/assessments/${s.assessmentId}/item-stats`));
    expect(stats.summary).toMatchObject({ attempts: 20, items: 4 });
    expect(stats.summary.alpha).toBeGreaterThan(0.5);
    expect(stats.items).toHaveLength(4);
    const totalMarks = stats.items.reduce(
      (sum: number, i: { n: number; facility: number }) => sum + i.n * i.facility,
      0,
    );
    expect(totalMarks).toBeCloseTo(40, 6);
    for (const item of stats.items) {
      expect(item.n).toBe(20);
      expect(item.stem).toMatch(/^Question \d+/);
      // Wrong answers were always option b: c and d were never chosen.
      expect(item.flags).toContain('unused-distractor');
      expect(item.options.map((o: { id: string; correct: boolean }) => [o.id, o.correct])).toEqual([
        ['a', true],
        ['b', false],
        ['c', false],
        ['d', false],
      ]);
      expect(item.discrimination).toBeGreaterThan(0);
    }
    const flagged = json(await owner.get('/api/v1/item-stats?flagged=true'));
    expect(flagged.items).toHaveLength(4);
    expect(json(await owner.get('/api/v1/item-stats?flagged=false')).items).toHaveLength(0);
    const paged = json(await owner.get(`/api/v1/assessments/${s.assessmentId}/item-stats?limit=3`));
    expect(paged.items).toHaveLength(3);
    const rest = json(
      await owner.get(`/api/v1/assessments/${s.assessmentId}/item-stats?limit=3&cursor=${paged.nextCursor}`),
    );
    expect(rest.items).toHaveLength(1);

    // The job reads attempts page by page; pages of 3 give exactly the figures of one page.
    await refreshAssessmentAnalytics(t.ctx, s.orgId, s.assessmentId, { pageSize: 3 });
    const again = json(await owner.get(`/api/v1/assessments/${s.assessmentId}/item-stats`));
    expect(again.summary).toEqual({ ...stats.summary, computedAt: again.summary.computedAt });
    expect(again.items).toEqual(stats.items.map((i: object) => ({ ...i, computedAt: expect.anything() })));
  });

  it('compares two to four attempts side by side', async () => {
    const s = await resultsScenario(t, { upload: false });
    const a = await inviteCandidate(t, s, { name: 'Cmp A' });
    const b = await inviteCandidate(t, s, { name: 'Cmp B' });
    await takeAssessment(t, a.token, { correct: 4, upload: false });
    await takeAssessment(t, b.token, { correct: 1, upload: false });
    await t.runJobs();
    const [ua, ub] = [await attemptOf(t, a.invitationId), await attemptOf(t, b.invitationId)];
    const owner = call(t, s.agents.owner);
    const cmp = json(await owner.get(`/api/v1/compare?attemptIds=${ub.id},${ua.id}`));
    expect(cmp.subtopics).toEqual([{ id: 'databases', label: 'Databases' }]);
    expect(cmp.attempts.map((x: { candidate: { name: string } }) => x.candidate.name)).toEqual([
      'Cmp B',
      'Cmp A',
    ]);
    expect(cmp.attempts[1]).toMatchObject({
      bySubtopic: { databases: 1 },
      integrityTier: 'none',
      stage: 'new',
      status: 'graded',
    });
    expect(cmp.attempts[0].timeTakenMs).toBeGreaterThanOrEqual(0);
    expect((await owner.get(`/api/v1/compare?attemptIds=${ua.id}`)).statusCode).toBe(400);
    expect((await owner.get(`/api/v1/compare?attemptIds=${ua.id},${ua.id}`)).statusCode).toBe(400);
    expect(
      (await owner.get(`/api/v1/compare?attemptIds=${[ua.id, ub.id, 'c', 'd', 'e'].join(',')}`)).statusCode,
    ).toBe(400);
    const other = await resultsScenario(t, { upload: false });
    const o = await inviteCandidate(t, other, { name: 'Other org' });
    await takeAssessment(t, o.token, { correct: 2, upload: false });
    const uo = await attemptOf(t, o.invitationId);
    const foreign = await owner.get(`/api/v1/compare?attemptIds=${ua.id},${uo.id}`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('Other org');
  });

  it('changes stages with notes, events and audit, one by one or in bulk, never across organizations', async () => {
    const s = await resultsScenario(t, { upload: false });
    const a = await inviteCandidate(t, s, { name: 'Stage A' });
    const b = await inviteCandidate(t, s, { name: 'Stage B' });
    const recruiter = call(t, s.agents.recruiter);
    const moved = json(
      await recruiter.post(`/api/v1/invitations/${a.invitationId}/stage`, {
        stage: 'interview',
        note: 'Great SQL',
      }),
    );
    expect(moved).toEqual({
      invitationId: a.invitationId,
      stage: 'interview',
      previousStage: 'new',
      changed: true,
    });
    expect(
      json(await recruiter.post(`/api/v1/invitations/${a.invitationId}/stage`, { stage: 'interview' }))
        .changed,
    ).toBe(false);
    const events = await t.ctx.db
      .selectFrom('events')
      .select(['type', 'subject_id', 'data'])
      .where('org_id', '=', s.orgId)
      .where('type', '=', 'candidate.stage_changed')
      .execute();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data)).toMatchObject({
      invitationId: a.invitationId,
      from: 'new',
      to: 'interview',
    });
    expect(events[0]!.data).not.toContain('Stage A');
    const notes = json(await recruiter.get(`/api/v1/invitations/${a.invitationId}/notes`)).items;
    expect(notes).toEqual([expect.objectContaining({ kind: 'stage', body: 'new → interview: Great SQL' })]);

    const other = await resultsScenario(t, { upload: false });
    const foreign = await inviteCandidate(t, other, { name: 'Foreign' });
    const bulk = json(
      await recruiter.post('/api/v1/pipeline/stage', {
        invitationIds: [a.invitationId, b.invitationId, foreign.invitationId],
        stage: 'rejected',
        note: 'Role filled',
      }),
    );
    expect(bulk.results).toEqual([
      { invitationId: a.invitationId, ok: true, error: null },
      { invitationId: b.invitationId, ok: true, error: null },
      {
        invitationId: foreign.invitationId,
        ok: false,
        error: expect.objectContaining({ code: 'NOT_FOUND' }),
      },
    ]);
    const foreignRow = await t.ctx.db
      .selectFrom('invitations')
      .select('stage')
      .where('id', '=', foreign.invitationId)
      .executeTakeFirstOrThrow();
    expect(foreignRow.stage).toBe('new');
    expect(
      (await recruiter.post(`/api/v1/invitations/${foreign.invitationId}/stage`, { stage: 'hired' }))
        .statusCode,
    ).toBe(404);
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select('details')
      .where('org_id', '=', s.orgId)
      .where('action', '=', 'candidate.stage_changed')
      .execute();
    expect(audit).toHaveLength(3);
    expect(JSON.stringify(audit)).not.toContain('Stage A');

    // Bulk remind and extend go through the invitations module, one result each.
    const started = await inviteCandidate(t, s, { name: 'Started' });
    await startBrowser(t, started.token);
    const remind = json(
      await recruiter.post('/api/v1/pipeline/bulk', {
        action: 'remind',
        invitationIds: [b.invitationId, started.invitationId],
      }),
    );
    expect(remind.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, false]);
    expect(remind.results[1].error.code).toBe('CONFLICT');
    const before = await t.ctx.db
      .selectFrom('invitations')
      .select('expires_at')
      .where('id', '=', b.invitationId)
      .executeTakeFirstOrThrow();
    json(
      await recruiter.post('/api/v1/pipeline/bulk', {
        action: 'extend',
        invitationIds: [b.invitationId],
        days: 3,
      }),
    );
    const after = await t.ctx.db
      .selectFrom('invitations')
      .select('expires_at')
      .where('id', '=', b.invitationId)
      .executeTakeFirstOrThrow();
    expect(after.expires_at - before.expires_at).toBe(3 * 86_400_000);
  });

  it('gives a running attempt extra minutes: deadline and close time move, audited', async () => {
    const s = await resultsScenario(t, { upload: false });
    const inv = await createTestInvitation(t.ctx, { orgId: s.orgId }, s.assessmentId);
    const browser = await startBrowser(t, inv.token);
    const attempt = await attemptOf(t, inv.invitationId);
    const recruiter = call(t, s.agents.recruiter);
    const res = json(await recruiter.post(`/api/v1/attempts/${attempt.id}/extra-time`, { minutes: 15 }));
    expect(res.sectionDeadlineAt).toBe(new Date(attempt.section_deadline_at! + 15 * 60_000).toISOString());
    expect(res.closeAt).toBe(new Date(attempt.close_at + 15 * 60_000).toISOString());
    const state = json(
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/take/attempt',
        headers: browser.headers,
        remoteAddress: browser.ip,
      }),
    );
    expect(state.remainingMs).toBe(25 * 60_000);
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select('details')
      .where('org_id', '=', s.orgId)
      .where('action', '=', 'attempt.extra_time_granted')
      .execute();
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ minutes: 15, sectionKey: 'q' });
    // Past the original deadline the candidate can still answer.
    t.clock.advance(20 * 60_000);
    const item = state.current.items[0].key;
    const save = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/take/answers/${item}`,
      headers: browser.headers,
      remoteAddress: browser.ip,
      payload: { choice: ['a'], seq: 1 },
    });
    expect(save.statusCode).toBe(200);
    expect(
      (await recruiter.post(`/api/v1/attempts/${attempt.id}/extra-time`, { minutes: 0 })).statusCode,
    ).toBe(400);
    json(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/take/submit',
        headers: browser.headers,
        remoteAddress: browser.ip,
        payload: {},
      }),
    );
    expect(
      (await recruiter.post(`/api/v1/attempts/${attempt.id}/extra-time`, { minutes: 5 })).statusCode,
    ).toBe(409);
  });

  it('keeps saved views per user', async () => {
    const s = await resultsScenario(t, { upload: false });
    const recruiter = call(t, s.agents.recruiter);
    const view = json(
      await recruiter.post('/api/v1/saved-views', {
        name: 'Top graded',
        assessmentId: s.assessmentId,
        query: { status: ['graded'], sort: 'score', minScore: 0.7 },
      }),
      201,
    );
    expect(view).toMatchObject({
      name: 'Top graded',
      assessmentId: s.assessmentId,
      query: { status: ['graded'], sort: 'score' },
    });
    expect(json(await recruiter.get('/api/v1/saved-views')).items).toHaveLength(1);
    // Another member of the same organization doesn't see it.
    const admin = call(t, s.agents.admin);
    expect(json(await admin.get('/api/v1/saved-views')).items).toHaveLength(0);
    expect((await admin.get(`/api/v1/saved-views/${view.id}`)).statusCode).toBe(404);
    expect((await admin.delete(`/api/v1/saved-views/${view.id}`)).statusCode).toBe(404);
    const renamed = json(await recruiter.patch(`/api/v1/saved-views/${view.id}`, { name: 'Best' }));
    expect(renamed).toMatchObject({ name: 'Best', query: { minScore: 0.7 } });
    const other = await resultsScenario(t);
    expect(
      (
        await recruiter.post('/api/v1/saved-views', {
          name: 'X',
          assessmentId: other.assessmentId,
          query: {},
        })
      ).statusCode,
    ).toBe(400);
    expect((await recruiter.delete(`/api/v1/saved-views/${view.id}`)).statusCode).toBe(204);
    expect((await recruiter.get(`/api/v1/saved-views/${view.id}`)).statusCode).toBe(404);
  });
});
