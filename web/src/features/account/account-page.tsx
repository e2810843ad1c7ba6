import { Badge, Button, Card, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useRef } from 'react';
import { useAccountSessions, useRevokeAccountSession } from '../../api/account';
import type { AccountSession } from '../../api/types';
import { useCurrentSession } from '../../app/session-context';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDateTime } from '../../lib/format';
import { describeUserAgent } from '../../lib/user-agent';
import { ChangePasswordForm } from './change-password-form';

function SessionsTable({ sessions, onRevoked }: { sessions: AccountSession[]; onRevoked: () => void }) {
  const revoke = useRevokeAccountSession();
  const onRevoke = (s: AccountSession) =>
    revoke.mutate(s.id, {
      onSuccess: () => {
        notifications.show({ message: `Signed out ${describeUserAgent(s.userAgent)}.` });
        onRevoked();
      },
      onError: (err) =>
        notifications.show({
          color: 'red',
          title: 'Couldn’t sign out that session',
          message: errorMessage(err),
        }),
    });

  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="sm" aria-labelledby="sessions-heading">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Device</Table.Th>
            <Table.Th scope="col">IP address</Table.Th>
            <Table.Th scope="col">Signed in</Table.Th>
            <Table.Th scope="col">Last active</Table.Th>
            <Table.Th scope="col">Action</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sessions.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td>
                {describeUserAgent(s.userAgent)}{' '}
                {s.current && (
                  <Badge variant="light" ml={4}>
                    This device
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{s.ip ?? '—'}</Table.Td>
              <Table.Td>{formatDateTime(s.createdAt)}</Table.Td>
              <Table.Td>{formatDateTime(s.lastSeenAt)}</Table.Td>
              <Table.Td>
                {s.current ? (
                  <Text size="sm" c="dimmed">
                    Current session
                  </Text>
                ) : (
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => onRevoke(s)}
                    loading={revoke.isPending && revoke.variables === s.id}
                    aria-label={`Sign out ${describeUserAgent(s.userAgent)}, last active ${formatDateTime(s.lastSeenAt)}`}
                  >
                    Sign out
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function AccountPage() {
  const session = useCurrentSession();
  const sessions = useAccountSessions();
  const sessionsHeading = useRef<HTMLHeadingElement>(null);

  return (
    <Page title="Account" description={`${session.user.name} · ${session.user.email}`}>
      <Card withBorder padding="lg">
        <Title order={2} size="h4" mb="xs">
          Password
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          Use a password you don’t use anywhere else.
        </Text>
        <ChangePasswordForm />
      </Card>
      <Card withBorder padding="lg">
        <Stack gap="xs">
          <Title order={2} size="h4" id="sessions-heading" ref={sessionsHeading} tabIndex={-1}>
            Active sessions
          </Title>
          <Text size="sm" c="dimmed">
            Where your account is signed in. Sign out any session you don’t recognise, then change your
            password.
          </Text>
          {sessions.isPending ? (
            <LoadingState label="Loading sessions" />
          ) : sessions.isError ? (
            <LoadError error={sessions.error} what="your sessions" onRetry={() => void sessions.refetch()} />
          ) : (
            // The revoked row's button disappears: keep keyboard focus in the section.
            <SessionsTable
              sessions={sessions.data.items}
              onRevoked={() => sessionsHeading.current?.focus()}
            />
          )}
        </Stack>
      </Card>
    </Page>
  );
}
