import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Modal,
  Spoiler,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { type ReactNode, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  type RotatedSecret,
  useDeleteWebhookEndpoint,
  useRedeliverWebhook,
  useRefreshDeliveries,
  useRotateWebhookSecret,
  useSendWebhookTest,
  useUpdateWebhookEndpoint,
  useWebhookDeliveries,
  useWebhookEndpoint,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../../api/integrations';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDateTime } from '../../lib/format';
import { endpointStatus, eventTypeOptions, outcomeLabels } from './integration-labels';
import { SecretReveal } from './secret-reveal';
import { EditWebhookEndpointModal } from './webhook-endpoint-modal';
import { EndpointStatusBadge } from './webhooks-panel';

// Deliveries happen in the background; look again once the first try has had time to finish.
const REFRESH_AFTER_MS = 2500;

const failed = (title: string) => (err: unknown) =>
  notifications.show({ color: 'red', title, message: errorMessage(err) });

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" fw={600} w={130} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Group>
  );
}

function RotateSecretModal({
  endpoint,
  opened,
  onClose,
}: {
  endpoint: WebhookEndpoint;
  opened: boolean;
  onClose: () => void;
}) {
  const rotate = useRotateWebhookSecret(endpoint.id);
  const [rotated, setRotated] = useState<RotatedSecret | null>(null);
  const close = () => {
    setRotated(null);
    rotate.reset();
    onClose();
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={rotated ? 'Your new signing secret' : 'Rotate signing secret'}
      size="lg"
      closeOnClickOutside={!rotated}
    >
      {rotated ? (
        <Stack gap="md">
          <SecretReveal label="New signing secret" secret={rotated.secret} what="signing secret" />
          <Text size="sm">
            Until {formatDateTime(rotated.previousSecretExpiresAt)}, deliveries carry signatures made with
            both the old and the new secret, so you can update your receivers without losing messages.
          </Text>
          <Group justify="flex-end">
            <Button onClick={close}>I’ve copied the secret</Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="md">
          <Text size="sm">
            Make a new signing secret for {endpoint.url}? For the next 24 hours, deliveries are signed with
            both the old and the new secret; after that only the new one works.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button
              loading={rotate.isPending}
              onClick={() =>
                rotate.mutate(undefined, {
                  onSuccess: setRotated,
                  onError: failed('Couldn’t rotate the secret'),
                })
              }
            >
              Rotate secret
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function DeleteEndpointModal({
  endpoint,
  opened,
  onClose,
}: {
  endpoint: WebhookEndpoint;
  opened: boolean;
  onClose: () => void;
}) {
  const remove = useDeleteWebhookEndpoint();
  const navigate = useNavigate();
  return (
    <Modal opened={opened} onClose={onClose} title="Delete webhook endpoint">
      <Stack gap="md">
        <Text size="sm">
          Delete the endpoint <strong style={{ overflowWrap: 'anywhere' }}>{endpoint.url}</strong> and its
          delivery log? Nothing more is sent to it, including retries still waiting. To pause it instead, turn
          it off.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() =>
              remove.mutate(endpoint.id, {
                onSuccess: () => {
                  notifications.show({ message: 'The webhook endpoint was deleted.' });
                  navigate('/settings/integrations?tab=webhooks', { replace: true });
                },
                onError: failed('Couldn’t delete the endpoint'),
              })
            }
          >
            Delete endpoint
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function Details({ endpoint }: { endpoint: WebhookEndpoint }) {
  const status = endpointStatus(endpoint);
  const labels = new Map(eventTypeOptions.map((o) => [o.value, o.label]));
  return (
    <Stack gap={6}>
      <Field label="URL">
        <Text span ff="monospace" size="sm">
          {endpoint.url}
        </Text>
      </Field>
      {endpoint.description && <Field label="Description">{endpoint.description}</Field>}
      <Field label="Status">
        <Group gap="xs">
          <EndpointStatusBadge endpoint={endpoint} />
          {status.hint && (
            <Text size="sm" c="dimmed">
              {status.hint}
            </Text>
          )}
        </Group>
      </Field>
      <Field label="Events">
        <Stack gap={2}>
          {endpoint.eventTypes.map((t) => (
            <span key={t}>
              {labels.get(t) ?? t}{' '}
              <Text span size="xs" c="dimmed" ff="monospace">
                {t}
              </Text>
            </span>
          ))}
        </Stack>
      </Field>
      <Field label="Last delivered">
        {endpoint.lastSuccessAt ? formatDateTime(endpoint.lastSuccessAt) : 'Never'}
      </Field>
      {endpoint.failingSince && <Field label="Failing since">{formatDateTime(endpoint.failingSince)}</Field>}
      {endpoint.previousSecretExpiresAt && (
        <Field label="Old secret">
          Also signs deliveries until {formatDateTime(endpoint.previousSecretExpiresAt)}
        </Field>
      )}
      <Field label="Created">{formatDateTime(endpoint.createdAt)}</Field>
    </Stack>
  );
}

function DeliveryRow({
  d,
  canResend,
  onResend,
  resending,
}: {
  d: WebhookDelivery;
  canResend: boolean;
  onResend: () => void;
  resending: boolean;
}) {
  const outcome = outcomeLabels[d.outcome];
  // A failure shows why, then what the receiver said (if it said anything).
  const detail = [d.error, d.responseExcerpt].filter(Boolean).join('\n');
  return (
    <Table.Tr>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(d.createdAt)}</Table.Td>
      <Table.Td>
        <Text span ff="monospace" size="sm">
          {d.eventType}
        </Text>
        <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {d.eventId}
        </Text>
      </Table.Td>
      <Table.Td>{d.attempt}</Table.Td>
      <Table.Td miw={110}>
        <Badge variant="light" color={outcome.color}>
          {outcome.label}
        </Badge>
      </Table.Td>
      <Table.Td>{d.statusCode ?? '—'}</Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{d.durationMs} ms</Table.Td>
      <Table.Td maw={280}>
        {detail ? (
          <Spoiler maxHeight={40} showLabel="More" hideLabel="Less">
            <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
              {detail}
            </Text>
          </Spoiler>
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td>
        <Button
          size="xs"
          variant="default"
          disabled={!canResend}
          loading={resending}
          onClick={onResend}
          aria-label={`Resend ${d.eventType} ${d.eventId}`}
        >
          Resend
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

function Deliveries({ endpoint }: { endpoint: WebhookEndpoint }) {
  const deliveries = useWebhookDeliveries(endpoint.id);
  const redeliver = useRedeliverWebhook(endpoint.id);
  const refresh = useRefreshDeliveries(endpoint.id);
  const items = deliveries.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={2} size="h4" id="deliveries-heading">
            Deliveries
          </Title>
          <Button
            variant="default"
            size="xs"
            onClick={() => void refresh()}
            loading={deliveries.isRefetching}
          >
            Refresh
          </Button>
        </Group>
        <Text size="sm" c="dimmed">
          Every attempt, newest first, kept for 30 days. The event id is also the <Code>webhook-id</Code>{' '}
          header: it stays the same on every retry and resend.
        </Text>
        {!deliveries.data ? (
          deliveries.isError ? (
            <LoadError error={deliveries.error} what="deliveries" onRetry={() => void deliveries.refetch()} />
          ) : (
            <LoadingState label="Loading deliveries" />
          )
        ) : items.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing delivered yet. Send a test event to try your receiver.
          </Text>
        ) : (
          <>
            <Table.ScrollContainer minWidth={900}>
              <Table verticalSpacing="xs" aria-labelledby="deliveries-heading">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Time</Table.Th>
                    <Table.Th scope="col">Event</Table.Th>
                    <Table.Th scope="col">Try</Table.Th>
                    <Table.Th scope="col">Outcome</Table.Th>
                    <Table.Th scope="col">HTTP status</Table.Th>
                    <Table.Th scope="col">Took</Table.Th>
                    <Table.Th scope="col">Response or error</Table.Th>
                    <Table.Th scope="col">Action</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((d) => (
                    <DeliveryRow
                      key={d.id}
                      d={d}
                      canResend={endpoint.active}
                      resending={redeliver.isPending && redeliver.variables === d.id}
                      onResend={() =>
                        redeliver.mutate(d.id, {
                          onSuccess: () => {
                            notifications.show({ message: `${d.eventType} will be sent again.` });
                            setTimeout(() => void refresh(), REFRESH_AFTER_MS);
                          },
                          onError: failed('Couldn’t resend'),
                        })
                      }
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {deliveries.hasNextPage && (
              <Group justify="center">
                <Button
                  variant="default"
                  onClick={() => void deliveries.fetchNextPage()}
                  loading={deliveries.isFetchingNextPage}
                >
                  Load more
                </Button>
              </Group>
            )}
          </>
        )}
      </Stack>
    </Card>
  );
}

function EndpointView({ endpoint }: { endpoint: WebhookEndpoint }) {
  const [editOpened, edit] = useDisclosure(false);
  const [rotateOpened, rotate] = useDisclosure(false);
  const [deleteOpened, del] = useDisclosure(false);
  const test = useSendWebhookTest(endpoint.id);
  const update = useUpdateWebhookEndpoint(endpoint.id);
  const refresh = useRefreshDeliveries(endpoint.id);
  return (
    <>
      {!endpoint.active && (
        <Alert color={endpoint.disabledReason ? 'red' : 'gray'} title="This endpoint is off">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">
              {endpoint.disabledReason === 'gone'
                ? 'Assay turned it off because the receiver answered 410 Gone. '
                : endpoint.disabledReason === 'failing'
                  ? 'Assay turned it off because every delivery failed for more than a day, and told the owners by email. '
                  : ''}
              Events are logged as skipped and not sent. Once the receiver works, turn it back on and resend
              what you need from the log below.
            </Text>
            <Button
              size="xs"
              loading={update.isPending}
              onClick={() =>
                update.mutate(
                  { active: true },
                  {
                    onSuccess: () => notifications.show({ message: 'The endpoint is on again.' }),
                    onError: failed('Couldn’t turn the endpoint on'),
                  },
                )
              }
            >
              Turn on
            </Button>
          </Stack>
        </Alert>
      )}
      <Card withBorder padding="lg">
        <Stack gap="md">
          <Details endpoint={endpoint} />
          <Group gap="sm">
            <Button
              variant="light"
              disabled={!endpoint.active}
              loading={test.isPending}
              onClick={() =>
                test.mutate(undefined, {
                  onSuccess: () => {
                    notifications.show({ message: 'A webhook.test event is on its way.' });
                    setTimeout(() => void refresh(), REFRESH_AFTER_MS);
                  },
                  onError: failed('Couldn’t send the test event'),
                })
              }
            >
              Send test event
            </Button>
            <Button variant="default" onClick={edit.open}>
              Edit
            </Button>
            <Button variant="default" onClick={rotate.open}>
              Rotate secret
            </Button>
            <Button variant="default" color="red" onClick={del.open}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Card>
      <Deliveries endpoint={endpoint} />
      <EditWebhookEndpointModal endpoint={endpoint} opened={editOpened} onClose={edit.close} />
      <RotateSecretModal endpoint={endpoint} opened={rotateOpened} onClose={rotate.close} />
      <DeleteEndpointModal endpoint={endpoint} opened={deleteOpened} onClose={del.close} />
    </>
  );
}

export function WebhookEndpointPage() {
  const { endpointId = '' } = useParams();
  const endpoint = useWebhookEndpoint(endpointId);
  return (
    <Page
      title="Webhook endpoint"
      description={
        <Anchor component={Link} to="/settings/integrations?tab=webhooks" size="sm">
          ← All integrations
        </Anchor>
      }
    >
      {endpoint.isPending ? (
        <LoadingState label="Loading the endpoint" />
      ) : endpoint.isError ? (
        <LoadError error={endpoint.error} what="the endpoint" onRetry={() => void endpoint.refetch()} />
      ) : (
        <EndpointView endpoint={endpoint.data} />
      )}
    </Page>
  );
}
