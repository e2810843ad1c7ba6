import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, useNavigate } from 'react-router';
import { useWebhookEndpoints, type WebhookEndpoint } from '../../api/integrations';
import { LoadError, LoadingState } from '../../components/query-state';
import { formatDateTime } from '../../lib/format';
import { endpointStatus } from './integration-labels';
import { CreateWebhookEndpointModal } from './webhook-endpoint-modal';

export function EndpointStatusBadge({ endpoint }: { endpoint: WebhookEndpoint }) {
  const s = endpointStatus(endpoint);
  return (
    <Badge variant="light" color={s.color}>
      {s.label}
    </Badge>
  );
}

function EndpointsTable({ endpoints }: { endpoints: WebhookEndpoint[] }) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table verticalSpacing="sm" aria-labelledby="webhooks-heading">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Endpoint</Table.Th>
            <Table.Th scope="col">Events</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Last delivered</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {endpoints.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>
                <Anchor component={Link} to={`/settings/integrations/webhooks/${e.id}`} size="sm">
                  {e.url}
                </Anchor>
                {e.description && (
                  <Text size="xs" c="dimmed">
                    {e.description}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {e.eventTypes.length === 1 ? (
                  <Text span ff="monospace" size="sm">
                    {e.eventTypes[0]}
                  </Text>
                ) : (
                  `${e.eventTypes.length} events`
                )}
              </Table.Td>
              <Table.Td>
                <EndpointStatusBadge endpoint={e} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {e.lastSuccessAt ? formatDateTime(e.lastSuccessAt) : 'Never'}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function WebhooksPanel() {
  const endpoints = useWebhookEndpoints();
  const [createOpened, create] = useDisclosure(false);
  const navigate = useNavigate();
  const items = endpoints.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <div>
          <Title order={2} size="h4" id="webhooks-heading">
            Webhooks
          </Title>
          <Text size="sm" c="dimmed" maw={640}>
            Assay tells your systems when candidates are invited, start, finish and are graded, with a signed
            message to each endpoint. Failed deliveries are retried for about three days.
          </Text>
        </div>
        <Button onClick={create.open}>Add endpoint</Button>
      </Group>
      {!endpoints.data ? (
        endpoints.isError ? (
          <LoadError
            error={endpoints.error}
            what="webhook endpoints"
            onRetry={() => void endpoints.refetch()}
          />
        ) : (
          <LoadingState label="Loading webhook endpoints" />
        )
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed">
          No endpoints yet. Add one to receive events as they happen.
        </Text>
      ) : (
        <>
          <EndpointsTable endpoints={items} />
          {endpoints.hasNextPage && (
            <Group justify="center">
              <Button
                variant="default"
                onClick={() => void endpoints.fetchNextPage()}
                loading={endpoints.isFetchingNextPage}
              >
                Load more
              </Button>
            </Group>
          )}
        </>
      )}
      <CreateWebhookEndpointModal
        opened={createOpened}
        onClose={create.close}
        onCreated={(id) => navigate(`/settings/integrations/webhooks/${id}`)}
      />
    </Stack>
  );
}
