import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgWithOwner } from '../../test/factories.js';
import { createTestEnv, dialects, type TestEnv } from '../../test/harness.js';
import { createQuestion } from './bank.service.js';
import { builtInContentDir } from './content-loader.js';
import { ContentInvalidError, syncBuiltInContent, syncContentPacks } from './content-sync.service.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

function copyDir(from: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-sync-'));
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

describe.each(dialects)('content sync (%s)', (dialect) => {
  let env: TestEnv;
  let dir: string;
  beforeAll(async () => {
    env = await createTestEnv(dialect);
    dir = copyDir(builtInContentDir());
  });
  afterAll(async () => {
    await env.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const builtIn = (slug: string) =>
    env.ctx.db
      .selectFrom('questions')
      .selectAll()
      .where('slug', '=', slug)
      .where('org_id', 'is', null)
      .executeTakeFirstOrThrow();
  const versionsOf = (questionId: string) =>
    env.ctx.db
      .selectFrom('question_versions')
      .selectAll()
      .where('question_id', '=', questionId)
      .orderBy('version')
      .execute();
  const count = async (table: 'questions' | 'question_versions' | 'upload_tasks' | 'upload_task_versions') =>
    Number(
      (
        await env.ctx.db
          .selectFrom(table)
          .select(env.ctx.db.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('loads the whole library on the first run', async () => {
    const r = await syncBuiltInContent(env.ctx, { dir });
    expect(r.skipped).toBe(false);
    expect(r.questions.created).toBeGreaterThanOrEqual(300);
    expect(r.uploadTasks.created).toBeGreaterThanOrEqual(10);
    expect(await count('questions')).toBe(r.questions.created);
    expect(await count('question_versions')).toBe(r.questions.created);
    const q = await builtIn('db-index-function-on-column');
    expect(q).toMatchObject({ source: 'builtin', subtopic: 'databases', difficulty: 'easy', retired: 0 });
  });

  it('skips everything on a second run, and a forced run finds nothing to change', async () => {
    const before = await count('question_versions');
    expect((await syncBuiltInContent(env.ctx, { dir })).skipped).toBe(true);
    const forced = await syncBuiltInContent(env.ctx, { dir, force: true });
    expect(forced.skipped).toBe(false);
    expect(forced.questions).toMatchObject({ created: 0, versioned: 0, retired: 0, restored: 0 });
    expect(forced.uploadTasks).toMatchObject({ created: 0, versioned: 0, retired: 0, restored: 0 });
    expect(await count('question_versions')).toBe(before);
  });

  it('gives an edited item a new version and leaves the old one as it was', async () => {
    const file = path.join(dir, 'questions/databases/indexing.yaml');
    const original = await builtIn('db-index-function-on-column');
    const [v1] = await versionsOf(original.id);
    const yaml = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, yaml.replace('What is the right fix?', 'What is the right fix for this query?'));
    env.clock.advance(1000);
    const r = await syncBuiltInContent(env.ctx, { dir });
    expect(r.questions).toMatchObject({ created: 0, versioned: 1, retired: 0 });

    const after = await builtIn('db-index-function-on-column');
    const versions = await versionsOf(after.id);
    expect(after.id).toBe(original.id);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[0]).toEqual(v1);
    expect(versions[1]!.stem).toContain('What is the right fix for this query?');
    expect(after.current_version_id).toBe(versions[1]!.id);
  });

  it('retires an item removed from the files, and restores it when it comes back', async () => {
    const file = path.join(dir, 'upload-tasks/incident-postmortem.yaml');
    const saved = fs.readFileSync(file);
    fs.rmSync(file);
    const roles = path.join(dir, 'roles.yaml');
    const savedRoles = fs.readFileSync(roles, 'utf8');
    fs.writeFileSync(roles, savedRoles.replace(', incident-postmortem]', ']'));

    const r = await syncBuiltInContent(env.ctx, { dir });
    expect(r.uploadTasks).toMatchObject({ retired: 1, created: 0, versioned: 0 });
    const task = await env.ctx.db
      .selectFrom('upload_tasks')
      .selectAll()
      .where('slug', '=', 'incident-postmortem')
      .executeTakeFirstOrThrow();
    expect(task.retired).toBe(1);
    expect(await count('upload_task_versions')).toBeGreaterThan(0);

    fs.writeFileSync(file, saved);
    fs.writeFileSync(roles, savedRoles);
    const back = await syncBuiltInContent(env.ctx, { dir });
    expect(back.uploadTasks).toMatchObject({ restored: 1, created: 0, versioned: 0 });
  });

  it('retires a question removed from its file and keeps its versions', async () => {
    const file = path.join(dir, 'questions/databases/indexing.yaml');
    const yaml = fs.readFileSync(file, 'utf8');
    const start = yaml.indexOf('  - id: db-leading-wildcard-like');
    const end = yaml.indexOf('\n  - id: ', start + 1);
    fs.writeFileSync(file, yaml.slice(0, start) + yaml.slice(end + 1));

    const r = await syncBuiltInContent(env.ctx, { dir });
    expect(r.questions).toMatchObject({ retired: 1, created: 0, versioned: 0 });
    const gone = await builtIn('db-leading-wildcard-like');
    expect(gone.retired).toBe(1);
    expect(await versionsOf(gone.id)).toHaveLength(1);
  });

  it('refuses invalid content with every problem and its line', async () => {
    const bad = copyDir(path.join(fixtures, 'base'));
    fs.cpSync(path.join(fixtures, 'cases/correct-not-option'), bad, { recursive: true });
    try {
      const err = await syncBuiltInContent(env.ctx, { dir: bad }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ContentInvalidError);
      expect((err as Error).message).toContain('extra.yaml:11: fx-missing-key: correct answer "e"');
    } finally {
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });

  describe('private packs', () => {
    let pack: string;
    let orgId: string;
    beforeAll(async () => {
      orgId = (await createOrgWithOwner(env.ctx)).orgId;
      pack = copyDir(path.join(fixtures, 'base'));
      fs.rmSync(path.join(pack, 'taxonomy.yaml'));
      fs.rmSync(path.join(pack, 'roles.yaml'));
      fs.writeFileSync(path.join(pack, 'pack.yaml'), `organization: ${orgId}\nname: Our own questions\n`);
    });
    afterAll(() => fs.rmSync(pack, { recursive: true, force: true }));

    it('loads a pack as content owned by its organization, versioned the same way', async () => {
      const [r] = await syncContentPacks(env.ctx, { dirs: [pack] });
      expect(r).toMatchObject({ scope: `pack:${orgId}`, skipped: false, questions: { created: 2 } });
      const rows = await env.ctx.db.selectFrom('questions').selectAll().where('org_id', '=', orgId).execute();
      expect(rows.map((q) => [q.slug, q.source]).sort()).toEqual([
        ['fx-acid', 'pack'],
        ['fx-primary-key', 'pack'],
      ]);
      expect((await syncContentPacks(env.ctx, { dirs: [pack] }))[0]!.skipped).toBe(true);

      const file = path.join(pack, 'questions/databases/basics.yaml');
      fs.writeFileSync(
        file,
        fs.readFileSync(file, 'utf8').replace('Atomicity', 'Atomicity (all or nothing)'),
      );
      const [again] = await syncContentPacks(env.ctx, { dirs: [pack] });
      expect(again!.questions).toMatchObject({ versioned: 1, created: 0 });
    });

    it('refuses an invalid pack', async () => {
      const bad = copyDir(pack);
      fs.cpSync(path.join(fixtures, 'cases/duplicate-option-text'), bad, { recursive: true });
      try {
        await expect(syncContentPacks(env.ctx, { dirs: [bad] })).rejects.toThrow(/duplicate option text/);
      } finally {
        fs.rmSync(bad, { recursive: true, force: true });
      }
    });

    it('skips a pack whose organization does not exist, with a warning', async () => {
      const orphan = copyDir(pack);
      fs.writeFileSync(path.join(orphan, 'pack.yaml'), 'organization: no-such-org\n');
      try {
        const reports = await syncContentPacks(env.ctx, { dirs: [pack, orphan] });
        expect(reports.map((r) => r.scope)).toEqual([`pack:${orgId}`]);
        expect(env.logs.join('')).toContain('content pack skipped');
      } finally {
        fs.rmSync(orphan, { recursive: true, force: true });
      }
    });

    it("refuses a pack item that takes the id of one of the organization's custom questions", async () => {
      const other = await createOrgWithOwner(env.ctx);
      await createQuestion(
        env.ctx,
        {
          kind: 'staff',
          userId: other.userId,
          orgId: other.orgId,
          role: 'owner',
          via: 'session',
          sessionId: null,
          apiKeyId: null,
          mustChangePassword: false,
        },
        {
          slug: 'fx-acid',
          kind: 'single',
          subtopic: 'databases',
          difficulty: 'easy',
          seconds: 30,
          tags: [],
          stem: 'Custom?',
          options: [
            { id: 'a', text: 'Yes' },
            { id: 'b', text: 'No' },
          ],
          correct: ['a'],
          explanation: 'Because.',
        },
        { ip: '127.0.0.1', requestId: 'test', userAgent: null },
      );
      const theirs = copyDir(pack);
      fs.writeFileSync(path.join(theirs, 'pack.yaml'), `organization: ${other.orgId}\n`);
      try {
        await expect(syncContentPacks(env.ctx, { dirs: [pack, theirs] })).rejects.toThrow(
          /basics\.yaml:\d+: question id "fx-acid" is already used by a custom question/,
        );
      } finally {
        fs.rmSync(theirs, { recursive: true, force: true });
      }
    });

    it('retires the items of a pack that is no longer configured', async () => {
      const reports = await syncContentPacks(env.ctx, { dirs: [] });
      expect(reports).toMatchObject([{ scope: `pack:${orgId}`, questions: { retired: 2 } }]);
      const active = await env.ctx.db
        .selectFrom('questions')
        .select('id')
        .where('org_id', '=', orgId)
        .where('retired', '=', 0)
        .execute();
      expect(active).toEqual([]);
    });
  });
});
