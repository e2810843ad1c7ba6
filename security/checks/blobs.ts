// A4: faults at the BlobStore boundary. A wrapper around the real local store fails on cue: the disk
// fills up halfway through a file (ENOSPC), the device errors on open (EIO), a read back for the zip
// check fails, a delete fails. The candidate must get a clear, retryable error; no upload row may
// point at a missing or partial file; once the store works again the candidate can retry; and after
// the jobs run no file may be left that no row points at.
import path from 'node:path';
import { Transform } from 'node:stream';
import { zipSync } from 'fflate';
import type { BlobStore } from '../../server/blobs/blob-store.js';
import { createLocalBlobStore } from '../../server/blobs/local-blob-store.js';
import {
  asCandidate,
  createTestAssessment,
  createTestInvitation,
  createTestOrg,
  createTestUploadTask,
  startBrowser,
  uploadSection,
} from '../../server/modules/attempts/attempts.factories.js';
import { createTestApp } from '../../server/test/harness.js';
import { readFilesUnder } from '../lib/dump.js';
import { type Figure, fmt, zero } from '../lib/figures.js';
import { type CheckContext, pick } from '../lib/world.js';

type Fault = 'none' | 'enospc-midway' | 'eio-open' | 'get-fails' | 'delete-fails';

const fsError = (code: string) => Object.assign(new Error(`${code}: simulated storage fault`), { code });

function faultyStore(inner: BlobStore, fault: () => Fault): BlobStore {
  return {
    async put(body, opts) {
      const f = fault();
      if (f === 'eio-open') {
        body.resume();
        throw fsError('EIO');
      }
      if (f === 'enospc-midway') {
        let seen = 0;
        const full = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            seen += chunk.length;
            if (seen > 2048) return cb(fsError('ENOSPC'));
            cb(null, chunk);
          },
        });
        // The store's pipeline reports the error; this keeps it from also going unhandled meanwhile.
        full.on('error', () => {});
        body.on('error', (err) => full.destroy(err));
        return inner.put(body.pipe(full), opts);
      }
      return inner.put(body, opts);
    },
    async get(key) {
      if (fault() === 'get-fails') throw fsError('EIO');
      return inner.get(key);
    },
    exists: (key) => inner.exists(key),
    async delete(key) {
      if (fault() === 'delete-fails') throw fsError('EIO');
      return inner.delete(key);
    },
  };
}

export async function blobFaults(c: CheckContext): Promise<Figure[]> {
  let current: Fault = 'none';
  let root = '';
  const t = await createTestApp(c.dialect, {
    overrides: {
      blobs: faultyStore(
        {
          put: (...a) => createLocalBlobStore(root).put(...a),
          get: (k) => createLocalBlobStore(root).get(k),
          exists: (k) => createLocalBlobStore(root).exists(k),
          delete: (k) => createLocalBlobStore(root).delete(k),
        },
        () => current,
      ),
    },
  });
  root = path.join(t.dataDir, 'blobs');
  const rounds = pick(c.scale, { test: 2, quick: 5, full: 40 });
  try {
    const org = await createTestOrg(t.ctx);
    const task = await createTestUploadTask(t.ctx, org, {
      accept: ['.sql', '.txt'],
      maxSizeMb: 1,
      maxFiles: 3,
      allowZip: true,
    });
    const assessmentId = await createTestAssessment(t.ctx, org, [
      uploadSection('work', task.id, { accept: ['.sql', '.txt'], maxSizeMb: 1, maxFiles: 3, allowZip: true }),
    ]);
    const unclear: string[] = [];
    const noRetry: string[] = [];
    let faults = 0;
    const big = `-- ${'x'.repeat(8_000)}\nselect 1;\n`;
    const zip = Buffer.from(zipSync({ 'a.sql': Buffer.from('select 1;\n') }));
    for (let round = 0; round < rounds; round++) {
      const inv = await createTestInvitation(t.ctx, org, assessmentId);
      const cand = asCandidate(t, await startBrowser(t, inv.token));
      const cases: Array<[Fault, () => ReturnType<typeof cand.upload>]> = [
        ['enospc-midway', () => cand.upload('work', 'big.sql', big)],
        ['eio-open', () => cand.upload('work', 'small.sql', 'select 1;\n')],
        ['get-fails', () => cand.upload('work', 'bundle.zip', zip)],
      ];
      for (const [fault, send] of cases) {
        current = fault;
        const res = await send();
        faults++;
        current = 'none';
        const body = res.json() as { error?: { code?: string } };
        if (res.statusCode !== 503 || body.error?.code !== 'UNAVAILABLE' || !res.headers['retry-after'])
          unclear.push(`${fault}: ${res.statusCode} ${res.body.slice(0, 120)}`);
        const retry = await send();
        if (retry.statusCode !== 201)
          noRetry.push(`${fault}: retry answered ${retry.statusCode} ${retry.body.slice(0, 120)}`);
      }
      // A delete that fails when the candidate removes a file.
      const files = await t.ctx.db
        .selectFrom('uploads as u')
        .innerJoin('attempts as a', 'a.id', 'u.attempt_id')
        .select('u.id')
        .where('a.invitation_id', '=', inv.invitationId)
        .where('u.removed_at', 'is', null)
        .execute();
      const one = files[0];
      if (one) {
        current = 'delete-fails';
        const del = await cand.delete(`/api/v1/take/uploads/${one.id}`);
        faults++;
        current = 'none';
        if (del.statusCode !== 204) unclear.push(`delete-fails: removing answered ${del.statusCode}`);
      }
    }
    // The store works again; let the jobs run, then compare rows and files.
    await t.runJobs();
    const rows = await t.ctx.db
      .selectFrom('uploads')
      .select(['blob_key', 'removed_at', 'size', 'sha256'])
      .execute();
    const onDisk = new Map(readFilesUnder(root).map((f) => [f.file.split(path.sep).join('/'), f.bytes]));
    const inconsistent: string[] = [];
    for (const r of rows) {
      if (r.removed_at !== null) continue;
      const bytes = onDisk.get(r.blob_key);
      if (!bytes) inconsistent.push(`row points at missing file ${r.blob_key}`);
      else if (bytes.length !== r.size)
        inconsistent.push(`row ${r.blob_key}: ${r.size} bytes recorded, ${bytes.length} stored`);
    }
    const live = new Set(rows.filter((r) => r.removed_at === null).map((r) => r.blob_key));
    const orphans = [...onDisk.keys()].filter((k) => !live.has(k)).map((k) => `orphan file ${k}`);
    return [
      zero(
        'A4',
        'unclear storage errors',
        unclear,
        `of ${fmt(faults)} injected faults (ENOSPC midway, EIO on open, EIO reading back, EIO on delete): each a 503 UNAVAILABLE with Retry-After`,
      ),
      zero(
        'A4',
        'retries refused',
        noRetry,
        `after ${fmt(rounds * 3)} failed uploads, once the store works again`,
      ),
      zero('A4', 'inconsistent row↔file pairs', inconsistent, `over ${fmt(rows.length)} upload rows`),
      zero('A4', 'orphan files after the jobs ran', orphans, `in the blob store (${fmt(onDisk.size)} files)`),
    ];
  } finally {
    await t.close();
  }
}
