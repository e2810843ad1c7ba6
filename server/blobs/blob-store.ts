// Where uploaded files live. Keys are made by the server (never from a user's filename), so a name
// like `../../etc/passwd` can't become a path.
import type { Readable } from 'node:stream';

export type PutResult = { key: string; size: number; sha256: string };

export type BlobStore = {
  /** Streams `body` into a new blob; rejects with BlobTooLargeError past maxBytes, leaving nothing. */
  put(body: Readable, opts: { maxBytes: number; prefix?: string }): Promise<PutResult>;
  get(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
};

export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than the limit of ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

export class BlobNotFoundError extends Error {
  constructor(key: string) {
    super(`No blob ${key}`);
    this.name = 'BlobNotFoundError';
  }
}
