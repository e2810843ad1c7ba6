import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgWithTeam } from '../../test/factories.js';
import { createTestApp, dialects, nextIp, type TestApp } from '../../test/harness.js';
import { filePart } from '../attempts/attempts.factories.js';

const GIFT_WITH_ONE_BAD_ITEM = `
$CATEGORY: databases

::sql-count-null:: Which aggregate ignores NULL values in the column it counts? {
  =COUNT(column)
  ~COUNT(*)
  ####COUNT(column) skips NULLs; COUNT(*) counts rows.
}

::broken-essay:: Describe your favourite database. {}

::tx-isolation:: Which isolation levels prevent dirty reads in PostgreSQL? {
  ~%50%Read Committed
  ~%50%Serializable
  ~%-100%Read Uncommitted is a distinct level
  ####PostgreSQL never shows uncommitted data; its Read Uncommitted behaves like Read Committed.
}
`;

describe.each(dialects)('bank import and export (%s)', (dialect) => {
  let t: TestApp;
  let team: Awaited<ReturnType<typeof orgWithTeam>>;
  beforeAll(async () => {
    t = await createTestApp(dialect, { loadContent: true });
    team = await orgWithTeam(t.app, t.ctx);
  });
  afterAll(() => t.close());

  const upload = (name: string, content: string | Buffer, query = '') => {
    const part = filePart(name, content);
    return t.app.inject({
      method: 'POST',
      url: `/api/v1/bank/import${query}`,
      headers: { ...team.agents.recruiter.headers, 'content-type': part.contentType },
      payload: part.payload,
      remoteAddress: nextIp(),
    });
  };
  const countOrgQuestions = async () =>
    Number(
      (
        await t.ctx.db
          .selectFrom('questions')
          .select(t.ctx.db.fn.countAll<number>().as('n'))
          .where('org_id', '=', team.orgId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('previews without writing, reports the bad item, and imports the rest on confirm', async () => {
    const preview = await upload('bank.gift', GIFT_WITH_ONE_BAD_ITEM);
    expect(preview.statusCode).toBe(200);
    const body = preview.json();
    expect(body.format).toBe('gift');
    expect(body.confirmed).toBe(false);
    expect(body.counts).toMatchObject({ total: 3, new: 2, skipped: 1 });
    const skipped = body.items.find((i: { status: string }) => i.status === 'skipped');
    expect(skipped.reason).toBeTruthy();
    expect(await countOrgQuestions()).toBe(0);

    const confirmed = await upload('bank.gift', GIFT_WITH_ONE_BAD_ITEM, '?confirm=true');
    expect(confirmed.json().counts.new).toBe(2);
    expect(await countOrgQuestions()).toBe(2);
    const list = await t.app.inject({
      url: '/api/v1/questions?source=organization',
      headers: team.agents.recruiter.headers,
    });
    const multiple = list.json().items.find((q: { slug: string }) => q.slug === 'tx-isolation');
    expect(multiple.kind).toBe('multiple');
    expect(multiple.subtopic).toBe('databases');

    // Importing the same file again changes nothing: the ids already exist.
    const again = await upload('bank.gift', GIFT_WITH_ONE_BAD_ITEM, '?confirm=true');
    expect(again.json().counts).toMatchObject({ new: 0, unchanged: 2 });
    expect(await countOrgQuestions()).toBe(2);
  });

  it('changes nothing for a malformed or hostile file', async () => {
    const before = await countOrgQuestions();
    const xxe = `<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz><question type="multichoice"><name><text>&x;</text></name></question></quiz>`;
    const res = await upload('evil.xml', xxe, '?confirm=true');
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('root:');
    const garbage = await upload(
      'bank.zip',
      Buffer.from('PK\u0003\u0004 this is not a zip'),
      '?confirm=true',
    );
    expect(garbage.statusCode).toBe(400);
    expect(await countOrgQuestions()).toBe(before);
  });

  it('round-trips the built-in databases questions through a QTI 3.0 package', async () => {
    const exp = await t.app.inject({
      url: '/api/v1/bank/export?format=qti-3.0&source=builtin&subtopic=databases&includeUploadTasks=false',
      headers: team.agents.owner.headers,
    });
    expect(exp.statusCode).toBe(200);
    expect(exp.headers['content-disposition']).toMatch(/attachment/);
    const exported = Number(exp.headers['x-assay-items']);
    expect(exported).toBeGreaterThanOrEqual(50);
    const other = await orgWithTeam(t.app, t.ctx);
    const part = filePart('databases.zip', exp.rawPayload);
    const imported = await t.app.inject({
      method: 'POST',
      url: '/api/v1/bank/import?confirm=true',
      headers: { ...other.agents.owner.headers, 'content-type': part.contentType },
      payload: part.payload,
      remoteAddress: nextIp(),
    });
    expect(imported.json().counts).toMatchObject({ total: exported, new: exported, skipped: 0 });
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('org_id', '=', team.orgId)
      .execute();
    expect(audit.map((a) => a.action)).toContain('bank.exported');
  });

  it('says what GIFT could not carry', async () => {
    const exp = await t.app.inject({
      url: '/api/v1/bank/export?format=gift&source=builtin&subtopic=security-auth',
      headers: team.agents.owner.headers,
    });
    expect(exp.statusCode).toBe(200);
    const dropped = JSON.parse(String(exp.headers['x-assay-dropped']));
    expect(Object.keys(dropped)).toEqual(expect.arrayContaining(['difficulty']));
    expect(exp.body).toContain('$CATEGORY: security-auth');
  });

  it('keeps export to owners and admins and import away from reviewers', async () => {
    expect(
      (await t.app.inject({ url: '/api/v1/bank/export?format=gift', headers: team.agents.recruiter.headers }))
        .statusCode,
    ).toBe(403);
    const part = filePart('x.gift', '::a:: b {=c ~d}');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/bank/import',
      headers: { ...team.agents.reviewer.headers, 'content-type': part.contentType },
      payload: part.payload,
    });
    expect(res.statusCode).toBe(403);
  });
});
