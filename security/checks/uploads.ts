// H1–H3: a malicious upload corpus against the candidate upload route, and how accepted files are
// served back to staff. Disguised files (an executable named .pdf, HTML or SVG named .png, binary in a
// text type, double extensions, unsafe archives) must be refused; what is accepted must only ever be
// served as an attachment with nosniff, a sandbox CSP and a neutral type; stored names are sanitised
// and storage keys are the server's own. The virus-scan hook fails closed. The 1 GB body (50 MB quick)
// goes to a real server process, slowly, while its memory is watched.
import http from 'node:http';
import path from 'node:path';
import { zipSync } from 'fflate';
import type { ScanHook } from '../../server/blobs/scan-hook.js';
import { loadConfig } from '../../server/config.js';
import { createContext } from '../../server/context.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import {
  asCandidate,
  createTestAssessment,
  createTestInvitation,
  createTestOrg,
  createTestUploadTask,
  filePart,
  startBrowser,
  uploadSection,
} from '../../server/modules/attempts/attempts.factories.js';
import { createTestApp } from '../../server/test/harness.js';
import { readFilesUnder } from '../lib/dump.js';
import { atMost, type Figure, fmt, reported, zero } from '../lib/figures.js';
import { freePort } from '../lib/pg-cluster.js';
import { cookiesOf, request, sleep, startServer } from '../lib/server-process.js';
import { type CheckContext, call, pick } from '../lib/world.js';
import { serverDatabase } from './durability.js';

const MB = 1024 * 1024;
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120, 0)]);
const PE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(60, 0x90), Buffer.from('PE\0\0')]);
const HTML =
  '<!doctype html><html><body><script>fetch("/api/v1/api-keys",{method:"POST"})</script></body></html>';
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>';
const POLYGLOT = `%PDF-1.4\n1 0 obj<<>>endobj\n<html><script>alert(1)</script></html>\n%%EOF\n`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const UNSAFE_NAME = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]|[\\/]/;

type Sample = {
  name: string;
  /** refuse: must not be accepted; safe: may be accepted, then only ever served as an attachment. */
  expect: 'refuse' | 'safe';
  body: () => { payload: Buffer; contentType: string };
};

const file =
  (filename: string, content: Buffer | string, star = false) =>
  () =>
    filePart(filename, content, { filenameStar: star });

function manyParts(fields: number, files: number) {
  const boundary = '----assaymany';
  const parts: Buffer[] = [];
  for (let i = 0; i < fields; i++)
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`));
  for (let i = 0; i < files; i++)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a${i}.sql"\r\nContent-Type: text/plain\r\n\r\nselect ${i};\r\n`,
      ),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return () => ({ payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` });
}

function corpus(): Sample[] {
  const zeros = new Uint8Array(30 * MB);
  const inner = zipSync({ 'z.txt': [new Uint8Array(2 * MB), { level: 9 }] });
  const nested = zipSync(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`inner${i}.zip`, inner])));
  const many = Object.fromEntries(
    Array.from({ length: 1_001 }, (_, i) => [`f${i}.sql`, new TextEncoder().encode('select 1;')]),
  );
  return [
    { name: 'ELF executable renamed .pdf', expect: 'refuse', body: file('report.pdf', ELF) },
    { name: 'PE executable renamed .txt', expect: 'refuse', body: file('notes.txt', PE) },
    { name: 'HTML with script as .png', expect: 'refuse', body: file('photo.png', HTML) },
    { name: 'SVG with script as .png', expect: 'refuse', body: file('logo.png', SVG) },
    { name: 'SVG with script as .md (text)', expect: 'safe', body: file('diagram.md', SVG) },
    { name: 'HTML with script as .txt (text)', expect: 'safe', body: file('page.txt', HTML) },
    { name: 'PDF/HTML polyglot as .pdf', expect: 'safe', body: file('cv.pdf', POLYGLOT) },
    { name: 'double extension .pdf.js', expect: 'refuse', body: file('report.pdf.js', 'alert(1)') },
    { name: 'double extension .sql.exe', expect: 'refuse', body: file('schema.sql.exe', PE) },
    { name: 'no extension', expect: 'refuse', body: file('Makefile', 'all:\n') },
    { name: 'NUL in the name', expect: 'safe', body: file('evil\u0000.sql', 'select 1;\n', true) },
    {
      name: 'CRLF in the name',
      expect: 'safe',
      body: file('a\r\nX-Injected: 1\r\n.sql', 'select 1;\n', true),
    },
    {
      name: 'RTL override in the name',
      expect: 'safe',
      body: file('invoice\u202Efdp.sql', 'select 1;\n', true),
    },
    {
      name: 'path in the name',
      expect: 'safe',
      body: file('../../../etc/cron.d/x.sql', 'select 1;\n', true),
    },
    {
      name: 'quotes and Unicode in the name',
      expect: 'safe',
      body: file('ré"sumé"; filename=x.sql', 'select 1;\n', true),
    },
    { name: '4 KB name', expect: 'safe', body: file(`${'a'.repeat(4096)}.sql`, 'select 1;\n') },
    {
      name: 'NUL bytes in a text type',
      expect: 'refuse',
      body: file('data.sql', Buffer.from('select\u00001;')),
    },
    {
      name: 'invalid UTF-8 in a text type',
      expect: 'refuse',
      body: file('data.sql', Buffer.from([0x73, 0xff, 0xfe, 0x0a])),
    },
    {
      name: 'zip bomb (30 MB of zeros)',
      expect: 'refuse',
      body: file('bomb.zip', Buffer.from(zipSync({ 'zeros.sql': [zeros, { level: 9 }] }))),
    },
    { name: 'nested zips (42.zip style)', expect: 'safe', body: file('nested.zip', Buffer.from(nested)) },
    {
      name: 'zip slip ../../',
      expect: 'refuse',
      body: file('slip.zip', Buffer.from(zipSync({ '../../evil.sh': new TextEncoder().encode('rm -rf /') }))),
    },
    {
      name: 'zip with an absolute path',
      expect: 'refuse',
      body: file('abs.zip', Buffer.from(zipSync({ '/etc/passwd': new TextEncoder().encode('x') }))),
    },
    {
      name: 'zip with a symlink entry',
      expect: 'refuse',
      body: file(
        'link.zip',
        Buffer.from(
          zipSync({
            link: [new TextEncoder().encode('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
          }),
        ),
      ),
    },
    { name: 'zip with 1,001 entries', expect: 'refuse', body: file('many.zip', Buffer.from(zipSync(many))) },
    {
      name: 'file over the size limit (2 MB)',
      expect: 'refuse',
      body: file('big.sql', `-- ${'a'.repeat(2 * MB)}\n`),
    },
    { name: '10,000 multipart parts', expect: 'refuse', body: manyParts(10_000, 1) },
    // The route takes one file per request: the first is kept, the rest are never stored.
    { name: '1,000 files in one request', expect: 'safe', body: manyParts(0, 1_000) },
  ];
}

export async function maliciousUploads(c: CheckContext): Promise<Figure[]> {
  let scanMode: 'clean' | 'eicar' | 'throws' | 'nonsense' = 'clean';
  const scanner: ScanHook = async (_f, open) => {
    if (scanMode === 'throws') throw new Error('clamd: connection refused');
    if (scanMode === 'nonsense') return undefined as never;
    const chunks: Buffer[] = [];
    for await (const ch of await open()) chunks.push(ch as Buffer);
    return Buffer.concat(chunks).includes(EICAR)
      ? { clean: false, reason: 'Eicar-Signature' }
      : { clean: true };
  };
  const t = await createTestApp(c.dialect, { overrides: { scanUpload: scanner } });
  try {
    const org = await createTestOrg(t.ctx);
    const accept = ['.sql', '.pdf', '.png', '.txt', '.md'];
    const task = await createTestUploadTask(t.ctx, org, {
      accept,
      maxSizeMb: 1,
      maxFiles: 3,
      allowZip: true,
    });
    const assessmentId = await createTestAssessment(t.ctx, org, [
      uploadSection('work', task.id, { accept, maxSizeMb: 1, maxFiles: 3, allowZip: true }),
    ]);
    const unsafe: string[] = [];
    const fives: string[] = [];
    const names: string[] = [];
    const samples = corpus();
    let accepted = 0;
    let downloads = 0;
    const acceptedBy: Array<{
      token: string;
      browser: Awaited<ReturnType<typeof startBrowser>>;
      rows: Array<{ id: string; display_name: string }>;
    }> = [];
    const blobRoot = path.join(t.dataDir, 'blobs');
    const rounds = pick(c.scale, { test: 1, quick: 1, full: 3 });
    for (let round = 0; round < rounds; round++) {
      for (const s of samples) {
        const inv = await createTestInvitation(t.ctx, org, assessmentId);
        const browser = await startBrowser(t, inv.token);
        const body = s.body();
        const res = await call(t.app, {
          method: 'POST',
          url: '/api/v1/take/uploads/work',
          headers: { ...browser.headers, 'content-type': body.contentType },
          payload: body.payload,
          ip: browser.ip,
        });
        if (res.statusCode >= 500) fives.push(`${s.name}: ${res.statusCode} ${res.body.slice(0, 120)}`);
        const rows = await t.ctx.db
          .selectFrom('uploads as u')
          .innerJoin('attempts as a', 'a.id', 'u.attempt_id')
          .select(['u.id', 'u.attempt_id', 'u.display_name', 'u.blob_key'])
          .where('a.invitation_id', '=', inv.invitationId)
          .execute();
        if (res.statusCode !== 201) {
          if (rows.length) unsafe.push(`${s.name}: refused (${res.statusCode}) but a row was kept`);
          continue;
        }
        accepted++;
        if (s.expect === 'refuse') unsafe.push(`${s.name}: accepted`);
        if (rows.length > 1) unsafe.push(`${s.name}: ${rows.length} files stored from one request`);
        acceptedBy.push({ token: inv.token, browser, rows });
        for (const row of rows) {
          if (UNSAFE_NAME.test(row.display_name) || row.display_name.length > 120)
            names.push(`${s.name}: stored name ${JSON.stringify(row.display_name.slice(0, 60))}`);
          if (!/^uploads\/[0-9a-f]{2}\/[0-9a-f]{32}$/.test(row.blob_key))
            names.push(`${s.name}: storage key ${row.blob_key} is not the server's`);
          const dl = await call(t.app, {
            method: 'GET',
            url: `/api/v1/attempts/${row.attempt_id}/uploads/${row.id}/download`,
            headers: { ...(await staffHeaders(t, org.email)) },
          });
          downloads++;
          const h = dl.headers;
          const cd = String(h['content-disposition'] ?? '');
          if (dl.statusCode !== 200) unsafe.push(`${s.name}: download answered ${dl.statusCode}`);
          else if (
            !cd.startsWith('attachment') ||
            h['x-content-type-options'] !== 'nosniff' ||
            !String(h['content-type']).startsWith('application/octet-stream') ||
            !String(h['content-security-policy'] ?? '').includes('sandbox')
          )
            unsafe.push(
              `${s.name}: served inline or sniffable (${h['content-type']}; ${cd}; ${h['x-content-type-options']})`,
            );
          if (/[\r\n]/.test(cd) || h['x-injected'])
            unsafe.push(`${s.name}: header injection through the name`);
        }
      }
    }
    // Reviewers download the same files from the review queue: the same rules hold there.
    for (const x of acceptedBy) await asCandidate(t, x.browser).post('/api/v1/take/submit', {});
    await t.runJobs();
    const reviewer = await staffHeaders(t, org.email);
    for (const x of acceptedBy) {
      for (const row of x.rows) {
        const item = await t.ctx.db
          .selectFrom('review_items as ri')
          .innerJoin('uploads as u', 'u.attempt_id', 'ri.attempt_id')
          .select('ri.id')
          .where('u.id', '=', row.id)
          .executeTakeFirst();
        if (!item) continue;
        const dl = await call(t.app, {
          method: 'GET',
          url: `/api/v1/reviews/items/${item.id}/files/${row.id}`,
          headers: reviewer,
        });
        downloads++;
        const cd = String(dl.headers['content-disposition'] ?? '');
        if (dl.statusCode !== 200)
          unsafe.push(
            `review download of ${JSON.stringify(row.display_name.slice(0, 40))}: ${dl.statusCode} ${dl.body.slice(0, 100)}`,
          );
        else if (
          !cd.startsWith('attachment') ||
          dl.headers['x-content-type-options'] !== 'nosniff' ||
          !String(dl.headers['content-type']).startsWith('application/octet-stream')
        )
          unsafe.push(`review download: served inline or sniffable (${dl.headers['content-type']}; ${cd})`);
        else if (
          !/^attachment; filename="[\x20-\x7e]*"(; filename\*=UTF-8''[A-Za-z0-9%!._~-]*)?$/.test(cd) ||
          (cd.match(/filename=/g) ?? []).length > 1
        )
          unsafe.push(`review download: Content-Disposition not RFC 6266-safe: ${cd.slice(0, 120)}`);
      }
    }
    // Refused uploads leave nothing behind once the jobs ran.
    await t.runJobs();
    const live = new Set(
      (await t.ctx.db.selectFrom('uploads').select('blob_key').where('removed_at', 'is', null).execute()).map(
        (r) => r.blob_key,
      ),
    );
    const leftovers = readFilesUnder(blobRoot)
      .map((f) => f.file.split(path.sep).join('/'))
      .filter((k) => !live.has(k));
    // The scan hook: EICAR is refused; a scanner that is down or answers nonsense refuses everything.
    const av: string[] = [];
    for (const [mode, content, want] of [
      ['eicar', EICAR, 415],
      ['throws', 'select 1;\n', 503],
      ['nonsense', 'select 1;\n', 503],
    ] as const) {
      scanMode = mode;
      const inv = await createTestInvitation(t.ctx, org, assessmentId);
      const res = await asCandidate(t, await startBrowser(t, inv.token)).upload('work', 'eicar.txt', content);
      if (res.statusCode !== want)
        av.push(`scanner ${mode}: ${res.statusCode} (expected ${want}) ${res.body.slice(0, 100)}`);
      const kept = await t.ctx.db
        .selectFrom('uploads as u')
        .innerJoin('attempts as a', 'a.id', 'u.attempt_id')
        .select('u.id')
        .where('a.invitation_id', '=', inv.invitationId)
        .execute();
      if (kept.length) av.push(`scanner ${mode}: the file was kept`);
    }
    scanMode = 'clean';
    const total = samples.length * rounds;
    return [
      zero(
        'H1',
        'malicious samples accepted or served inline',
        unsafe,
        `of ${total} corpus samples (${accepted} accepted as harmless text or documents and checked on ${downloads} downloads)`,
      ),
      zero(
        'H1',
        'fail-open on scanner outage',
        av,
        'for EICAR with a scanner, a scanner that is down and one that answers nonsense (ScanHook fails closed)',
      ),
      zero(
        'H2',
        '5xx on abusive uploads',
        fives,
        `of ${total} samples (size, part and file-count limits answer 4xx)`,
      ),
      zero(
        'H3',
        'unsafe stored names or keys',
        names,
        'for NUL, CRLF, RTL-override, path, quote and 4 KB names (sanitised, ≤120 characters, server-made keys)',
      ),
      zero(
        'H3',
        'files left by refused uploads',
        leftovers.map((k) => `orphan ${k}`),
        'in the blob store after the jobs ran',
      ),
    ];
  } finally {
    await t.close();
  }
}

async function staffHeaders(t: Awaited<ReturnType<typeof createTestApp>>, email: string) {
  const { signInAgent } = await import('../../server/test/harness.js');
  const { PASSWORD } = await import('../../server/test/factories.js');
  return (await signInAgent(t.app, email, PASSWORD)).headers;
}

/** H2 at size: a 1 GB body (50 MB quick) sent slowly to a real server; memory and the early 413. */
export async function bigUpload(c: CheckContext): Promise<Figure[]> {
  const total = pick(c.scale, { test: 20 * MB, quick: 50 * MB, full: 1024 * MB });
  const rate = pick(c.scale, { test: 40 * MB, quick: 25 * MB, full: 50 * MB }); // bytes per second
  const { dataDir, env } = await serverDatabase(c.dialect, undefined, 'upload');
  const port = await freePort();
  const ctx = createContext(loadConfig(env));
  let invitationToken = '';
  try {
    await migrateToLatest(ctx.db);
    const org = await createTestOrg(ctx);
    const task = await createTestUploadTask(ctx, org, { accept: ['.sql'], maxSizeMb: 1, maxFiles: 2 });
    const assessmentId = await createTestAssessment(ctx, org, [
      uploadSection('work', task.id, { accept: ['.sql'], maxSizeMb: 1, maxFiles: 2 }),
    ]);
    invitationToken = (await createTestInvitation(ctx, org, assessmentId)).token;
  } finally {
    await ctx.close();
  }
  const server = await startServer({ env, port, logFile: path.join(dataDir, 'server.log') });
  try {
    const start = await request(server.url, {
      method: 'POST',
      path: '/api/v1/take/start',
      json: { token: invitationToken },
    });
    const cookie = cookiesOf(start);
    // Warm up the route, then take the baseline.
    await request(server.url, { method: 'GET', path: '/api/v1/take/attempt', headers: { cookie } });
    await sleep(500);
    const base = server.rss();
    let peak = base.current;
    const sampler = setInterval(() => {
      peak = Math.max(peak, server.rss().current);
    }, 25);
    const boundary = '----assaybig';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.sql"\r\nContent-Type: text/plain\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 'a');
    const started = Date.now();
    const result = await new Promise<{ status: number; body: string; sentAtReply: number; sent: number }>(
      (resolve) => {
        let sent = 0;
        let replied: { status: number; body: string; sentAtReply: number } | undefined;
        let done = false;
        const req = http.request({
          hostname: '127.0.0.1',
          port,
          path: '/api/v1/take/uploads/work',
          method: 'POST',
          headers: {
            cookie,
            'x-assay-candidate': '1',
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': String(head.length + total + tail.length),
          },
        });
        const finish = () => {
          if (done) return;
          done = true;
          resolve({ ...(replied ?? { status: 0, body: '', sentAtReply: sent }), sent });
        };
        req.on('response', (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => {
            replied = {
              status: res.statusCode ?? 0,
              body: Buffer.concat(parts).toString('utf8'),
              sentAtReply: sent,
            };
          });
        });
        req.on('error', finish);
        req.on('close', finish);
        req.write(head);
        // An attacker ignores the 413 and keeps sending: the server must stay flat, or hang up.
        const pump = async () => {
          while (sent < total && !req.destroyed && !done) {
            const n = Math.min(chunk.length, total - sent);
            const ok = req.write(n === chunk.length ? chunk : chunk.subarray(0, n));
            sent += n;
            if (!ok) await Promise.race([new Promise((r) => req.once('drain', r)), sleep(5_000)]);
            // Slowly: no faster than `rate`.
            const ahead = sent / rate - (Date.now() - started) / 1000;
            if (ahead > 0) await sleep(ahead * 1000);
          }
          if (!req.destroyed) req.end(tail);
          await sleep(2_000);
          req.destroy();
          finish();
        };
        void pump();
      },
    );
    clearInterval(sampler);
    const after = server.rss();
    const growth = Math.max(peak, after.peak > base.peak ? after.peak : 0) - base.current;
    const code = (() => {
      try {
        return (JSON.parse(result.body) as { error?: { code?: string } }).error?.code ?? '';
      } catch {
        return '';
      }
    })();
    const refusals: string[] = [];
    if (result.status !== 413 || code !== 'PAYLOAD_TOO_LARGE')
      refusals.push(`answered ${result.status} ${result.body.slice(0, 120)}`);
    const early = result.sentAtReply;
    // A slow drip (1 byte a second) must not hold a connection forever (full run only: it takes
    // the server's request timeout, two minutes).
    const drip: Figure[] = [];
    if (c.scale === 'full') {
      const net = await import('node:net');
      const closedAfter = await new Promise<number>((resolve) => {
        const t0 = Date.now();
        const sock = net.connect(port, '127.0.0.1', () => {
          sock.write(
            `POST /api/v1/take/uploads/work HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\nX-Assay-Candidate: 1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000\r\n\r\n`,
          );
          const timer = setInterval(() => sock.write('a'), 1_000);
          const done = () => {
            clearInterval(timer);
            resolve((Date.now() - t0) / 1000);
          };
          sock.on('close', done);
          sock.on('error', done);
          setTimeout(() => sock.destroy(), 300_000).unref();
        });
        sock.on('data', () => {});
      });
      drip.push(
        atMost(
          'H2',
          'slow-drip connection time',
          closedAfter,
          130,
          `a 1 byte/s upload was cut off after ${fmt(closedAfter)} s (request timeout 120 s)`,
          {
            unit: 's',
          },
        ),
      );
    }
    return [
      ...drip,
      atMost(
        'H2',
        'peak RSS growth',
        growth / MB,
        50,
        `peak RSS growth ${fmt(growth / MB, 1)} MB while ${fmt(total / MB)} MB were sent at ${fmt(rate / MB)} MB/s to a 1 MB upload section (baseline ${fmt(base.current / MB)} MB)`,
        { strict: true, unit: 'MB' },
      ),
      zero(
        'H2',
        'oversized bodies not refused with 413',
        refusals,
        `for the ${fmt(total / MB)} MB body (clear code PAYLOAD_TOO_LARGE)`,
      ),
      reported(
        'H2',
        'bytes before the 413',
        early,
        `the 413 arrived after ${fmt(early / MB, 1)} MB; the client ignored it and pushed ${fmt(result.sent / MB, 1)} of ${fmt(total / MB)} MB before ${result.sent < total ? 'the server hung up' : 'it was done'} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      ),
    ];
  } finally {
    await server.stop();
    const fs = await import('node:fs');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
