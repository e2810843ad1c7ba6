import { Button, Card, EmptyState, Group, Stack, Text } from '@mantine/core';
import { useFlaggedItems } from '../../api/results';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { BankTabs } from '../bank/bank-tabs';
import { ItemStatsLegend, ItemStatsTable } from './item-stats-table';

export function FlaggedItemsPage() {
  const flagged = useFlaggedItems();
  const items = flagged.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Page
      title="Flagged questions"
      description="Questions whose statistics across your assessments suggest a problem. Open one to edit it (a new version) or retire it."
    >
      <BankTabs />
      <Card withBorder padding="lg">
        {!flagged.data ? (
          flagged.isError ? (
            <LoadError
              error={flagged.error}
              what="flagged questions"
              onRetry={() => void flagged.refetch()}
            />
          ) : (
            <LoadingState label="Loading flagged questions" />
          )
        ) : items.length === 0 ? (
          <EmptyState
            align="left"
            title="No flagged questions"
            description="Once candidates are graded, questions that are too easy, too hard, have an option nobody picks, or that strong candidates miss more often than weak ones show up here. Demo and preview attempts never count."
          />
        ) : (
          <Stack gap="md">
            <ItemStatsTable items={items} label="Flagged questions" />
            {flagged.hasNextPage && (
              <Group justify="center">
                <Button
                  variant="default"
                  onClick={() => void flagged.fetchNextPage()}
                  loading={flagged.isFetchingNextPage}
                >
                  Load more
                </Button>
              </Group>
            )}
            {flagged.isFetchNextPageError && (
              <Text size="sm" c="red.8" role="alert" ta="center">
                {errorMessage(flagged.error)}
              </Text>
            )}
            <ItemStatsLegend />
          </Stack>
        )}
      </Card>
    </Page>
  );
}
