import type { Selectable } from 'kysely';

/** One upload section of one attempt, waiting for (or done with) its reviews. */
export interface ReviewItemsTable {
  id: string;
  org_id: string;
  assessment_id: string;
  attempt_id: string;
  section_key: string;
  section_title: string;
  task_version_id: string;
  is_demo: number;
  /** From the plan section (1–3); the item is complete when this many reviews are in. */
  reviewers_required: number;
  reviews_done: number;
  state: 'open' | 'complete';
  /** Mean of the reviewers' normalised totals, in [0, 1], once complete. */
  score: number | null;
  /** 1 when the reviewers' totals differ by more than the assessment's disagreement threshold. */
  disagreement: number;
  /** When the attempt was submitted: the queue shows the oldest first. */
  submitted_at: number;
  created_at: number;
  completed_at: number | null;
}

/** One reviewer's rubric scores for one review item. */
export interface ReviewsTable {
  id: string;
  org_id: string;
  review_item_id: string;
  reviewer_user_id: string;
  /** JSON: { [criterionId]: level score } */
  scores: string;
  /** Sum of the level scores over the sum of each criterion's best level, in [0, 1]. */
  total: number;
  comment: string;
  created_at: number;
  updated_at: number;
}

export type ReviewItemRow = Selectable<ReviewItemsTable>;
export type ReviewRow = Selectable<ReviewsTable>;
