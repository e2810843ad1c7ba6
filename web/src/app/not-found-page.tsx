import { Button, EmptyState } from '@mantine/core';
import { Link } from 'react-router';
import { Page } from '../components/page';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <EmptyState
        align="left"
        title="There’s nothing at this address"
        description="The link may be mistyped, or the page may have moved."
      >
        <EmptyState.Actions>
          <Button component={Link} to="/assessments">
            Go to assessments
          </Button>
        </EmptyState.Actions>
      </EmptyState>
    </Page>
  );
}
