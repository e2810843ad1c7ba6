import type { Generated, Selectable } from 'kysely';

export type AttemptStatus = 'in_progress' | 'submitted' | 'awaiting_review' | 'graded';

/** A candidate's sitting: it owns the server-side deadlines, the frozen draw and the results. */
export interface AttemptsTable {
  id: string;
  org_id: string;
  assessment_id: string;
  /** Null for a staff preview. */
  invitation_id: string | null;
  candidate_id: string | null;
  is_preview: number;
  is_demo: number;
  status: AttemptStatus;
  /** JSON: the frozen plan — sections, drawn question versions and option orders, per-section times. */
  plan: string;
  current_section: number;
  /** The furthest item index reached in the current section (sections without going back refuse earlier ones). */
  furthest_item: Generated<number>;
  /** When the current section's time runs out (server clock, extra time included). */
  section_deadline_at: number | null;
  /** When the whole attempt closes if the candidate walks away between sections. */
  close_at: number;
  /** The candidate session allowed to write (the newest one takes over). */
  session_id: string | null;
  extra_time: number;
  started_at: number;
  submitted_at: number | null;
  graded_at: number | null;
  /** Overall score in [0, 1]; preliminary while uploads await review. */
  score: number | null;
  /** JSON: { byItem, bySection, bySubtopic } (see grading.ts) */
  scores: string | null;
  percentile: number | null;
  integrity_tier: 'none' | 'some' | 'major';
  updated_at: number;
}

/** The latest answer to one item; client_seq orders retries so an older one never wins. */
export interface AnswersTable {
  attempt_id: string;
  item_key: string;
  /** JSON: chosen option ids */
  choice: string;
  client_seq: number;
  updated_at: number;
}

export interface UploadsTable {
  id: string;
  org_id: string;
  attempt_id: string;
  section_key: string;
  /** Made by the server; the candidate's file name is only ever a display name. */
  blob_key: string;
  display_name: string;
  extension: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: number;
  removed_at: number | null;
}

export interface IntegrityEventsTable {
  id: string;
  org_id: string;
  attempt_id: string;
  type: string;
  ip: string | null;
  user_agent: string | null;
  details: string;
  created_at: number;
}

/** A browser's hold on an attempt, exchanged for the invitation link token at start. */
export interface CandidateSessionsTable {
  id: string;
  token_hash: string;
  attempt_id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  expires_at: number;
}

export type AttemptRow = Selectable<AttemptsTable>;
