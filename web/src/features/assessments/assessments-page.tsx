import { EmptyState } from '@mantine/core';
import { Page } from '../../components/page';

export function AssessmentsPage() {
  return (
    <Page title="Assessments" description="Timed skills tests that candidates take in the browser.">
      <EmptyState
        title="No assessments yet"
        description="An assessment is built from a role template, such as Back-End Engineer or SQL Developer: knowledge questions drawn from the question bank, plus file-upload tasks that reviewers grade against a rubric. Once you create one, you can invite candidates and follow their results here."
      />
    </Page>
  );
}
