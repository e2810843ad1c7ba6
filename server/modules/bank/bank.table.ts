import type { Selectable } from 'kysely';
import type { Difficulty, QuestionKind, QuestionSource } from './bank.model.js';

/** A bank question: identity, ownership and the fields draws filter on. Content lives in versions. */
export interface QuestionsTable {
  id: string;
  /** Null for the built-in library; otherwise the owning organization (pack or custom). */
  org_id: string | null;
  /** The content id (`id:` in YAML); unique among built-ins, and per organization. */
  slug: string;
  source: QuestionSource;
  kind: QuestionKind;
  subtopic: string;
  difficulty: Difficulty;
  current_version_id: string;
  retired: number;
  created_at: number;
  updated_at: number;
}

/** One version of a question's content. Never updated once written: attempts point at versions. */
export interface QuestionVersionsTable {
  id: string;
  question_id: string;
  version: number;
  kind: QuestionKind;
  subtopic: string;
  difficulty: Difficulty;
  stem: string;
  /** JSON: [{ id, text }] */
  options: string;
  /** JSON: option ids, in option order */
  correct: string;
  explanation: string;
  seconds: number;
  /** JSON: string[] */
  tags: string;
  content_hash: string;
  created_at: number;
}

export interface UploadTasksTable {
  id: string;
  org_id: string | null;
  slug: string;
  source: QuestionSource;
  current_version_id: string;
  retired: number;
  created_at: number;
  updated_at: number;
}

/** One version of an upload task, immutable like question versions. */
export interface UploadTaskVersionsTable {
  id: string;
  task_id: string;
  version: number;
  title: string;
  /** JSON: subtopic ids */
  subtopics: string;
  minutes: number;
  /** JSON: extensions such as ".sql" */
  accept: string;
  max_size_mb: number;
  max_files: number;
  allow_zip: number;
  prompt: string;
  /** JSON: [{ id, name, levels: [{ score, descriptor }] }] */
  rubric: string;
  reviewer_notes: string;
  content_hash: string;
  created_at: number;
}

/** The fingerprint of each content source last synced ('builtin', 'pack:<org id>'). */
export interface ContentSyncTable {
  scope: string;
  content_hash: string;
  synced_at: number;
}

export type QuestionRow = Selectable<QuestionsTable>;
export type QuestionVersionRow = Selectable<QuestionVersionsTable>;
export type UploadTaskRow = Selectable<UploadTasksTable>;
export type UploadTaskVersionRow = Selectable<UploadTaskVersionsTable>;
