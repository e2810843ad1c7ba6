// Checks on a candidate's file, made while it streams and before it is accepted: the extension is
// judged by the last suffix of a sanitised name, binary formats must carry the magic bytes of their
// extension, text formats must be UTF-8 without NUL bytes, and a zip's central directory is checked
// (entry count, paths, symlinks) and its entries inflated with a byte counter, because the sizes an
// archive declares can lie.

import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { Inflate } from 'fflate';
import { fileTypeFromBuffer } from 'file-type';
import { AppError } from '../../errors.js';

const HEAD_BYTES = 4096;
/** The end of a zip kept in memory while it streams: its central directory must fit in it. */
const ZIP_TAIL_BYTES = 2 * 1024 * 1024;
export const ZIP_MAX_ENTRIES = 1000;
const ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024;
const ZIP_FAMILY = ['zip', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub', 'jar'];

/** Binary formats and the file types (as `file-type` names them) their bytes may show. */
const BINARY: Record<string, string[]> = {
  '.pdf': ['pdf'],
  '.png': ['png'],
  '.jpg': ['jpg'],
  '.jpeg': ['jpg'],
  '.gif': ['gif'],
  '.webp': ['webp'],
  '.zip': ZIP_FAMILY,
  '.docx': ['docx', 'zip'],
  '.xlsx': ['xlsx', 'zip'],
  '.pptx': ['pptx', 'zip'],
  '.odt': ['odt', 'zip'],
  '.ods': ['ods', 'zip'],
  '.odp': ['odp', 'zip'],
  '.gz': ['gz'],
  '.tgz': ['gz'],
  '.tar': ['tar'],
  '.7z': ['7z'],
  '.bz2': ['bz2'],
  '.xz': ['xz'],
  '.sqlite': ['sqlite'],
  '.db': ['sqlite'],
  '.mp4': ['mp4'],
  '.webm': ['webm'],
  '.mp3': ['mp3'],
  '.wav': ['wav'],
};

/** Every other extension is treated as text (source code, SQL, Markdown, YAML, CSV, …). */
export function isBinaryExtension(ext: string): boolean {
  return ext in BINARY;
}

// Control characters, bidirectional overrides and isolates, and invisible marks that could disguise
// a name (`evil\u202Efdp.js` displays as `evilsj.pdf`).
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
export const DISPLAY_NAME_MAX = 120;

/** The last extension of a name, lowercased, with its dot: `report.pdf.js` → `.js`; none → ''. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot < 0 || dot === name.length - 1) return '';
  return name.slice(dot).toLowerCase();
}

/**
 * A name safe to display and to put in a Content-Disposition header: no path parts, no control or
 * bidi characters, at most 120 characters (keeping the extension). Storage keys never come from it.
 */
export function sanitizeDisplayName(raw: string): string {
  let name = raw.normalize('NFC').replace(UNSAFE_CHARS, '');
  name = (name.split(/[\\/]/).pop() ?? '').trim();
  if (!name || name === '.' || name === '..') name = 'file';
  if (name.length > DISPLAY_NAME_MAX) {
    const ext = extensionOf(name);
    const keep = ext.length < 20 ? ext : '';
    name = `${name.slice(0, DISPLAY_NAME_MAX - keep.length)}${keep}`;
  }
  return name;
}

const unsupported = (message: string) => new AppError('UNSUPPORTED_MEDIA_TYPE', message);
export const tooLarge = (message: string) => new AppError('PAYLOAD_TOO_LARGE', message);

export type Inspection = {
  /** The first bytes, for the magic-byte check. */
  head(): Buffer;
  /** The last bytes, kept only for zips (their central directory). */
  tail(): Buffer;
};

/**
 * A pass-through stream that keeps the head (and, for zips, the tail) and refuses text that is not
 * UTF-8 or contains a NUL byte, the moment it sees it.
 */
export function createInspector(opts: { text: boolean; keepTail: boolean }): Transform & Inspection {
  const headParts: Buffer[] = [];
  let headLen = 0;
  const tailParts: Buffer[] = [];
  let tailLen = 0;
  const decoder = opts.text ? new TextDecoder('utf-8', { fatal: true }) : undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (headLen < HEAD_BYTES) {
        const part = chunk.subarray(0, HEAD_BYTES - headLen);
        headParts.push(part);
        headLen += part.length;
      }
      if (opts.keepTail) {
        tailParts.push(chunk);
        tailLen += chunk.length;
        while (tailParts.length > 1 && tailLen - (tailParts[0]?.length ?? 0) >= ZIP_TAIL_BYTES) {
          tailLen -= tailParts.shift()?.length ?? 0;
        }
      }
      if (decoder) {
        if (chunk.includes(0))
          return cb(unsupported('This file type must be text, and the file contains binary data'));
        try {
          decoder.decode(chunk, { stream: true });
        } catch {
          return cb(unsupported('This file type must be UTF-8 text'));
        }
      }
      cb(null, chunk);
    },
    flush(cb) {
      if (decoder) {
        try {
          decoder.decode();
        } catch {
          return cb(unsupported('This file type must be UTF-8 text'));
        }
      }
      cb();
    },
  });
  return Object.assign(stream, {
    head: () => Buffer.concat(headParts),
    tail: () => Buffer.concat(tailParts).subarray(-ZIP_TAIL_BYTES),
  });
}

/** The magic-byte check: the bytes must say what the extension says. Returns a content type. */
export async function checkMagicBytes(ext: string, head: Buffer): Promise<string> {
  const detected = await fileTypeFromBuffer(head);
  const expected = BINARY[ext];
  if (expected) {
    if (!detected || !expected.includes(detected.ext)) {
      throw unsupported(`The file's contents are not a ${ext} file`);
    }
    return detected.mime;
  }
  // Text: valid UTF-8 was checked while streaming; refuse anything whose bytes name a binary format.
  if (detected && !detected.mime.startsWith('text/') && !['xml', 'svg'].includes(detected.ext)) {
    throw unsupported(`The file's contents are ${detected.ext}, not ${ext || 'text'}`);
  }
  return 'text/plain; charset=utf-8';
}

// ---------------------------------------------------------------------------------------------
// Zip archives

export type ZipEntry = {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  localOffset: number;
};

const SIG_EOCD = 0x06054b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function unsafeEntryPath(name: string): boolean {
  if (name.includes('\0')) return true;
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-zA-Z]:/.test(name)) return true;
  return name.split(/[\\/]/).some((seg) => seg === '..');
}

/**
 * Reads the central directory from the end of the archive (`tail` holds its last bytes; `size` is
 * the whole file's) and refuses what Assay never accepts: more than 1,000 entries, absolute or `..`
 * paths, symbolic links, encryption, ZIP64, split archives, overlapping or misplaced records.
 */
export function readZipDirectory(tail: Buffer, size: number): ZipEntry[] {
  const tailStart = size - tail.length;
  let eocd = -1;
  for (let i = tail.length - 22; i >= Math.max(0, tail.length - 22 - 65_535); i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw unsupported('The zip archive is damaged (no central directory)');
  const disk = tail.readUInt16LE(eocd + 4);
  const cdDisk = tail.readUInt16LE(eocd + 6);
  const entriesHere = tail.readUInt16LE(eocd + 8);
  const entries = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (disk !== 0 || cdDisk !== 0 || entriesHere !== entries)
    throw unsupported('Split zip archives are not accepted');
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw unsupported('ZIP64 archives are not accepted');
  }
  if (entries > ZIP_MAX_ENTRIES) throw unsupported(`A zip may hold at most ${ZIP_MAX_ENTRIES} entries`);
  if (cdOffset + cdSize !== tailStart + eocd)
    throw unsupported('The zip archive is damaged (directory out of place)');
  let p = cdOffset - tailStart;
  if (p < 0) throw unsupported('The zip archive’s directory is too large');
  const out: ZipEntry[] = [];
  for (let n = 0; n < entries; n++) {
    if (p + 46 > eocd || tail.readUInt32LE(p) !== SIG_CENTRAL)
      throw unsupported('The zip archive is damaged');
    const flags = tail.readUInt16LE(p + 8);
    const method = tail.readUInt16LE(p + 10);
    const compressedSize = tail.readUInt32LE(p + 20);
    const nameLen = tail.readUInt16LE(p + 28);
    const extraLen = tail.readUInt16LE(p + 30);
    const commentLen = tail.readUInt16LE(p + 32);
    const external = tail.readUInt32LE(p + 38);
    const localOffset = tail.readUInt32LE(p + 42);
    const nameBytes = tail.subarray(p + 46, p + 46 + nameLen);
    const name = flags & 0x800 ? nameBytes.toString('utf8') : nameBytes.toString('latin1');
    p += 46 + nameLen + extraLen + commentLen;
    if (p > eocd) throw unsupported('The zip archive is damaged');
    if (unsafeEntryPath(name))
      throw unsupported(`The zip holds an unsafe path: ${JSON.stringify(name.slice(0, 100))}`);
    // Unix-like hosts (3 = Unix, 19 = macOS) keep the file mode in the high half; others leave it 0.
    if (((external >>> 16) & S_IFMT) === S_IFLNK) {
      throw unsupported('The zip holds a symbolic link');
    }
    if (flags & 0x1) throw unsupported('Encrypted zip archives are not accepted');
    if (compressedSize === 0xffffffff || localOffset === 0xffffffff)
      throw unsupported('ZIP64 archives are not accepted');
    out.push({ name, method, flags, compressedSize, localOffset });
  }
  if (p !== eocd) throw unsupported('The zip archive is damaged (directory size)');
  return out;
}

/** Sequential reads from a stream, for walking an archive from its start. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  pos = 0;
  private done = false;

  constructor(stream: Readable) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async fill(n: number): Promise<void> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    }
  }

  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    if (this.buf.length < n) throw unsupported('The zip archive is damaged (truncated)');
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.pos += n;
    return out;
  }

  /** Up to `max` bytes (at least one), for streaming an entry's data. */
  async readSome(max: number): Promise<Buffer> {
    await this.fill(1);
    if (!this.buf.length) throw unsupported('The zip archive is damaged (truncated)');
    const n = Math.min(max, this.buf.length);
    return this.read(n);
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) left -= (await this.readSome(Math.min(left, 1 << 20))).length;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** The cap on what a zip may inflate to: ten times its size limit, and never past 200 MB. */
export function zipInflateCap(limitBytes: number): number {
  return Math.min(limitBytes * 10, ZIP_MAX_UNCOMPRESSED);
}

/**
 * Inflates every entry of a stored archive in order, counting the bytes that really come out, and
 * stops as soon as the total passes `cap` (413). Entries are found through the central directory; a
 * local header that disagrees with it, overlapping entries (a known bomb construction) or an unknown
 * compression method are refused (415).
 */
export async function measureZip(stream: Readable, entries: ZipEntry[], cap: number): Promise<number> {
  const reader = new ByteReader(stream);
  let total = 0;
  const count = (n: number) => {
    total += n;
    if (total > cap) throw tooLarge('The zip archive unpacks to more than the size allowed');
  };
  try {
    for (const e of [...entries].sort((a, b) => a.localOffset - b.localOffset)) {
      if (e.localOffset < reader.pos) throw unsupported('The zip archive has overlapping entries');
      await reader.skip(e.localOffset - reader.pos);
      const header = await reader.read(30);
      if (header.readUInt32LE(0) !== SIG_LOCAL)
        throw unsupported('The zip archive is damaged (local header)');
      const nameLen = header.readUInt16LE(26);
      const extraLen = header.readUInt16LE(28);
      const nameBytes = await reader.read(nameLen);
      const flags = header.readUInt16LE(6);
      const localName = flags & 0x800 ? nameBytes.toString('utf8') : nameBytes.toString('latin1');
      if (localName !== e.name) throw unsupported('The zip archive is inconsistent (entry names differ)');
      await reader.skip(extraLen);
      if (e.method === 0) {
        count(e.compressedSize);
        await reader.skip(e.compressedSize);
        continue;
      }
      if (e.method !== 8) throw unsupported('The zip uses a compression method Assay does not accept');
      if (e.compressedSize === 0) continue;
      let err: unknown;
      const inflate = new Inflate((data) => {
        try {
          count(data.length);
        } catch (x) {
          err = x;
          throw x;
        }
      });
      let left = e.compressedSize;
      try {
        while (left > 0) {
          const chunk = await reader.readSome(Math.min(left, 64 * 1024));
          left -= chunk.length;
          // Small slices bound what one push can inflate at once (deflate expands ~1000× at most).
          for (let i = 0; i < chunk.length; i += 1024) {
            inflate.push(chunk.subarray(i, i + 1024), left === 0 && i + 1024 >= chunk.length);
          }
        }
      } catch (x) {
        if (err) throw err;
        if (x instanceof AppError) throw x;
        throw unsupported('The zip archive is damaged (bad compressed data)');
      }
    }
  } finally {
    await reader.close();
  }
  return total;
}
