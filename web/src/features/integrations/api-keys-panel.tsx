import {
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useRef, useState } from 'react';
import { type ApiKey, useApiKeys, useRevokeApiKey } from '../../api/integrations';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDate, formatDateTime } from '../../lib/format';
import { CreateApiKeyModal } from './create-api-key-modal';
import { scopeLabels } from './integration-labels';

function RevokeKeyModal({
  apiKey,
  onClose,
  onRevoked,
}: {
  apiKey: ApiKey | null;
  onClose: () => void;
  onRevoked: () => void;
}) {
  const revoke = useRevokeApiKey();
  return (
    <Modal opened={apiKey !== null} onClose={onClose} title="Revoke API key">
      {apiKey && (
        <Stack gap="md">
          <Text size="sm">
            Revoke <strong>{apiKey.name}</strong>? Its very next request is refused, so whatever uses it stops
            working now. This can’t be undone: to reconnect, create a new key.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={revoke.isPending}
              onClick={() =>
                revoke.mutate(apiKey.id, {
                  onSuccess: () => {
                    notifications.show({ message: `${apiKey.name} was revoked.` });
                    onClose();
                    onRevoked();
                  },
                  onError: (err) =>
                    notifications.show({
                      color: 'red',
                      title: 'Couldn’t revoke the key',
                      message: errorMessage(err),
                    }),
                })
              }
            >
              Revoke key
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function KeysTable({ keys, onRevoke }: { keys: ApiKey[]; onRevoke: (k: ApiKey) => void }) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="sm" aria-labelledby="api-keys-heading">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Key</Table.Th>
            <Table.Th scope="col">Access</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
            <Table.Th scope="col">Last used</Table.Th>
            <Table.Th scope="col">Action</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((k) => (
            <Table.Tr key={k.id}>
              <Table.Td>{k.name}</Table.Td>
              <Table.Td>
                <Text span ff="monospace" size="sm">
                  {k.prefix}…
                </Text>
              </Table.Td>
              <Table.Td>
                <Badge
                  variant="light"
                  color={k.scope === 'admin' ? 'orange' : k.scope === 'write' ? 'blue' : 'gray'}
                >
                  {scopeLabels[k.scope]}
                </Badge>
              </Table.Td>
              <Table.Td>
                {formatDate(k.createdAt)}
                {k.createdBy?.name && (
                  <Text size="xs" c="dimmed">
                    by {k.createdBy.name}
                  </Text>
                )}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'Never'}
              </Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => onRevoke(k)}
                  aria-label={`Revoke ${k.name}`}
                >
                  Revoke
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function ApiKeysPanel() {
  const keys = useApiKeys();
  const [createOpened, create] = useDisclosure(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const items = keys.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <div>
          <Title order={2} size="h4" id="api-keys-heading" ref={heading} tabIndex={-1}>
            API keys
          </Title>
          <Text size="sm" c="dimmed" maw={640}>
            Let other systems, such as your applicant-tracking system, use the{' '}
            <Anchor href="/docs" target="_blank" rel="noopener" underline="always">
              Assay API
              <VisuallyHidden> (opens in a new tab)</VisuallyHidden>
            </Anchor>{' '}
            on behalf of this organization. Each key goes in the{' '}
            <Text span ff="monospace" size="sm">
              Authorization
            </Text>{' '}
            header of a request.
          </Text>
        </div>
        <Button onClick={create.open}>Create API key</Button>
      </Group>
      {!keys.data ? (
        keys.isError ? (
          <LoadError error={keys.error} what="API keys" onRetry={() => void keys.refetch()} />
        ) : (
          <LoadingState label="Loading API keys" />
        )
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed">
          No API keys yet. Create one for each system that connects, so you can revoke one without the others.
        </Text>
      ) : (
        <>
          <KeysTable keys={items} onRevoke={setRevoking} />
          {keys.hasNextPage && (
            <Group justify="center">
              <Button
                variant="default"
                onClick={() => void keys.fetchNextPage()}
                loading={keys.isFetchingNextPage}
              >
                Load more
              </Button>
            </Group>
          )}
        </>
      )}
      <CreateApiKeyModal opened={createOpened} onClose={create.close} />
      <RevokeKeyModal
        apiKey={revoking}
        onClose={() => setRevoking(null)}
        // The revoked row is gone, so focus can't return to its button.
        onRevoked={() => setTimeout(() => heading.current?.focus(), 0)}
      />
    </Stack>
  );
}
