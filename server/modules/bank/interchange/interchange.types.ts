// Shapes shared by the interchange converters (QTI 2.1/3.0, GIFT, Moodle XML). Everything here is pure:
// converters take bytes or items and return bytes or a report; storage and HTTP live elsewhere.
import type { BankQuestion, BankUploadTask } from '../bank.model.js';

export type InterchangeItem =
  | { type: 'question'; question: BankQuestion }
  | { type: 'upload-task'; task: BankUploadTask };

/** The formats Assay writes and reads. QTI 2.2 items are read as QTI 2.1. */
export const interchangeFormats = ['qti-2.1', 'qti-3.0', 'gift', 'moodle-xml'] as const;
export type InterchangeFormat = (typeof interchangeFormats)[number];

/** What `detectFormat` can tell from a file without fully reading it (a QTI version needs the package). */
export type DetectedFormat = 'qti' | 'gift' | 'moodle-xml';

export type DroppedFields = { itemId: string; fields: string[]; reason: string };

export type ExportResult = {
  data: Uint8Array | string;
  filename: string;
  contentType: string;
  /** What the format could not carry, per item. Fields whose value equals the import default are not listed. */
  dropped: DroppedFields[];
};

export type ImportReportItem = {
  /** Position of the item in the file (0-based, counting only questions/items, not categories). */
  index: number;
  /** The identifier the file gave the item (QTI identifier, Moodle idnumber or name, GIFT id or title). */
  sourceId: string | null;
  title: string;
  status: 'ok' | 'skipped';
  reason?: string;
  /** Defaults that were filled in and other adjustments, for the preview. */
  notes?: string[];
  item?: InterchangeItem;
};

export type ImportReport = { format: InterchangeFormat; items: ImportReportItem[] };

export type ImportOptions = {
  /** Subtopic for items whose file names none (GIFT/Moodle without a category, a bare QTI item). */
  defaultSubtopic?: string;
  /** When given, a subtopic that is not in this list is replaced by `defaultSubtopic` (with a note). */
  knownSubtopics?: readonly string[];
};

/** A file that cannot be read at all. The message is written for the person who uploaded it. */
export class ImportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImportError';
  }
}

/**
 * A file rejected for safety (DOCTYPE/entities, nesting, size or zip limits, unsafe zip paths). Never
 * downgraded to a skipped item: a package with one hostile entry is rejected as a whole.
 */
export class UnsafeImportError extends ImportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnsafeImportError';
  }
}
