import { Page } from '../../components/page';
import { PipelineView } from './pipeline-view';

export function CandidatesPage() {
  return (
    <Page
      title="Candidates"
      description="Everyone invited to your assessments: where they stand, how they scored, and what’s next."
    >
      <PipelineView assessmentId={null} />
    </Page>
  );
}
