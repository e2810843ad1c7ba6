import type { Selectable } from 'kysely';

/** A named pipeline filter and sort, kept per user. */
export interface SavedViewsTable {
  id: string;
  org_id: string;
  user_id: string;
  name: string;
  /** The assessment whose pipeline it filters; null for the pipeline across assessments. */
  assessment_id: string | null;
  /** JSON: { filters, sort, order } (see results.schemas.ts savedViewQuery). */
  query: string;
  created_at: number;
  updated_at: number;
}

/** A note on an invitation: written by a member, or by a stage change that carried one. */
export interface CandidateNotesTable {
  id: string;
  org_id: string;
  invitation_id: string;
  author_user_id: string | null;
  kind: 'note' | 'stage';
  body: string;
  created_at: number;
}

/** The median result of graded candidates per role template; maintained by the analytics job. */
export interface RoleBenchmarksTable {
  org_id: string;
  role_template_id: string;
  /** 'live' for real candidates, 'demo' for the demo data (they never mix). */
  cohort: 'live' | 'demo';
  graded_count: number;
  median_score: number | null;
  /** JSON: { [subtopic]: median } */
  median_by_subtopic: string;
  computed_at: number;
}

/** Quiz-level statistics of an assessment (Moodle's test statistics). */
export interface AssessmentStatsTable {
  assessment_id: string;
  org_id: string;
  attempts: number;
  items: number;
  mean: number | null;
  sd: number | null;
  /** Cronbach's alpha over the quiz slots (= KR-20 for 0/1 marks). */
  alpha: number | null;
  sem: number | null;
  computed_at: number;
}

/** Statistics of one question version within one assessment. */
export interface ItemStatsTable {
  org_id: string;
  assessment_id: string;
  question_version_id: string;
  question_id: string;
  is_demo: number;
  n: number;
  /** JSON ItemSums: the sufficient statistics, so organization totals add up across assessments. */
  sums: string;
  /** JSON: { [optionId]: count, '': unanswered } */
  option_counts: string;
  facility: number | null;
  discrimination: number | null;
  /** JSON: ItemFlag[] */
  flags: string;
  flagged: number;
  computed_at: number;
}

/** Statistics of one question version across an organization's (non-demo) assessments. */
export interface QuestionStatsTable {
  org_id: string;
  question_version_id: string;
  question_id: string;
  n: number;
  option_counts: string;
  facility: number | null;
  discrimination: number | null;
  flags: string;
  flagged: number;
  computed_at: number;
}

export type SavedViewRow = Selectable<SavedViewsTable>;
export type CandidateNoteRow = Selectable<CandidateNotesTable>;
