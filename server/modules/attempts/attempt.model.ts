// The frozen plan of one attempt: what the candidate was given, fixed at start so later edits to the
// assessment or the bank never change a started attempt (it points at question versions).
import type { Difficulty, QuestionKind } from '../bank/bank.model.js';

export type PlanItem = {
  /** Stable within the attempt: 'i1', 'i2', … Answers are keyed by it. */
  key: string;
  questionVersionId: string;
  subtopic: string;
  difficulty: Difficulty;
  kind: QuestionKind;
  /** Option ids in the order this candidate sees them. */
  optionOrder: string[];
};

export type PlanQuizSection = {
  key: string;
  kind: 'quiz';
  title: string;
  minutes: number;
  weight: number;
  allowBack: boolean;
  items: PlanItem[];
};

export type PlanUploadSection = {
  key: string;
  kind: 'upload';
  title: string;
  minutes: number;
  weight: number;
  taskVersionId: string;
  accept: string[];
  maxSizeMb: number;
  maxFiles: number;
  allowZip: boolean;
  reviewersRequired: number;
};

export type PlanSection = PlanQuizSection | PlanUploadSection;

export type SectionTimes = {
  startedAt: number | null;
  deadlineAt: number | null;
  submittedAt: number | null;
};

export type AttemptPlan = {
  assessmentRevision: number;
  seed: string;
  sections: PlanSection[];
  times: SectionTimes[];
};

/** The stored plan of an attempt row (written by the server only, so parsing is a plain JSON.parse). */
export function parsePlan(json: string): AttemptPlan {
  return JSON.parse(json) as AttemptPlan;
}

/** A section's time limit for this candidate: its minutes times the candidate's extra-time factor. */
export function sectionLimitMs(section: Pick<PlanSection, 'minutes'>, extraTime: number): number {
  return Math.round(section.minutes * extraTime * 60_000);
}
