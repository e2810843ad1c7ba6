import type { Selectable } from 'kysely';

export type AssessmentState = 'draft' | 'open' | 'closed' | 'archived';

export interface AssessmentsTable {
  id: string;
  org_id: string;
  name: string;
  /** The role template it was created from, if any: role benchmarks compare within it. */
  role_template_id: string | null;
  state: AssessmentState;
  /** JSON: candidate-facing settings (intro, feedback policy, invitation lifetime, integrity signals, …). */
  settings: string;
  /** JSON: the ordered sections (quiz and upload). */
  sections: string;
  /** Incremented on every edit; an attempt records the revision it was started from. */
  revision: number;
  /** SHA-256 of the public self-registration link token, when that link is enabled. */
  public_link_hash: string | null;
  is_demo: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  opened_at: number | null;
  closed_at: number | null;
}
export type AssessmentRow = Selectable<AssessmentsTable>;
