// Bulk CSV invitations: the RFC 4180 reader, the exact report of a messy fixture, idempotent
// re-imports, and 10,000 rows processed as a job with visible progress.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../jobs/runner.js';
import { orgWithTeam } from '../../test/factories.js';
import { createTestApp, dialects, type TestApp } from '../../test/harness.js';
import { runImportChunk } from './candidate-imports.service.js';
import { checkCandidateCsv, parseCsv } from './csv.js';
import { importCandidatesJob } from './invitations.jobs.js';
import { type Api, apiFor, type Json, mailTo, ok, openAssessment, uploadCsv } from './test-helpers.js';

const fixture = fs.readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/candidates.csv'),
);

describe('parseCsv', () => {
  it('reads quotes, doubled quotes, commas and line breaks in fields, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\r\n"multi\nline",z')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', 'z'],
    ]);
  });
  it('handles LF, a trailing line break, empty fields and an unterminated quote', () => {
    expect(parseCsv('a,,c\n\n1,2,3\n')).toEqual([['a', '', 'c'], [''], ['1', '2', '3']]);
    expect(parseCsv('a,"open\nstill')).toEqual([['a', 'open\nstill']]);
    expect(parseCsv('ab"c,d')).toEqual([['ab"c', 'd']]);
    expect(parseCsv('')).toEqual([]);
  });
  it('refuses files without the needed columns or with too many rows', () => {
    expect(() => checkCandidateCsv('name,phone\nA,1', { maxExtraTime: 2 })).toThrow(/"email" column/);
    expect(() => checkCandidateCsv('', { maxExtraTime: 2 })).toThrow(/empty/);
    const big = `email,name\n${Array.from({ length: 10_001 }, (_, i) => `p${i}@x.example,P`).join('\n')}`;
    expect(() => checkCandidateCsv(big, { maxExtraTime: 2 })).toThrow(/more than 10000 rows/);
  });
});

describe.each(dialects)('CSV import (%s)', (dialect) => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof orgWithTeam>>;
  let api: Api;

  beforeAll(async () => {
    t = await createTestApp(dialect, { loadContent: true });
    a = await orgWithTeam(t.app, t.ctx);
    api = apiFor(t, a.agents.recruiter);
  });
  afterAll(() => t.close());

  it('imports the fixture with an exact report, and a re-import invites nobody twice', async () => {
    const assessmentId = await openAssessment(api, 'backend-engineer', 'CSV hiring');
    const queued = ok(await uploadCsv(t, a.agents.recruiter, assessmentId, fixture), 202);
    expect(queued).toMatchObject({ status: 'queued', totalRows: 9, processedRows: 0 });
    await t.runJobs();
    const done = ok(await api.get(`/api/v1/candidate-imports/${queued.id}`));
    expect(done).toMatchObject({
      status: 'done',
      totalRows: 9,
      processedRows: 9,
      accepted: 4,
      alreadyInvited: 0,
      rejected: 5,
      error: null,
    });
    expect(done.report).toEqual([
      { row: 4, email: 'not-an-email', reason: 'The email is not a valid address' },
      { row: 5, email: '', reason: 'The email is missing' },
      { row: 6, email: 'linus@example.com', reason: 'The name is missing' },
      { row: 7, email: 'ADA@example.com', reason: 'The email appears again; row 2 was used' },
      { row: 9, email: 'barbara@example.com', reason: 'The extra time must be a multiplier from 1 to 2' },
    ]);

    const list = ok(await api.get(`/api/v1/assessments/${assessmentId}/invitations`));
    const byEmail = Object.fromEntries(list.items.map((i: Json) => [i.candidate.email, i]));
    expect(Object.keys(byEmail).sort()).toEqual([
      'ada@example.com',
      'alan@example.com',
      'edsger@example.com',
      'grace@example.com',
    ]);
    expect(byEmail['ada@example.com']).toMatchObject({
      source: 'csv',
      candidate: { name: 'Lovelace, Ada', externalId: 'ATS-1' },
    });
    expect(byEmail['alan@example.com'].candidate.name).toBe('Alan "The Machine" Turing');
    expect(byEmail['grace@example.com'].extraTime).toBe(1.5);
    expect(await mailTo(t, 'ada@example.com', 'candidate-invitation')).toHaveLength(1);
    // The uploaded file is deleted once the import is done; the report stays.
    const row = await t.ctx.db
      .selectFrom('candidate_imports')
      .selectAll()
      .where('id', '=', queued.id)
      .executeTakeFirstOrThrow();
    expect(row.blob_key).toBeNull();

    const again = ok(await uploadCsv(t, a.agents.recruiter, assessmentId, fixture), 202);
    await t.runJobs();
    expect(ok(await api.get(`/api/v1/candidate-imports/${again.id}`))).toMatchObject({
      status: 'done',
      accepted: 0,
      alreadyInvited: 4,
      rejected: 5,
    });
    expect(await mailTo(t, 'ada@example.com', 'candidate-invitation')).toHaveLength(1);
    expect(
      ok(await api.get(`/api/v1/assessments/${assessmentId}/imports`)).items.map((i: Json) => i.id),
    ).toEqual([again.id, queued.id]);
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', queued.id)
      .orderBy('id')
      .execute();
    expect(audit.map((r) => r.action)).toEqual(['candidates.import_started', 'candidates.import_finished']);
  });

  it('refuses unusable files at once, and imports only into an open assessment', async () => {
    const assessmentId = await openAssessment(api, 'sql-developer');
    const noHeader = await uploadCsv(t, a.agents.recruiter, assessmentId, 'name,phone\nA,1\n');
    expect(noHeader.statusCode).toBe(400);
    expect(noHeader.json().error.details.fields.file).toMatch(/"email" column/);
    const notMultipart = await api.post(`/api/v1/assessments/${assessmentId}/imports`, { file: 'x' });
    expect(notMultipart.statusCode).toBe(400);
    const draft = ok(await api.post('/api/v1/assessments', { name: 'Draft' }), 201);
    expect((await uploadCsv(t, a.agents.recruiter, draft.id, fixture)).statusCode).toBe(409);
    const tooBig = await uploadCsv(
      t,
      a.agents.recruiter,
      assessmentId,
      Buffer.alloc(5 * 1024 * 1024 + 10, 'a'),
    );
    expect(tooBig.statusCode).toBe(413);
  });

  it('imports 10,000 rows as a job, reporting progress as it goes', async () => {
    const assessmentId = await openAssessment(api, 'backend-engineer', 'Big list');
    const lines = ['Email,Name,External Id'];
    for (let i = 0; i < 10_000; i++) lines.push(`person${i}@bulk.example,Person ${i},EXT-${i}`);
    const queued = ok(await uploadCsv(t, a.agents.recruiter, assessmentId, lines.join('\n')), 202);
    expect(queued.totalRows).toBe(10_000);

    await runImportChunk(t.ctx, queued.id);
    const midway = ok(await api.get(`/api/v1/candidate-imports/${queued.id}`));
    expect(midway).toMatchObject({ status: 'running', processedRows: 2500, accepted: 2500, report: [] });

    // Only the import job: the 10,000 invitation emails stay queued for the mail worker.
    await new JobRunner(t.ctx, [importCandidatesJob], { workerId: 'import-only' }).drain();
    const done = ok(await api.get(`/api/v1/candidate-imports/${queued.id}`));
    expect(done).toMatchObject({ status: 'done', processedRows: 10_000, accepted: 10_000, rejected: 0 });
    const count = await t.ctx.db
      .selectFrom('invitations')
      .select(t.ctx.db.fn.countAll<number>().as('n'))
      .where('assessment_id', '=', assessmentId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(10_000);
    const summary = ok(await api.get(`/api/v1/assessments/${assessmentId}`));
    expect(summary.counts.invited).toBe(10_000);
  }, 120_000);
});
