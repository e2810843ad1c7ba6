// Reading untrusted XML and zip files safely. Every import goes through here:
// - XML: size-capped, any DOCTYPE/ENTITY/other markup declaration is rejected before parsing (no external
//   entities, no entity expansion), nesting depth is capped, only the five predefined entities and numeric
//   character references are decoded, and the document must be well-formed.
// - Zip: size-capped, entry count capped, path-traversal names rejected, and inflated bytes are counted as
//   they come out of the decompressor (declared sizes are never trusted).
// Imported HTML is turned into Markdown by html-to-markdown.ts, which keeps only text structure.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Inflate } from 'fflate';
import { ImportError, UnsafeImportError } from './interchange.types.js';
import type { XElement, XNode } from './xml.js';

const MB = 1024 * 1024;

export const limits = {
  /** One XML document (a Moodle XML file, a QTI item or manifest). */
  maxXmlBytes: 5 * MB,
  /** A GIFT text file. */
  maxTextBytes: 5 * MB,
  /** An uploaded zip (QTI content package). */
  maxZipBytes: 20 * MB,
  maxZipEntries: 2_500,
  /** All bytes inflated from one zip, counted while inflating. */
  maxUnzippedBytes: 50 * MB,
  /** Questions and tasks in one file. */
  maxItems: 2_000,
  /** Element nesting depth in XML (and in imported HTML, which is flattened beyond it). */
  maxDepth: 64,
} as const;

const mb = (n: number) => `${Math.round((n / MB) * 10) / 10} MB`;

export function byteLength(input: Uint8Array | string): number {
  return typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/**
 * Decodes bytes as text: a UTF-8/UTF-16 byte-order mark wins, then an XML encoding declaration, then
 * UTF-8. `fallback` is used when the bytes are not valid UTF-8 (GIFT files from older tools are often
 * Windows-1252); without it invalid UTF-8 is an ImportError.
 */
export function decodeText(input: Uint8Array | string, fallback?: string): string {
  if (typeof input === 'string') return stripBom(input);
  const b = input;
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b.subarray(2));
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return decodeUtf8(b.subarray(3), fallback);
  const head = new TextDecoder('latin1').decode(b.subarray(0, 200));
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  if (declared && declared !== 'utf-8' && declared !== 'utf8') {
    try {
      return new TextDecoder(declared).decode(b);
    } catch {
      throw new ImportError(`The file declares the text encoding "${declared}", which is not supported.`);
    }
  }
  return decodeUtf8(b, fallback);
}

function decodeUtf8(b: Uint8Array, fallback?: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    if (fallback) return new TextDecoder(fallback).decode(b);
    throw new ImportError('The file is not valid UTF-8 text.');
  }
}

/**
 * One linear pass over the markup that rejects markup declarations (<!DOCTYPE, <!ENTITY, …) and
 * excessive nesting before any parser sees the document. Comments, CDATA and processing instructions
 * are skipped, so a CDATA section that merely mentions <!DOCTYPE is fine.
 */
export function scanXml(text: string): void {
  let depth = 0;
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt < 0) return;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) return;
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      if (end < 0) return;
      i = end + 3;
    } else if (text.startsWith('<!', lt)) {
      throw new UnsafeImportError(
        'The file contains a DOCTYPE or entity declaration. Assay does not accept these in imports ' +
          '(they can read server files or expand into huge documents); remove the <!DOCTYPE …> part and try again.',
      );
    } else if (text.startsWith('<?', lt)) {
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) return;
      i = end + 2;
    } else if (text.startsWith('</', lt)) {
      depth--;
      i = lt + 2;
    } else {
      let j = lt + 1;
      let end = -1;
      while (j < text.length) {
        const ch = text.charCodeAt(j);
        if (ch === 34 || ch === 39) {
          const close = text.indexOf(ch === 34 ? '"' : "'", j + 1);
          if (close < 0) return;
          j = close + 1;
        } else if (ch === 62) {
          end = j;
          break;
        } else j++;
      }
      if (end < 0) return;
      if (text.charCodeAt(end - 1) !== 47) {
        depth++;
        if (depth > limits.maxDepth) {
          throw new UnsafeImportError(`The XML is nested more than ${limits.maxDepth} levels deep.`);
        }
      }
      i = end + 1;
    }
  }
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five predefined XML entities and numeric character references; anything else stays literal. */
export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (_, ref: string) => {
    if (ref[0] !== '#') return PREDEFINED[ref] ?? '';
    const cp = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    return codePoint(cp);
  });
}

export function codePoint(cp: number): string {
  if (!Number.isInteger(cp) || cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(cp);
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: limits.maxDepth,
});

type RawNode = Record<string, unknown>;

function convert(raw: RawNode[], cdata = false): XNode[] {
  const out: XNode[] = [];
  for (const node of raw) {
    for (const [key, value] of Object.entries(node)) {
      if (key === ':@') continue;
      if (key === '#text') {
        const t = String(value);
        out.push(cdata ? t : decodeXmlEntities(t));
      } else if (key === '#cdata') {
        out.push(...convert(value as RawNode[], true));
      } else {
        const attrs: Record<string, string> = {};
        const rawAttrs = node[':@'] as Record<string, unknown> | undefined;
        if (rawAttrs) for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = decodeXmlEntities(String(v));
        out.push({ name: key, attrs, children: convert(value as RawNode[]) });
      }
    }
  }
  return out;
}

/** Parses one XML document safely and returns its root element; throws ImportError for anything unsafe or broken. */
export function parseXmlSafely(input: Uint8Array | string, what = 'The file'): XElement {
  const size = byteLength(input);
  if (size > limits.maxXmlBytes) {
    throw new UnsafeImportError(
      `${what} is ${mb(size)}; XML imports are limited to ${mb(limits.maxXmlBytes)}.`,
    );
  }
  const text = decodeText(input);
  scanXml(text);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const line = valid.err.line ? ` (line ${valid.err.line})` : '';
    throw new ImportError(`${what} is not well-formed XML${line}: ${valid.err.msg}`);
  }
  let raw: RawNode[];
  try {
    raw = parser.parse(text) as RawNode[];
  } catch (err) {
    throw new ImportError(`${what} could not be read as XML: ${(err as Error).message}`, { cause: err });
  }
  const roots = convert(raw).filter((n): n is XElement => typeof n === 'object');
  if (roots.length !== 1 || !roots[0]) throw new ImportError(`${what} must have exactly one root element.`);
  return roots[0];
}

// ---------------------------------------------------------------------------------------------------------
// Zip

export type SafeZip = {
  /** Entry names (files only), normalised to forward slashes. */
  names: string[];
  has(name: string): boolean;
  /** Inflates one entry, counting bytes as they come out; throws ImportError beyond the limits. */
  read(name: string, maxBytes?: number): Uint8Array;
};

type ZipEntry = {
  name: string;
  method: number;
  flags: number;
  compSize: number;
  size: number;
  offset: number;
};

export const isZip = (b: Uint8Array) =>
  b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

function unsafeName(name: string): boolean {
  if (name.includes('\0') || name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return true;
  return name.split('/').some((seg) => seg === '..');
}

/** Opens a zip from its central directory. Nothing is inflated until `read`. */
export function openZipSafely(bytes: Uint8Array): SafeZip {
  if (bytes.byteLength > limits.maxZipBytes) {
    throw new UnsafeImportError(
      `The zip is ${mb(bytes.byteLength)}; zip imports are limited to ${mb(limits.maxZipBytes)}.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => view.getUint16(o, true);
  const u32 = (o: number) => view.getUint32(o, true);
  const corrupt = () => new ImportError('The zip file is damaged or not a zip file.');

  let eocd = -1;
  for (let o = bytes.length - 22; o >= Math.max(0, bytes.length - 22 - 0xffff); o--) {
    if (u32(o) === 0x06054b50) {
      eocd = o;
      break;
    }
  }
  if (eocd < 0) throw corrupt();
  const total = u16(eocd + 10);
  const cdSize = u32(eocd + 12);
  const cdOffset = u32(eocd + 16);
  if (total === 0xffff || cdOffset === 0xffffffff) throw new ImportError('ZIP64 archives are not supported.');
  if (total > limits.maxZipEntries) {
    throw new UnsafeImportError(`The zip has ${total} entries; at most ${limits.maxZipEntries} are allowed.`);
  }
  if (cdOffset + cdSize > bytes.length) throw corrupt();

  const entries = new Map<string, ZipEntry>();
  let p = cdOffset;
  for (let n = 0; n < total; n++) {
    if (p + 46 > bytes.length || u32(p) !== 0x02014b50) throw corrupt();
    const flags = u16(p + 8);
    const method = u16(p + 10);
    const compSize = u32(p + 20);
    const size = u32(p + 24);
    const nameLen = u16(p + 28);
    const extraLen = u16(p + 30);
    const commentLen = u16(p + 32);
    const offset = u32(p + 42);
    if (p + 46 + nameLen > bytes.length) throw corrupt();
    const rawName = bytes.subarray(p + 46, p + 46 + nameLen);
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(rawName).replace(/\\/g, '/');
    if (unsafeName(name))
      throw new UnsafeImportError(`The zip contains an unsafe path ("${name}"); nothing was imported.`);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if (entries.has(name)) throw new ImportError(`The zip contains "${name}" twice.`);
    entries.set(name, { name, method, flags, compSize, size, offset });
  }

  let inflatedTotal = 0;
  const tooBig = () =>
    new UnsafeImportError(
      `The zip expands to more than ${mb(limits.maxUnzippedBytes)}; nothing was imported.`,
    );

  return {
    names: [...entries.keys()],
    has: (name) => entries.has(name),
    read(name, maxBytes = limits.maxXmlBytes) {
      const e = entries.get(name);
      if (!e) throw new ImportError(`The zip has no file "${name}".`);
      if (e.flags & 1) throw new ImportError(`"${name}" in the zip is encrypted.`);
      const lh = e.offset;
      if (lh + 30 > bytes.length || u32(lh) !== 0x04034b50) throw corrupt();
      const start = lh + 30 + u16(lh + 26) + u16(lh + 28);
      const end = start + e.compSize;
      if (end > bytes.length) throw corrupt();
      const data = bytes.subarray(start, end);
      const entryTooBig = () => new UnsafeImportError(`"${name}" in the zip is larger than ${mb(maxBytes)}.`);
      const count = (n: number, entrySoFar: number) => {
        inflatedTotal += n;
        if (inflatedTotal > limits.maxUnzippedBytes) throw tooBig();
        if (entrySoFar > maxBytes) throw entryTooBig();
      };
      let out: Uint8Array;
      if (e.method === 0) {
        count(data.length, data.length);
        out = data.slice();
      } else if (e.method === 8) {
        const chunks: Uint8Array[] = [];
        let got = 0;
        const inflater = new Inflate((chunk) => {
          got += chunk.length;
          count(chunk.length, got);
          chunks.push(chunk);
        });
        const STEP = 1024; // ≤ ~1 MB of output per push, so the counter stops a bomb early
        try {
          if (data.length === 0) inflater.push(new Uint8Array(0), true);
          for (let o = 0; o < data.length; o += STEP) {
            inflater.push(data.subarray(o, Math.min(o + STEP, data.length)), o + STEP >= data.length);
          }
        } catch (err) {
          if (err instanceof ImportError) throw err;
          throw new ImportError(`"${name}" in the zip is damaged.`, { cause: err });
        }
        out = new Uint8Array(got);
        let o = 0;
        for (const c of chunks) {
          out.set(c, o);
          o += c.length;
        }
      } else {
        throw new ImportError(`"${name}" in the zip uses an unsupported compression method (${e.method}).`);
      }
      if (out.length !== e.size) throw new ImportError(`"${name}" in the zip is damaged (size mismatch).`);
      return out;
    },
  };
}
