import type { Generated, Selectable } from 'kysely';

export type InvitationStatus = 'invited' | 'opened' | 'started' | 'completed' | 'expired' | 'revoked';
export type Stage = 'new' | 'shortlisted' | 'interview' | 'rejected' | 'hired';
export type InvitationSource = 'single' | 'csv' | 'public' | 'api' | 'demo';

/** A person in an organization's pipeline: one row per email per organization. */
export interface CandidatesTable {
  id: string;
  org_id: string;
  email: string;
  name: string;
  /** The applicant-tracking system's id, when the recruiter gives one. */
  external_id: string | null;
  is_demo: number;
  erased_at: number | null;
  created_at: number;
  updated_at: number;
}

/** One candidate invited to one assessment, carrying the secret link (stored only as a hash). */
export interface InvitationsTable {
  id: string;
  org_id: string;
  assessment_id: string;
  candidate_id: string;
  token_hash: string;
  source: InvitationSource;
  status: InvitationStatus;
  stage: Stage;
  /** Accommodation: section time limits are multiplied by this. */
  extra_time: number;
  reminders_sent: number;
  created_at: number;
  sent_at: number | null;
  opened_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  revoked_at: number | null;
  expires_at: number;
  updated_at: number;
  /** Pipeline sort keys, kept in step with the attempt and the candidate by database triggers
   * (migration 0005): score and percentile, or -1; submission time, or 0; the lower-cased name. */
  sort_score: Generated<number>;
  sort_percentile: Generated<number>;
  sort_submitted: Generated<number>;
  sort_name: Generated<string>;
}

/** A bulk CSV invitation run, processed by a job; its report lists every rejected row and why. */
export interface CandidateImportsTable {
  id: string;
  org_id: string;
  assessment_id: string;
  blob_key: string | null;
  file_sha256: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  total_rows: number;
  processed_rows: number;
  accepted: number;
  already_invited: number;
  rejected: number;
  /** JSON: [{ row, email, reason }] for rejected rows */
  report: string;
  created_by: string | null;
  created_at: number;
  finished_at: number | null;
  /** Why the whole import failed (the file or the assessment), when status is 'failed'. */
  error: string | null;
}

/** A self-registration through an assessment's public link, pending email verification. */
export interface PublicRegistrationsTable {
  id: string;
  org_id: string;
  assessment_id: string;
  email: string;
  name: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  verified_at: number | null;
}

export type CandidateRow = Selectable<CandidatesTable>;
export type InvitationRow = Selectable<InvitationsTable>;
