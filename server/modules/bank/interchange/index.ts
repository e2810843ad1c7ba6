// Question-bank interchange: QTI 2.1/3.0 content packages, GIFT and Moodle XML. Pure functions: bytes and
// items in, bytes and reports out. An import only previews; the API writes the items when the user confirms.
import { type CarriedFields, importDefaults } from './common.js';
import { exportGift, type GiftExportOptions, giftCarriedFields, importGift } from './gift.js';
import {
  type DetectedFormat,
  type ExportResult,
  ImportError,
  type ImportOptions,
  type ImportReport,
  type InterchangeFormat,
  type InterchangeItem,
} from './interchange.types.js';
import {
  exportMoodleXml,
  importMoodleXml,
  type MoodleExportOptions,
  moodleCarriedFields,
} from './moodle-xml.js';
import { exportQti, importQti, qtiCarriedFields } from './qti.js';
import { isZip, limits } from './xml-safety.js';

export type { CarriedFields, QuestionField, UploadTaskField } from './common.js';
export { carriedView, computeDropped } from './common.js';
export type { GiftExportOptions } from './gift.js';
export { escapeGift, exportGift, giftCarriedFields, importGift } from './gift.js';
export { htmlToMarkdown } from './html-to-markdown.js';
export * from './interchange.types.js';
export { markdownToXhtml, parseMarkdown, serializeMarkdown } from './markdown.js';
export type { MoodleExportOptions } from './moodle-xml.js';
export { exportMoodleXml, importMoodleXml, moodleCarriedFields } from './moodle-xml.js';
export type { QtiExportOptions, QtiVersion } from './qti.js';
export { exportQti, importQti, qtiCarriedFields, qtiItemFileCarriedFields } from './qti.js';
export { limits } from './xml-safety.js';
export { importDefaults };

/** The fields each export format carries (QTI: a full content package). */
export const carriedFields: Record<InterchangeFormat, CarriedFields> = {
  'qti-2.1': qtiCarriedFields,
  'qti-3.0': qtiCarriedFields,
  gift: giftCarriedFields,
  'moodle-xml': moodleCarriedFields,
};

function rootElementName(text: string): string | null {
  const stripped = text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<![^>]*>/g, '');
  const m = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(stripped);
  return m?.[2] ?? null;
}

/**
 * Tells the format of an uploaded file from its name and first bytes: a zip is a QTI content package; XML
 * is QTI or Moodle XML by its root element; GIFT by its extension (.gift, .txt) or its look. Null: unknown.
 */
export function detectFormat(filename: string, bytes: Uint8Array): DetectedFormat | null {
  if (isZip(bytes)) return 'qti';
  const head = bytes.subarray(0, 4096);
  let text: string;
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    text = new TextDecoder(head[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(head.subarray(2));
  } else text = new TextDecoder('utf-8').decode(head);
  text = text.replace(/^\uFEFF/, '').trimStart();
  const name = filename.toLowerCase();
  if (text.startsWith('<')) {
    const root = rootElementName(text);
    if (root === 'quiz') return 'moodle-xml';
    if (root === 'assessmentItem' || root === 'qti-assessment-item' || root === 'manifest') return 'qti';
    return null;
  }
  if (name.endsWith('.gift')) return 'gift';
  const looksGift =
    /\{[\s\S]*\}/.test(text) && (/(^|\n)\s*::/.test(text) || /[=~]/.test(text) || /\$CATEGORY:/.test(text));
  return looksGift && (name.endsWith('.txt') || !/\.[a-z0-9]+$/.test(name) || name.endsWith('.gift.txt'))
    ? 'gift'
    : null;
}

/** Detects the format and imports. Throws ImportError when the file is not one Assay reads. */
export function importInterchange(
  filename: string,
  bytes: Uint8Array,
  opts: ImportOptions = {},
): ImportReport {
  switch (detectFormat(filename, bytes)) {
    case 'qti':
      return importQti(bytes, opts);
    case 'gift':
      return importGift(bytes, opts);
    case 'moodle-xml':
      return importMoodleXml(bytes, opts);
    default:
      throw new ImportError(
        'Unrecognised file: Assay imports QTI 2.1/3.0 content packages (.zip) or item files (.xml), ' +
          'GIFT (.gift or .txt) and Moodle XML (.xml).',
      );
  }
}

export type ExportOptions = GiftExportOptions & MoodleExportOptions & { now?: Date };

export function exportInterchange(
  format: InterchangeFormat,
  items: readonly InterchangeItem[],
  opts: ExportOptions = {},
): ExportResult {
  switch (format) {
    case 'qti-2.1':
      return exportQti(items, { version: '2.1', ...(opts.now ? { now: opts.now } : {}) });
    case 'qti-3.0':
      return exportQti(items, { version: '3.0', ...(opts.now ? { now: opts.now } : {}) });
    case 'gift':
      return exportGift(
        items,
        opts.categoryPrefix !== undefined ? { categoryPrefix: opts.categoryPrefix } : {},
      );
    case 'moodle-xml':
      return exportMoodleXml(
        items,
        opts.categoryPrefix !== undefined ? { categoryPrefix: opts.categoryPrefix } : {},
      );
  }
}

/** Upload size limits, for the HTTP layer: zips up to maxZipBytes, other files up to maxXmlBytes. */
export const maxUploadBytes = limits.maxZipBytes;
