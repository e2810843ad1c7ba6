import {
  Anchor,
  Badge,
  Button,
  Card,
  EmptyState,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { Link } from 'react-router';
import { type ReviewQueueItem, submissionRef, useMyReviews, useReviewQueue } from '../../api/reviews';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDate, formatDateTime } from '../../lib/format';
import { percent } from '../results/result-labels';

/** One blind card: which task, when it was handed in, and how many reviews it still needs. */
function QueueCard({ item, position }: { item: ReviewQueueItem; position: number }) {
  const ref = submissionRef(item.id);
  const headingId = `queue-item-${item.id}`;
  return (
    <Card withBorder padding="md" component="article" aria-labelledby={headingId}>
      <Stack gap="xs" h="100%">
        <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
          <Title order={2} size="h5" id={headingId}>
            {ref}
          </Title>
          <Group gap={4} wrap="nowrap">
            {position === 1 && (
              <Badge variant="light" color="assay" miw="max-content">
                Oldest
              </Badge>
            )}
            {item.demo && (
              <Badge variant="outline" color="gray" miw="max-content">
                Demo
              </Badge>
            )}
          </Group>
        </Group>
        <div>
          <Text size="sm" fw={500}>
            {item.section.title}
          </Text>
          <Text size="xs" c="dimmed">
            {item.assessment.name}
          </Text>
        </div>
        <Text size="sm">
          Submitted{' '}
          <time dateTime={item.submittedAt} title={formatDateTime(item.submittedAt)}>
            {formatDate(item.submittedAt)}
          </time>
        </Text>
        <Text size="sm" c="dimmed">
          {item.reviewsDone} of {item.reviewsRequired} {item.reviewsRequired === 1 ? 'review' : 'reviews'}{' '}
          done
        </Text>
        <Group mt="auto" pt="xs">
          <Button component={Link} to={`/reviews/${item.id}`} size="sm" aria-label={`Review ${ref}`}>
            Review
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function RecentReviews() {
  const mine = useMyReviews();
  const items = mine.data?.items ?? [];
  if (mine.isError)
    return <LoadError error={mine.error} what="your reviews" onRetry={() => void mine.refetch()} />;
  if (items.length === 0) return null;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="recent-reviews">
      <Title order={2} size="h4" id="recent-reviews" mb="sm">
        Your recent reviews
      </Title>
      <Table.ScrollContainer minWidth={560}>
        <Table verticalSpacing="xs" aria-labelledby="recent-reviews">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Submission</Table.Th>
              <Table.Th scope="col">Task</Table.Th>
              <Table.Th scope="col" ta="right">
                Your total
              </Table.Th>
              <Table.Th scope="col">Reviewed</Table.Th>
              <Table.Th scope="col">State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/reviews/${r.reviewItemId}`} size="sm">
                    {submissionRef(r.reviewItemId)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{r.section.title}</Text>
                  <Text size="xs" c="dimmed">
                    {r.assessment.name}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">{percent(r.total)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(r.updatedAt)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={r.state === 'complete' ? 'assay' : 'gray'} miw="max-content">
                    {r.state === 'complete' ? 'All reviews in' : 'Waiting for others'}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

export function ReviewQueuePage() {
  const queue = useReviewQueue();
  const items = queue.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Page
      title="Reviews"
      description="Uploaded work waiting for your review, oldest first. Submissions are blind: you see the task and the files, never who handed them in."
    >
      {!queue.data ? (
        queue.isError ? (
          <LoadError error={queue.error} what="the review queue" onRetry={() => void queue.refetch()} />
        ) : (
          <LoadingState label="Loading the review queue" />
        )
      ) : items.length === 0 ? (
        <Card withBorder padding="lg">
          <EmptyState
            align="left"
            title="Nothing to review"
            description="When a candidate hands in an upload section, it appears here for review against the task’s rubric."
          />
        </Card>
      ) : (
        <Stack gap="md">
          <Text size="sm" c="dimmed" role="status">
            {items.length.toLocaleString()}
            {queue.hasNextPage ? '+' : ''} {items.length === 1 ? 'submission' : 'submissions'} waiting
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
            {items.map((item, i) => (
              <QueueCard key={item.id} item={item} position={i + 1} />
            ))}
          </SimpleGrid>
          {queue.hasNextPage && (
            <Group justify="center">
              <Button
                variant="default"
                onClick={() => void queue.fetchNextPage()}
                loading={queue.isFetchingNextPage}
              >
                Load more
              </Button>
            </Group>
          )}
          {queue.isFetchNextPageError && (
            <Text size="sm" c="red.8" role="alert" ta="center">
              {errorMessage(queue.error)}
            </Text>
          )}
        </Stack>
      )}
      <RecentReviews />
    </Page>
  );
}
