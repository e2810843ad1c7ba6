import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { BlobNotFoundError, BlobTooLargeError } from './blob-store.js';
import { createLocalBlobStore } from './local-blob-store.js';

function tmpStore() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-blobs-'));
  return { root, store: createLocalBlobStore(root) };
}

function filesUnder(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) =>
    fs.statSync(path.join(root, f)).isFile(),
  );
}

describe('local blob store', () => {
  it('leaves no file behind when the body has already failed', async () => {
    // An upload whose request broke before the store was called: the pipeline fails at once, and a
    // write stream that opened its file by itself would create it after the cleanup had run.
    const { root, store } = tmpStore();
    for (let i = 0; i < 20; i++) {
      const failed = new Readable({ read() {} });
      failed.on('error', () => {});
      failed.destroy(new Error('client went away'));
      await expect(store.put(failed, { maxBytes: 100, prefix: 'uploads' })).rejects.toThrow();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(filesUnder(root)).toEqual([]);
  });

  it('streams a file in, reports size and SHA-256, and reads it back', async () => {
    const { store } = tmpStore();
    const put = await store.put(Readable.from([Buffer.from('hello '), Buffer.from('world')]), {
      maxBytes: 100,
      prefix: 'uploads',
    });
    expect(put.size).toBe(11);
    expect(put.sha256).toBe('b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9');
    expect(put.key).toMatch(/^uploads\/[0-9a-f]{2}\/[0-9a-f]{32}$/);
    expect(await store.exists(put.key)).toBe(true);
    expect((await buffer(await store.get(put.key))).toString()).toBe('hello world');
    await store.delete(put.key);
    expect(await store.exists(put.key)).toBe(false);
  });

  it('aborts past the size limit and leaves no file behind', async () => {
    const { root, store } = tmpStore();
    const big = Readable.from(
      (function* () {
        for (let i = 0; i < 20; i++) yield Buffer.alloc(1024, 1);
      })(),
    );
    await expect(store.put(big, { maxBytes: 10_000 })).rejects.toBeInstanceOf(BlobTooLargeError);
    const files = fs
      .readdirSync(root, { recursive: true })
      .filter((f) => fs.statSync(path.join(root, String(f))).isFile());
    expect(files).toEqual([]);
  });

  it('refuses keys that are not its own, so a name can never become a path', async () => {
    const { store } = tmpStore();
    await expect(store.get('../../etc/passwd')).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.get('uploads/../../x')).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await store.exists('/etc/passwd')).toBe(false);
    await expect(store.put(Readable.from(['x']), { maxBytes: 10, prefix: '../x' })).rejects.toThrow();
  });
});
