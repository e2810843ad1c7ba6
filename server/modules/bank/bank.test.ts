import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgWithTeam } from '../../test/factories.js';
import { type Agent, createTestApp, dialects, type TestApp } from '../../test/harness.js';
import {
  getCurrentUploadTaskVersion,
  getQuestionVersions,
  getUploadTaskVersion,
  listDrawableQuestions,
} from './bank.service.js';

const customQuestion = {
  kind: 'single',
  subtopic: 'databases',
  difficulty: 'medium',
  seconds: 60,
  tags: ['sql'],
  stem: 'Which clause filters groups after aggregation?',
  options: [
    { id: 'a', text: '`WHERE`' },
    { id: 'b', text: '`HAVING`' },
    { id: 'c', text: '`GROUP BY`' },
  ],
  correct: ['b'],
  explanation: '`HAVING` filters groups; `WHERE` filters rows before grouping.',
};

const level = (score: number) => ({ score, descriptor: `Level ${score}` });
const criterion = (id: string) => ({ id, name: id, levels: [level(0), level(1), level(2)] });
const customTask = {
  title: 'Write a migration',
  subtopics: ['databases'],
  minutes: 30,
  accept: ['.sql'],
  maxSizeMb: 1,
  prompt: 'Write a migration that adds a column **without** downtime.',
  rubric: [criterion('safety'), criterion('correctness'), criterion('clarity')],
  reviewerNotes: 'Look for a backfill in batches.',
};

describe.each(dialects)('question bank API (%s)', (dialect) => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof orgWithTeam>>;
  let b: Awaited<ReturnType<typeof orgWithTeam>>;
  let builtInCount: number;

  beforeAll(async () => {
    t = await createTestApp(dialect, { loadContent: true });
    a = await orgWithTeam(t.app, t.ctx);
    b = await orgWithTeam(t.app, t.ctx);
    builtInCount = Number(
      (
        await t.ctx.db
          .selectFrom('questions')
          .select(t.ctx.db.fn.countAll<number>().as('n'))
          .where('retired', '=', 0)
          .executeTakeFirstOrThrow()
      ).n,
    );
  });
  afterAll(() => t.close());

  const get = (agent: Agent, url: string) => t.app.inject({ method: 'GET', url, headers: agent.headers });
  const send = (agent: Agent, method: 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: agent.headers, ...(payload === undefined ? {} : { payload }) });

  describe('skills and role templates', () => {
    it('lists the taxonomy and finds a skill by an alias, in any case', async () => {
      const all = (await get(a.agents.reviewer, '/api/v1/skills')).json();
      expect(all.items[0]).toMatchObject({ id: 'backend-development', name: 'Back-End Development' });
      expect(all.items[0].subtopics).toHaveLength(6);
      for (const q of ['Backend Engineering', 'backend engineering', 'BACK-END DEVELOPMENT', 'server-side']) {
        const found = (await get(a.agents.recruiter, `/api/v1/skills?q=${encodeURIComponent(q)}`)).json();
        expect(
          found.items.map((s: { id: string }) => s.id),
          q,
        ).toEqual(['backend-development']);
      }
      expect((await get(a.agents.owner, '/api/v1/skills?q=pastry')).json().items).toEqual([]);
    });

    it('lists role templates with weights, difficulty mix, draw counts and upload tasks', async () => {
      const res = await get(a.agents.recruiter, '/api/v1/role-templates');
      expect(res.statusCode).toBe(200);
      const roles = res.json().items;
      expect(roles).toHaveLength(12);
      const be = roles.find((r: { id: string }) => r.id === 'backend-engineer');
      expect(be).toMatchObject({
        name: 'Back-End Engineer',
        questionCount: 35,
        minutes: 49,
        difficulty: { easy: 20, medium: 50, hard: 30 },
      });
      const sum = (o: Record<string, number>) => Object.values(o).reduce((n, x) => n + x, 0);
      expect(sum(be.weights)).toBe(100);
      expect(sum(be.draw.bySubtopic)).toBe(35);
      expect(sum(be.draw.byDifficulty)).toBe(35);
      expect(be.uploadTasks.map((u: { slug: string }) => u.slug)).toEqual([
        'api-design-openapi',
        'webhook-receiver-design',
        'stock-reservation-service',
      ]);
      const task = await get(a.agents.recruiter, `/api/v1/upload-tasks/${be.uploadTasks[0].id}`);
      expect(task.json().slug).toBe('api-design-openapi');
    });
  });

  describe('questions', () => {
    it('pages through the whole built-in library without gaps or repeats', async () => {
      const first = (await get(a.agents.reviewer, '/api/v1/questions')).json();
      expect(first.items).toHaveLength(50);
      expect(first.nextCursor).toBe(first.items[49].id);
      const seen = new Set<string>();
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/questions?limit=200${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await get(a.agents.reviewer, url)).json();
        for (const q of page.items) seen.add(q.id);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.size).toBe(builtInCount);
    });

    it('shows staff the answer key and explanation of the current version', async () => {
      const page = (await get(a.agents.reviewer, '/api/v1/questions?q=lower(email)')).json();
      const q = page.items.find((x: { slug: string }) => x.slug === 'db-index-function-on-column');
      expect(q).toMatchObject({
        source: 'builtin',
        editable: false,
        retired: false,
        version: 1,
        kind: 'single',
        subtopic: 'databases',
        difficulty: 'easy',
        correct: ['d'],
      });
      expect(q.explanation).toContain('B-tree');
      expect(q.options).toHaveLength(4);
    });

    it('filters by subtopic, difficulty and kind, and searches stems case-insensitively', async () => {
      const cell = (
        await get(
          a.agents.owner,
          '/api/v1/questions?subtopic=security-auth&difficulty=hard&kind=multiple&limit=200',
        )
      ).json();
      expect(cell.items.length).toBeGreaterThan(0);
      for (const q of cell.items)
        expect(q).toMatchObject({ subtopic: 'security-auth', difficulty: 'hard', kind: 'multiple' });

      const lower = (await get(a.agents.owner, '/api/v1/questions?q=explain%20analyze&limit=200')).json();
      const upper = (await get(a.agents.owner, '/api/v1/questions?q=EXPLAIN%20ANALYZE&limit=200')).json();
      expect(lower.items.length).toBeGreaterThan(0);
      expect(upper.items.map((q: { id: string }) => q.id)).toEqual(
        lower.items.map((q: { id: string }) => q.id),
      );
      for (const q of lower.items) expect(`${q.stem} ${q.slug}`.toLowerCase()).toContain('explain analyze');

      // LIKE wildcards in the search text are literal.
      expect((await get(a.agents.owner, '/api/v1/questions?q=%25%25%25zz')).json().items).toEqual([]);
      const bad = await get(a.agents.owner, '/api/v1/questions?difficulty=impossible');
      expect(bad.statusCode).toBe(400);
    });

    it('returns a question with its version history', async () => {
      const [q] = (await get(a.agents.reviewer, '/api/v1/questions?limit=1')).json().items;
      const res = await get(a.agents.reviewer, `/api/v1/questions/${q.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().versions).toMatchObject([{ id: q.versionId, version: 1, stem: q.stem }]);
      expect((await get(a.agents.reviewer, '/api/v1/questions/no-such-question')).statusCode).toBe(404);
    });

    it('creates, edits (new version, old one intact), retires and restores a custom question', async () => {
      const created = await send(a.agents.recruiter, 'POST', '/api/v1/questions', customQuestion);
      expect(created.statusCode).toBe(201);
      const q = created.json();
      expect(q).toMatchObject({ source: 'custom', editable: true, version: 1, correct: ['b'] });
      expect(q.slug).toMatch(/^custom-[0-9a-f]{10}$/);

      t.clock.advance(1000);
      const edited = await send(a.agents.recruiter, 'PATCH', `/api/v1/questions/${q.id}`, {
        stem: 'Which SQL clause filters groups after aggregation?',
        difficulty: 'easy',
      });
      expect(edited.statusCode).toBe(200);
      const e = edited.json();
      expect(e).toMatchObject({
        version: 2,
        difficulty: 'easy',
        stem: 'Which SQL clause filters groups after aggregation?',
      });
      expect(e.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
      expect(e.versions[1]).toEqual(q.versions[0]);

      // The same content again is not a new version.
      const same = await send(a.agents.recruiter, 'PATCH', `/api/v1/questions/${q.id}`, {
        difficulty: 'easy',
      });
      expect(same.json().version).toBe(2);

      const retired = await send(a.agents.admin, 'POST', `/api/v1/questions/${q.id}/retire`);
      expect(retired.json().retired).toBe(true);
      const own = (await get(a.agents.admin, '/api/v1/questions?source=organization')).json();
      expect(own.items).toEqual([]);
      const withRetired = (
        await get(a.agents.admin, '/api/v1/questions?source=organization&includeRetired=true')
      ).json();
      expect(withRetired.items.map((x: { id: string }) => x.id)).toEqual([q.id]);
      const restored = await send(a.agents.admin, 'POST', `/api/v1/questions/${q.id}/restore`);
      expect(restored.json().retired).toBe(false);

      const audit = await t.ctx.db
        .selectFrom('audit_log')
        .select('action')
        .where('target_id', '=', q.id)
        .orderBy('id')
        .execute();
      expect(audit.map((r) => r.action)).toEqual([
        'question.created',
        'question.updated',
        'question.retired',
        'question.restored',
      ]);
    });

    it('validates custom questions like YAML content, with field errors', async () => {
      const cases: Array<[object, string, RegExp]> = [
        [{ ...customQuestion, correct: ['a', 'b'] }, 'body.correct', /exactly one correct option/],
        [{ ...customQuestion, kind: 'multiple' }, 'body.correct', /at least two correct options/],
        [{ ...customQuestion, correct: ['z'] }, 'body.correct.0', /not an option id/],
        [{ ...customQuestion, subtopic: 'frontend' }, 'body.subtopic', /unknown subtopic/],
        [
          { ...customQuestion, options: [...customQuestion.options, { id: 'd', text: '`where`' }] },
          'body.options.3.text',
          /duplicate option text/,
        ],
        [{ ...customQuestion, explanation: '  ' }, 'body.explanation', /./],
        [{ ...customQuestion, stem: undefined }, 'body.stem', /./],
        [{ ...customQuestion, seconds: 5 }, 'body.seconds', /./],
        [{ ...customQuestion, hint: 'x' }, 'body', /./],
      ];
      for (const [payload, field, message] of cases) {
        const res = await send(a.agents.owner, 'POST', '/api/v1/questions', payload);
        expect(res.statusCode, field).toBe(400);
        const fields = res.json().error.details.fields as Record<string, string>;
        expect(Object.keys(fields), JSON.stringify(fields)).toContain(field);
        expect(fields[field]).toMatch(message);
      }

      const slugged = await send(a.agents.owner, 'POST', '/api/v1/questions', {
        ...customQuestion,
        slug: 'having-vs-where',
      });
      expect(slugged.json().slug).toBe('having-vs-where');
      const again = await send(a.agents.owner, 'POST', '/api/v1/questions', {
        ...customQuestion,
        slug: 'having-vs-where',
      });
      expect(again.statusCode).toBe(400);
      expect(again.json().error.details.fields['body.slug']).toBeTruthy();
      // Another organization may use the same content id.
      const inB = await send(b.agents.owner, 'POST', '/api/v1/questions', {
        ...customQuestion,
        slug: 'having-vs-where',
      });
      expect(inB.statusCode).toBe(201);

      const patchBad = await send(a.agents.owner, 'PATCH', `/api/v1/questions/${slugged.json().id}`, {
        kind: 'multiple',
      });
      expect(patchBad.statusCode).toBe(400);
      expect(patchBad.json().error.details.fields['body.correct']).toMatch(/at least two/);
    });

    it('answers 409 to changing a built-in question', async () => {
      const [q] = (await get(a.agents.owner, '/api/v1/questions?source=builtin&limit=1')).json().items;
      for (const [method, url, payload] of [
        ['PATCH', `/api/v1/questions/${q.id}`, { stem: 'Changed' }],
        ['POST', `/api/v1/questions/${q.id}/retire`, undefined],
      ] as const) {
        const res = await send(a.agents.owner, method, url, payload);
        expect(res.statusCode).toBe(409);
        expect(res.json().error.message).toMatch(/Built-in questions cannot be changed/);
      }
      expect((await get(a.agents.owner, `/api/v1/questions/${q.id}`)).json().versions).toHaveLength(1);
    });

    it("keeps each organization's custom questions to itself (404 for the other)", async () => {
      const mine = (await send(a.agents.owner, 'POST', '/api/v1/questions', customQuestion)).json();
      for (const [method, url] of [
        ['GET', `/api/v1/questions/${mine.id}`],
        ['PATCH', `/api/v1/questions/${mine.id}`],
        ['POST', `/api/v1/questions/${mine.id}/retire`],
        ['POST', `/api/v1/questions/${mine.id}/restore`],
      ] as const) {
        const res = await t.app.inject({
          method,
          url,
          headers: b.agents.owner.headers,
          ...(method === 'PATCH' ? { payload: { stem: 'Stolen' } } : {}),
        });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
      }
      for (const source of ['all', 'organization']) {
        const list = await get(
          b.agents.owner,
          `/api/v1/questions?source=${source}&includeRetired=true&limit=200&q=filters%20groups`,
        );
        expect(list.json().items.map((x: { id: string }) => x.id)).not.toContain(mine.id);
      }
      expect((await get(a.agents.owner, `/api/v1/questions/${mine.id}`)).json().versions).toHaveLength(1);
    });

    it('lets a reviewer read the bank but not change it', async () => {
      const mine = (await send(a.agents.owner, 'POST', '/api/v1/questions', customQuestion)).json();
      expect((await get(a.agents.reviewer, `/api/v1/questions/${mine.id}`)).statusCode).toBe(200);
      for (const [method, url, payload] of [
        ['POST', '/api/v1/questions', customQuestion],
        ['PATCH', `/api/v1/questions/${mine.id}`, { stem: 'Changed' }],
        ['POST', `/api/v1/questions/${mine.id}/retire`, undefined],
        ['POST', '/api/v1/upload-tasks', customTask],
      ] as const) {
        const res = await send(a.agents.reviewer, method, url, payload);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
      }
    });
  });

  describe('upload tasks', () => {
    it('lists the built-in tasks and shows staff the rubric and reviewer notes', async () => {
      const list = (await get(a.agents.reviewer, '/api/v1/upload-tasks?limit=200')).json();
      expect(list.items.length).toBeGreaterThanOrEqual(10);
      expect(list.items[0]).not.toHaveProperty('rubric');
      const dbTasks = (await get(a.agents.reviewer, '/api/v1/upload-tasks?subtopic=security-auth')).json();
      for (const task of dbTasks.items) expect(task.subtopics).toContain('security-auth');

      const found = (await get(a.agents.reviewer, '/api/v1/upload-tasks?q=OpenAPI')).json();
      const openapi = found.items.find((x: { slug: string }) => x.slug === 'api-design-openapi');
      const detail = (await get(a.agents.reviewer, `/api/v1/upload-tasks/${openapi.id}`)).json();
      expect(detail).toMatchObject({
        source: 'builtin',
        editable: false,
        accept: ['.yaml', '.yml', '.json'],
        maxFiles: 1,
      });
      expect(detail.rubric.length).toBeGreaterThanOrEqual(3);
      expect(detail.reviewerNotes).toContain('strong answer');
      expect(detail.versions).toHaveLength(1);

      const res = await send(a.agents.owner, 'PATCH', `/api/v1/upload-tasks/${openapi.id}`, { minutes: 10 });
      expect(res.statusCode).toBe(409);
    });

    it('creates, versions, retires and isolates a custom upload task', async () => {
      const created = await send(a.agents.recruiter, 'POST', '/api/v1/upload-tasks', customTask);
      expect(created.statusCode).toBe(201);
      const task = created.json();
      expect(task).toMatchObject({
        source: 'custom',
        version: 1,
        maxFiles: 1,
        allowZip: false,
        slug: expect.stringMatching(/^task-/),
      });

      const edited = (
        await send(a.agents.recruiter, 'PATCH', `/api/v1/upload-tasks/${task.id}`, {
          minutes: 45,
          accept: ['.sql', '.md'],
        })
      ).json();
      expect(edited).toMatchObject({ version: 2, minutes: 45, accept: ['.sql', '.md'] });
      expect(edited.versions[1]).toEqual(task.versions[0]);

      const bad = await send(a.agents.recruiter, 'PATCH', `/api/v1/upload-tasks/${task.id}`, {
        rubric: [
          criterion('a'),
          criterion('b'),
          { id: 'c', name: 'c', levels: [level(0), level(2), level(3)] },
        ],
      });
      expect(bad.statusCode).toBe(400);
      expect(Object.keys(bad.json().error.details.fields)).toContain('body.rubric.2.levels.1.score');

      expect(
        (await send(a.agents.admin, 'POST', `/api/v1/upload-tasks/${task.id}/retire`)).json().retired,
      ).toBe(true);
      expect((await get(b.agents.owner, `/api/v1/upload-tasks/${task.id}`)).statusCode).toBe(404);
      expect(
        (await send(b.agents.owner, 'PATCH', `/api/v1/upload-tasks/${task.id}`, { minutes: 5 })).statusCode,
      ).toBe(404);
      expect((await send(b.agents.owner, 'POST', `/api/v1/upload-tasks/${task.id}/restore`)).statusCode).toBe(
        404,
      );
      expect(
        (await send(a.agents.admin, 'POST', `/api/v1/upload-tasks/${task.id}/restore`)).json().retired,
      ).toBe(false);

      // Other modules read versions through the service, scoped to the organization.
      const v = await getCurrentUploadTaskVersion(t.ctx.db, a.orgId, task.id);
      expect(v).toMatchObject({ version: 2, minutes: 45, slug: task.slug });
      await expect(getUploadTaskVersion(t.ctx.db, b.orgId, v.id)).rejects.toThrow(/not found/);
    });
  });

  describe('service functions for draws', () => {
    it('lists active drawable questions, built-in plus own or own only, and reads their versions', async () => {
      const own = (
        await send(a.agents.owner, 'POST', '/api/v1/questions', { ...customQuestion, difficulty: 'hard' })
      ).json();
      const all = await listDrawableQuestions(t.ctx.db, {
        orgId: a.orgId,
        ownOnly: false,
        subtopic: 'databases',
        difficulty: 'hard',
      });
      expect(all.length).toBeGreaterThan(10);
      expect(all.map((r) => r.questionId)).toContain(own.id);
      for (const r of all) expect(r).toMatchObject({ subtopic: 'databases', difficulty: 'hard' });

      const ownOnly = await listDrawableQuestions(t.ctx.db, {
        orgId: a.orgId,
        ownOnly: true,
        difficulty: 'hard',
      });
      expect(ownOnly).toEqual([
        { questionId: own.id, versionId: own.versionId, subtopic: 'databases', difficulty: 'hard' },
      ]);
      expect(
        await listDrawableQuestions(t.ctx.db, { orgId: b.orgId, ownOnly: true, difficulty: 'hard' }),
      ).toEqual([]);

      await send(a.agents.owner, 'POST', `/api/v1/questions/${own.id}/retire`);
      expect(
        await listDrawableQuestions(t.ctx.db, { orgId: a.orgId, ownOnly: true, difficulty: 'hard' }),
      ).toEqual([]);

      const versions = await getQuestionVersions(t.ctx.db, [own.versionId, all[0]!.versionId, 'missing']);
      expect(versions.size).toBe(2);
      expect(versions.get(own.versionId)).toMatchObject({
        orgId: a.orgId,
        correct: ['b'],
        kind: 'single',
        version: 1,
      });
    });
  });
});
