import fs from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../crypto.js';
import { createTestApp, dialects, type TestApp } from '../../test/harness.js';
import type { Section } from '../assessments/assessment.model.js';
import {
  asCandidate,
  createTestAssessment,
  createTestInvitation,
  createTestOrg,
  createTestUploadTask,
  json,
  startBrowser,
  type TestOrg,
  uploadSection,
} from './attempts.factories.js';

const PDF = Buffer.from(
  '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c6300010000050001',
  'hex',
);
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120, 0)]);

describe.each(dialects)('candidate uploads (%s)', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  let taskId: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    org = await createTestOrg(t.ctx);
    taskId = (await createTestUploadTask(t.ctx, org)).id;
  });
  afterAll(() => t.close());

  async function candidateIn(section: Partial<Section> = {}) {
    const assessmentId = await createTestAssessment(t.ctx, org, [uploadSection('work', taskId, section)]);
    const inv = await createTestInvitation(t.ctx, org, assessmentId);
    const c = asCandidate(t, await startBrowser(t, inv.token));
    const attempt = await t.ctx.db
      .selectFrom('attempts')
      .select('id')
      .where('invitation_id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    return { c, attemptId: attempt.id };
  }

  const storedFiles = () => {
    const root = path.join(t.dataDir, 'blobs', 'uploads');
    if (!fs.existsSync(root)) return [];
    return fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
  };
  const rowsOf = (attemptId: string) =>
    t.ctx.db.selectFrom('uploads').selectAll().where('attempt_id', '=', attemptId).execute();

  async function refused(
    res: { statusCode: number; json(): { error: { code: string } } },
    status: number,
    code: string,
  ) {
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  }

  it('stores accepted files under server-made keys with their SHA-256', async () => {
    const { c, attemptId } = await candidateIn();
    const before = storedFiles().length;
    const sql = 'create table orders (id bigint primary key);\n';
    const a = json(await c.upload('work', 'schema.sql', sql), 201);
    expect(a).toMatchObject({ name: 'schema.sql', size: sql.length, sha256: sha256Hex(sql) });
    const b = json(await c.upload('work', 'design.pdf', PDF), 201);
    expect(b.sha256).toBe(sha256Hex(PDF));
    const rows = await rowsOf(attemptId);
    expect(rows.map((r) => [r.display_name, r.extension, r.content_type])).toEqual([
      ['schema.sql', '.sql', 'text/plain; charset=utf-8'],
      ['design.pdf', '.pdf', 'application/pdf'],
    ]);
    for (const r of rows) expect(r.blob_key).toMatch(/^uploads\/[0-9a-f]{2}\/[0-9a-f]{32}$/);
    expect(storedFiles().length).toBe(before + 2);
    // The section takes two files: a third is refused until one is removed (replace = remove + upload).
    await refused(await c.upload('work', 'more.sql', 'select 1;'), 409, 'CONFLICT');
    expect((await c.delete(`/api/v1/take/uploads/${a.id}`)).statusCode).toBe(204);
    expect(storedFiles().length).toBe(before + 1);
    json(await c.upload('work', 'schema-v2.sql', 'select 2;'), 201);
    const state = await c.state();
    expect(state.current.files.map((f: { name: string }) => f.name)).toEqual(['design.pdf', 'schema-v2.sql']);
    // Once the section is submitted its files are fixed.
    json(await c.post('/api/v1/take/sections/work/submit'));
    await refused(await c.delete(`/api/v1/take/uploads/${b.id}`), 409, 'ATTEMPT_CLOSED');
  });

  it('refuses a file over the size limit while it streams, keeping nothing', async () => {
    const { c, attemptId } = await candidateIn({ maxSizeMb: 1 });
    const before = storedFiles().length;
    await refused(
      await c.upload('work', 'big.sql', Buffer.alloc(1024 * 1024 + 1, 0x61)),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(await rowsOf(attemptId)).toEqual([]);
    expect(storedFiles().length).toBe(before);
    json(await c.upload('work', 'exact.sql', Buffer.alloc(1024 * 1024, 0x61)), 201);
  });

  it('refuses files whose bytes are not what the extension says', async () => {
    const { c, attemptId } = await candidateIn({ accept: ['.pdf', '.png', '.sql'] });
    const before = storedFiles().length;
    await refused(await c.upload('work', 'cv.pdf', ELF), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await refused(await c.upload('work', 'cv.pdf', PNG), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await refused(await c.upload('work', 'shot.png', PDF), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await refused(await c.upload('work', 'query.sql', ELF), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await refused(
      await c.upload('work', 'query.sql', Buffer.from([0x73, 0x65, 0xff, 0xfe, 0x6c])),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    await refused(
      await c.upload('work', 'query.sql', 'select 1;\u0000drop table x;'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(await rowsOf(attemptId)).toEqual([]);
    expect(storedFiles().length).toBe(before);
    json(await c.upload('work', 'shot.png', PNG), 201);
  });

  it('judges a name by its last extension, and sanitises what it displays', async () => {
    const { c, attemptId } = await candidateIn({ accept: ['.pdf', '.sql'] });
    await refused(await c.upload('work', 'invoice.pdf.js', 'alert(1)'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await refused(await c.upload('work', 'noextension', 'select 1;'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const nul = json(
      await c.upload('work', 'schema\u0000.pdf.sql', 'select 1;', { filenameStar: true }),
      201,
    );
    expect(nul.name).toBe('schema.pdf.sql');
    const traversal = json(
      await c.upload('work', '..\\..\\windows\\..\\etc/passwd\u202Egpj.sql', 'select 2;', {
        filenameStar: true,
      }),
      201,
    );
    expect(traversal.name).toBe('passwdgpj.sql');
    const rows = await rowsOf(attemptId);
    for (const r of rows) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
      expect(r.display_name).not.toMatch(/[\u0000-\u001f/\\\u202a-\u202e]/);
      expect(r.blob_key).toMatch(/^uploads\/[0-9a-f]{2}\/[0-9a-f]{32}$/);
    }
    const { c: c2 } = await candidateIn({ accept: ['.js', '.sql'] });
    const js = json(await c2.upload('work', 'invoice.pdf.js', 'console.log(1);'), 201);
    expect(js.name).toBe('invoice.pdf.js');
    const long = json(await c2.upload('work', `${'x'.repeat(300)}.sql`, 'select 3;'), 201);
    expect(long.name).toHaveLength(120);
    expect(long.name.endsWith('.sql')).toBe(true);
  });

  it('accepts zips only where allowed, after checking their directory and real size', async () => {
    const good = Buffer.from(
      zipSync({
        'src/main.py': new TextEncoder().encode('print(1)\n'),
        'README.md': new TextEncoder().encode('# hi\n'),
      }),
    );
    const { c: noZip } = await candidateIn({ allowZip: false });
    await refused(await noZip.upload('work', 'work.zip', good), 415, 'UNSUPPORTED_MEDIA_TYPE');

    const { c, attemptId } = await candidateIn({ allowZip: true, maxSizeMb: 0.5, maxFiles: 5 });
    const before = storedFiles().length;
    // A bomb: 20 MB of zeros packs into a few kB; the byte counter stops it at 10 × 0.5 MB.
    const bomb = Buffer.from(zipSync({ 'zeros.txt': new Uint8Array(20 * 1024 * 1024) }, { level: 9 }));
    expect(bomb.length).toBeLessThan(512 * 1024);
    await refused(await c.upload('work', 'bomb.zip', bomb), 413, 'PAYLOAD_TOO_LARGE');
    // Zip slip, absolute paths, symbolic links, too many entries.
    const slip = Buffer.from(zipSync({ '../evil.sh': new TextEncoder().encode('rm -rf /\n') }));
    await refused(await c.upload('work', 'slip.zip', slip), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const absolute = Buffer.from(zipSync({ '/etc/cron.d/x': new TextEncoder().encode('x') }));
    await refused(await c.upload('work', 'abs.zip', absolute), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const link = Buffer.from(
      zipSync({ link: [new TextEncoder().encode('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] }),
    );
    await refused(await c.upload('work', 'link.zip', link), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const many = Buffer.from(
      zipSync(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`f${i}.txt`, new Uint8Array(0)])), {
        level: 0,
      }),
    );
    await refused(await c.upload('work', 'many.zip', many), 415, 'UNSUPPORTED_MEDIA_TYPE');
    // A zip in disguise, and a renamed file posing as a zip.
    await refused(await c.upload('work', 'fake.zip', PDF), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await rowsOf(attemptId)).toEqual([]);
    expect(storedFiles().length).toBe(before);
    json(await c.upload('work', 'work.zip', good), 201);
  });

  it('accepts uploads only in the current upload section, from the writing session, with the header', async () => {
    const { c } = await candidateIn();
    await refused(await c.upload('nope', 'a.sql', 'select 1;'), 404, 'NOT_FOUND');
    const noHeader = await t.app.inject({
      method: 'POST',
      url: '/api/v1/take/uploads/work',
      headers: { cookie: c.browser.cookie, 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x--\r\n',
    });
    await refused(noHeader, 403, 'CSRF_FAILED');
    t.clock.advance(20 * 60_000 + 6_000);
    await refused(await c.upload('work', 'late.sql', 'select 1;'), 409, 'ATTEMPT_CLOSED');
  });
});
