// The assessment builder through the API, on the real question bank: role-template prefill, edits
// and revisions, the lifecycle, the draw check, the list with counts, and the attempt plan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgWithTeam } from '../../test/factories.js';
import { createTestApp, dialects, type TestApp } from '../../test/harness.js';
import type { PlanQuizSection, PlanUploadSection } from '../attempts/attempt.model.js';
import { getCurrentUploadTaskVersion, getQuestionVersions } from '../bank/bank.service.js';
import { planCellCounts } from '../bank/draw-plan.js';
import { markInvitationCompleted, markInvitationStarted } from '../invitations/invitations.service.js';
import { type Api, apiFor, type Json, ok, openAssessment } from '../invitations/test-helpers.js';
import { findAssessmentContext, findAssessmentOfOrg } from './assessments.service.js';
import { buildAttemptPlan } from './draw.js';

const allWeights = (w: Record<string, number>) => ({
  'server-side-languages': 0,
  databases: 0,
  'api-integration': 0,
  'server-management': 0,
  'security-auth': 0,
  'caching-performance': 0,
  ...w,
});

describe.each(dialects)('assessments (%s)', (dialect) => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof orgWithTeam>>;
  let api: Api;

  beforeAll(async () => {
    t = await createTestApp(dialect, { loadContent: true });
    a = await orgWithTeam(t.app, t.ctx);
    api = apiFor(t, a.agents.recruiter);
  });
  afterAll(() => t.close());

  async function ownQuestion(subtopic: string, difficulty: 'easy' | 'medium' | 'hard', n: number) {
    return ok(
      await api.post('/api/v1/questions', {
        kind: 'single',
        subtopic,
        difficulty,
        seconds: 60,
        stem: `Own question ${subtopic} ${difficulty} ${n}?`,
        options: [
          { id: 'a', text: `Yes ${n}` },
          { id: 'b', text: `No ${n}` },
        ],
        correct: ['a'],
        explanation: 'Because.',
      }),
      201,
    ).id;
  }

  it('prefills a draft from a role template: one quiz section and an upload section for the first suggested task', async () => {
    const templates: Array<{ id: string }> = ok(await api.get('/api/v1/role-templates')).items;
    const tpl = ok(await api.get('/api/v1/role-templates')).items.find(
      (r: { id: string }) => r.id === 'backend-engineer',
    );
    expect(templates.length).toBeGreaterThan(1);
    const created = ok(await api.post('/api/v1/assessments', { roleTemplateId: 'backend-engineer' }), 201);
    expect(created).toMatchObject({
      name: tpl.name,
      state: 'draft',
      revision: 1,
      roleTemplateId: 'backend-engineer',
    });
    const [quiz, ...uploads] = created.sections;
    expect(quiz).toMatchObject({
      kind: 'quiz',
      minutes: tpl.minutes,
      questionCount: tpl.questionCount,
      difficulty: tpl.difficulty,
      subtopicWeights: allWeights(tpl.weights),
      draw: 'random',
      pinnedQuestionIds: [],
    });
    expect(tpl.uploadTasks.length).toBeGreaterThan(1);
    expect(uploads).toHaveLength(1);
    for (const [i, task] of tpl.uploadTasks.slice(0, 1).entries()) {
      const v = await getCurrentUploadTaskVersion(t.ctx.db, a.orgId, task.id);
      expect(uploads[i]).toMatchObject({
        kind: 'upload',
        taskId: task.id,
        title: v.title,
        minutes: v.minutes,
        accept: v.accept,
        maxSizeMb: v.maxSizeMb,
        maxFiles: v.maxFiles,
        allowZip: v.allowZip,
      });
    }
    expect(ok(await api.get(`/api/v1/assessments/${created.id}/draw-check`))).toEqual({
      ok: true,
      shortages: [],
      problems: [],
    });
  });

  it('creates a blank draft, refuses to open it, and refuses unknown templates', async () => {
    const blank = ok(await api.post('/api/v1/assessments', { name: 'From scratch' }), 201);
    expect(blank).toMatchObject({ name: 'From scratch', sections: [], state: 'draft' });
    const refused = await api.post(`/api/v1/assessments/${blank.id}/open`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details.problems).toEqual([
      { sectionKey: null, code: 'NO_SECTIONS', id: null, message: 'Add at least one section' },
    ]);
    expect((await api.post('/api/v1/assessments', { roleTemplateId: 'astronaut' })).statusCode).toBe(400);
    expect((await api.post('/api/v1/assessments', {})).statusCode).toBe(400);
  });

  it('validates edits with the shared model, counts revisions and detects concurrent edits', async () => {
    const created = ok(await api.post('/api/v1/assessments', { roleTemplateId: 'sql-developer' }), 201);
    const url = `/api/v1/assessments/${created.id}`;
    const renamed = ok(await api.patch(url, { name: 'SQL (senior)', revision: 1 }));
    expect(renamed).toMatchObject({ name: 'SQL (senior)', revision: 2 });

    const badWeights = structuredClone(created.sections);
    badWeights[0].subtopicWeights.databases += 1;
    expect((await api.patch(url, { sections: badWeights })).statusCode).toBe(400);
    const dupKeys = [created.sections[0], { ...created.sections[0] }];
    const dup = await api.patch(url, { sections: dupKeys });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().error.details.fields).toHaveProperty(['body.sections.1.key']);
    const unknownTask = [{ ...created.sections[1], taskId: 'no-such-task' }];
    expect((await api.patch(url, { sections: unknownTask })).statusCode).toBe(400);

    const settings = {
      ...created.settings,
      intro: 'Welcome!',
      invitationDays: 5,
      publicLink: { enabled: true, cap: 3 },
    };
    const edited = ok(await api.patch(url, { settings, revision: 2 }));
    expect(edited.revision).toBe(3);
    expect(edited.settings).toMatchObject({ intro: 'Welcome!', invitationDays: 5 });
    // The public link is managed by its own routes, never switched on by a settings edit.
    expect(edited.settings.publicLink).toEqual({ enabled: false, cap: null });
    expect(await findAssessmentContext(t.ctx.db, a.orgId, created.id)).toMatchObject({
      organizationName: expect.any(String),
      assessmentName: 'SQL (senior)',
      state: 'draft',
      settings: { intro: 'Welcome!' },
    });
    expect((await api.patch(url, { name: 'Stale', revision: 2 })).statusCode).toBe(409);
    expect(ok(await api.get(url)).name).toBe('SQL (senior)');
  });

  it('moves through draft → open → closed → open → closed → archived, refusing the rest, and audits it', async () => {
    const created = ok(await api.post('/api/v1/assessments', { roleTemplateId: 'backend-engineer' }), 201);
    const url = `/api/v1/assessments/${created.id}`;
    expect((await api.post(`${url}/close`)).statusCode).toBe(409);
    expect((await api.post(`${url}/reopen`)).statusCode).toBe(409);
    expect(ok(await api.post(`${url}/open`)).state).toBe('open');
    expect((await api.post(`${url}/open`)).statusCode).toBe(409);
    expect((await api.post(`${url}/archive`)).statusCode).toBe(409);
    expect(ok(await api.post(`${url}/close`))).toMatchObject({ state: 'closed' });
    expect(ok(await api.post(`${url}/reopen`)).state).toBe('open');
    ok(await api.post(`${url}/close`));
    expect(ok(await api.post(`${url}/archive`)).state).toBe('archived');
    expect((await api.patch(url, { name: 'Nope' })).statusCode).toBe(409);

    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', created.id)
      .orderBy('id')
      .execute();
    expect(audit.map((r) => r.action)).toEqual([
      'assessment.created',
      'assessment.opened',
      'assessment.closed',
      'assessment.reopened',
      'assessment.closed',
      'assessment.archived',
    ]);
  });

  it('reports exactly which cells are short, and refuses to open until they are not', async () => {
    const created = ok(await api.post('/api/v1/assessments', { name: 'Own bank only' }), 201);
    const url = `/api/v1/assessments/${created.id}`;
    // 4 questions: databases easy 2 + medium 2; security-auth easy 2 + medium 2.
    const section = {
      key: 'own',
      kind: 'quiz',
      title: 'Our questions',
      minutes: 10,
      questionCount: 8,
      subtopicWeights: allWeights({ databases: 50, 'security-auth': 50 }),
      difficulty: { easy: 50, medium: 50, hard: 0 },
      ownQuestionsOnly: true,
    };
    const dbEasy = [await ownQuestion('databases', 'easy', 1), await ownQuestion('databases', 'easy', 2)];
    for (let i = 0; i < 4; i++) await ownQuestion('databases', 'medium', i);
    for (let i = 0; i < 3; i++) await ownQuestion('security-auth', 'easy', i);
    ok(await api.patch(url, { sections: [{ ...section, pinnedQuestionIds: [dbEasy[0]] }] }));
    const check = ok(await api.get(`${url}/draw-check`));
    expect(check).toEqual({
      ok: false,
      shortages: [
        { sectionKey: 'own', subtopic: 'databases', difficulty: 'easy', needed: 2, available: 1 },
        { sectionKey: 'own', subtopic: 'security-auth', difficulty: 'easy', needed: 4, available: 3 },
        { sectionKey: 'own', subtopic: 'security-auth', difficulty: 'medium', needed: 4, available: 0 },
      ],
      problems: [],
    });
    const refused = await api.post(`${url}/open`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details.shortages).toEqual(check.shortages);

    await ownQuestion('databases', 'easy', 3);
    await ownQuestion('security-auth', 'easy', 3);
    for (let i = 0; i < 4; i++) await ownQuestion('security-auth', 'medium', i);
    expect(ok(await api.get(`${url}/draw-check`)).ok).toBe(true);
    expect(ok(await api.post(`${url}/open`)).state).toBe('open');

    // While open, an edit that would make it undrawable is refused.
    const tooMany = { ...section, questionCount: 40 };
    const r = await api.patch(url, { sections: [tooMany] });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.details.shortages.length).toBeGreaterThan(0);
  });

  it('reports pinned questions and upload tasks that are not available', async () => {
    const created = ok(await api.post('/api/v1/assessments', { roleTemplateId: 'backend-engineer' }), 201);
    const retired = await ownQuestion('databases', 'hard', 99);
    ok(await api.post(`/api/v1/questions/${retired}/retire`));
    const sections = structuredClone(created.sections);
    sections[0].pinnedQuestionIds = ['00000000-0000-7000-8000-000000000000', retired];
    const taskId = sections[1].taskId;
    ok(await api.patch(`/api/v1/assessments/${created.id}`, { sections }));
    // The task is the built-in one: retire it in the database as a content sync would.
    await t.ctx.db.updateTable('upload_tasks').set({ retired: 1 }).where('id', '=', taskId).execute();
    try {
      const check = ok(await api.get(`/api/v1/assessments/${created.id}/draw-check`));
      expect(check.ok).toBe(false);
      expect(check.problems.map((p: Json) => [p.sectionKey, p.code, p.id])).toEqual([
        ['concepts', 'PINNED_NOT_AVAILABLE', '00000000-0000-7000-8000-000000000000'],
        ['concepts', 'PINNED_NOT_AVAILABLE', retired],
        [sections[1].key, 'UPLOAD_TASK_NOT_AVAILABLE', taskId],
      ]);
    } finally {
      await t.ctx.db.updateTable('upload_tasks').set({ retired: 0 }).where('id', '=', taskId).execute();
    }
  });

  it('duplicates into a new draft without the public link', async () => {
    const id = await openAssessment(api, 'devops-engineer', 'Ops');
    ok(await api.post(`/api/v1/assessments/${id}/public-link`, { cap: 5 }));
    const copy = ok(await api.post(`/api/v1/assessments/${id}/duplicate`), 201);
    const original = ok(await api.get(`/api/v1/assessments/${id}`));
    expect(copy).toMatchObject({ name: 'Copy of Ops', state: 'draft', revision: 1, publicLinkActive: false });
    expect(copy.sections).toEqual(original.sections);
    expect(copy.settings.publicLink.enabled).toBe(false);
    expect(original.publicLinkActive).toBe(true);
  });

  it('lists by name and state with keyset pages and invitation counts from one grouped query', async () => {
    const other = await orgWithTeam(t.app, t.ctx);
    const oapi = apiFor(t, other.agents.owner);
    const ids: string[] = [];
    for (const n of ['Alpha role', 'Beta role', 'Gamma role'])
      ids.push(await openAssessment(oapi, 'backend-engineer', n));
    ok(await oapi.post('/api/v1/assessments', { name: 'Delta draft' }), 201);
    const invitationIds: string[] = [];
    for (const email of ['x1@example.com', 'x2@example.com', 'x3@example.com']) {
      const r = ok(await oapi.post(`/api/v1/assessments/${ids[0]}/invitations`, { email, name: 'X' }), 201);
      invitationIds.push(r.invitation.id);
    }
    await t.ctx.db.transaction().execute(async (trx) => {
      await markInvitationStarted(t.ctx, trx, invitationIds[0]!);
      await markInvitationStarted(t.ctx, trx, invitationIds[1]!);
      await markInvitationCompleted(t.ctx, trx, invitationIds[1]!);
    });
    ok(await oapi.post(`/api/v1/invitations/${invitationIds[2]}/revoke`));

    const all = ok(await oapi.get('/api/v1/assessments?limit=2'));
    expect(all.items.map((i: Json) => i.name)).toEqual(['Delta draft', 'Gamma role']);
    const next = ok(await oapi.get(`/api/v1/assessments?limit=2&cursor=${all.nextCursor}`));
    expect(next.items.map((i: Json) => i.name)).toEqual(['Beta role', 'Alpha role']);
    expect(next.nextCursor).toBeNull();
    expect(next.items[1].counts).toEqual({ invited: 2, started: 2, completed: 1 });
    expect(next.items[0].counts).toEqual({ invited: 0, started: 0, completed: 0 });

    const search = ok(await oapi.get('/api/v1/assessments?q=ROLE&state=open'));
    expect(search.items.map((i: Json) => i.name)).toEqual(['Gamma role', 'Beta role', 'Alpha role']);
    expect(ok(await oapi.get('/api/v1/assessments?state=draft')).items.map((i: Json) => i.name)).toEqual([
      'Delta draft',
    ]);
    expect(ok(await oapi.get(`/api/v1/assessments/${ids[0]}`)).counts).toEqual({
      invited: 2,
      started: 2,
      completed: 1,
    });
  });

  describe('buildAttemptPlan', () => {
    it('freezes question versions, option orders and task versions; fixed draws give everyone one set', async () => {
      const id = await openAssessment(api, 'backend-engineer');
      const row = (await findAssessmentOfOrg(t.ctx.db, a.orgId, id))!;
      const plan = await buildAttemptPlan(t.ctx.db, row, { seed: 'candidate-a' });
      const again = await buildAttemptPlan(t.ctx.db, row, { seed: 'candidate-a' });
      const other = await buildAttemptPlan(t.ctx.db, row, { seed: 'candidate-b' });
      expect(again).toEqual(plan);
      expect(other).not.toEqual(plan);

      const quiz = plan.sections[0] as PlanQuizSection;
      const sections = JSON.parse(row.sections);
      expect(quiz.items.map((i) => i.key)).toEqual(quiz.items.map((_, n) => `i${n + 1}`));
      const expected = planCellCounts(
        sections[0].subtopicWeights,
        sections[0].difficulty,
        sections[0].questionCount,
      );
      const bySubtopic: Record<string, number> = {};
      for (const i of quiz.items) bySubtopic[i.subtopic] = (bySubtopic[i.subtopic] ?? 0) + 1;
      expect(bySubtopic).toEqual(
        Object.fromEntries(Object.entries(expected.bySubtopic).filter(([, n]) => n > 0)),
      );
      const versions = await getQuestionVersions(
        t.ctx.db,
        quiz.items.map((i) => i.questionVersionId),
      );
      for (const item of quiz.items) {
        const v = versions.get(item.questionVersionId)!;
        expect([...item.optionOrder].sort()).toEqual(v.options.map((o) => o.id).sort());
        expect(item.kind).toBe(v.kind);
      }
      const total = plan.sections.reduce((s, x) => s + x.weight, 0);
      expect(total).toBeCloseTo(1, 10);
      const minutes = sections.reduce((s: number, x: { minutes: number }) => s + x.minutes, 0);
      expect(quiz.weight).toBeCloseTo(sections[0].minutes / minutes, 10);
      const upload = plan.sections[1] as PlanUploadSection;
      const current = await getCurrentUploadTaskVersion(t.ctx.db, a.orgId, sections[1].taskId);
      expect(upload).toMatchObject({ kind: 'upload', taskVersionId: current.id, accept: sections[1].accept });

      // A fixed draw: the same questions for everyone (in each one's own order), per revision.
      sections[0].draw = 'fixed';
      sections[0].shuffleQuestions = false;
      sections[0].shuffleOptions = false;
      ok(await api.patch(`/api/v1/assessments/${id}`, { sections }));
      const fixedRow = (await findAssessmentOfOrg(t.ctx.db, a.orgId, id))!;
      const f1 = (await buildAttemptPlan(t.ctx.db, fixedRow, { seed: 'one' })).sections[0] as PlanQuizSection;
      const f2 = (await buildAttemptPlan(t.ctx.db, fixedRow, { seed: 'two' })).sections[0] as PlanQuizSection;
      expect(f2.items).toEqual(f1.items);
      const fv = await getQuestionVersions(
        t.ctx.db,
        f1.items.map((i) => i.questionVersionId),
      );
      for (const item of f1.items)
        expect(item.optionOrder).toEqual(fv.get(item.questionVersionId)!.options.map((o) => o.id));
    });
  });
});
