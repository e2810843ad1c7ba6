import type { Assessment } from '../../api/assessments';
import { PipelineView } from './pipeline-view';

/** The assessment's pipeline, ranked by score. */
export function CandidatesTab({ assessment }: { assessment: Assessment }) {
  return <PipelineView assessmentId={assessment.id} />;
}
