// What the reviews module needs from attempts, invitations and assessments, in one place. The
// attempts module offers no service functions for an attempt's rows yet, so the reads of its plan
// and uploads and the one status change reviews make (awaiting_review → graded, conditional, in the
// same transaction as the last review) go through its repository here, and nowhere else.
import type { DbOrTrx } from '../../db/database.js';
import { findAssessmentContext } from '../assessments/assessments.service.js';
import { parsePlan } from '../attempts/attempt.model.js';
import { queueAttemptEmail } from '../attempts/attempts.emails.js';
import { enqueueAttemptPercentiles } from '../attempts/attempts.jobs.js';
import {
  findAttempt,
  listActiveUploads,
  lockAttempt,
  transitionAttempt,
  updateAttempt,
} from '../attempts/attempts.repository.js';
import { combineSectionScores } from '../attempts/grading.js';
import { markInvitationCompleted } from '../invitations/invitations.service.js';

export {
  combineSectionScores,
  enqueueAttemptPercentiles,
  findAttempt,
  lockAttempt,
  markInvitationCompleted,
  parsePlan,
  queueAttemptEmail,
  transitionAttempt,
  updateAttempt,
};

/** The active files of one upload section, in upload order (their blind numbers follow it). */
export async function listSectionFiles(db: DbOrTrx, orgId: string, attemptId: string, sectionKey: string) {
  return (await listActiveUploads(db, orgId, attemptId)).filter((u) => u.section_key === sectionKey);
}

/** Names and settings (feedback policy, disagreement threshold) of an assessment. */
export async function getAssessmentContext(db: DbOrTrx, orgId: string, assessmentId: string) {
  const c = await findAssessmentContext(db, orgId, assessmentId);
  if (!c) throw new Error(`assessment ${assessmentId} is missing`);
  return c;
}
