import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, type BlobStore, BlobTooLargeError } from './blob-store.js';

const KEY = /^(?:[a-z0-9-]{1,40}\/)?[0-9a-f]{2}\/[0-9a-f]{32}$/;

/** Blobs as files under one root; written to a temp name and renamed, so a reader never sees half. */
export function createLocalBlobStore(root: string): BlobStore {
  fs.mkdirSync(root, { recursive: true });
  const fileFor = (key: string) => {
    if (!KEY.test(key)) throw new BlobNotFoundError(key);
    return path.join(root, key);
  };
  return {
    async put(body, { maxBytes, prefix }) {
      if (prefix !== undefined && !/^[a-z0-9-]{1,40}$/.test(prefix)) throw new Error('bad blob prefix');
      const id = randomBytes(16).toString('hex');
      const key = `${prefix ? `${prefix}/` : ''}${id.slice(0, 2)}/${id}`;
      const file = path.join(root, key);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      const hash = createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          if (size > maxBytes) return cb(new BlobTooLargeError(maxBytes));
          hash.update(chunk);
          cb(null, chunk);
        },
      });
      // Opened before the pipeline starts: a stream that opens its file by itself can create it
      // after a failed pipeline's cleanup has run, and leave it behind.
      const handle = await fs.promises.open(tmp, 'wx', 0o600);
      try {
        await pipeline(body, meter, handle.createWriteStream());
        await fs.promises.rename(tmp, file);
      } catch (err) {
        await handle.close().catch(() => {});
        await fs.promises.rm(tmp, { force: true });
        throw err;
      }
      return { key, size, sha256: hash.digest('hex') };
    },
    async get(key): Promise<Readable> {
      const file = fileFor(key);
      try {
        await fs.promises.access(file);
      } catch {
        throw new BlobNotFoundError(key);
      }
      return fs.createReadStream(file);
    },
    async exists(key) {
      try {
        await fs.promises.access(fileFor(key));
        return true;
      } catch {
        return false;
      }
    },
    async delete(key) {
      await fs.promises.rm(fileFor(key), { force: true });
    },
  };
}
