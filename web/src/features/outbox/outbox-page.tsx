import { Alert, Anchor, Badge, Button, Card, Drawer, Group, Stack, Table, Text } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { useOutbox, useOutboxEmail } from '../../api/outbox';
import type { OutboxEmail } from '../../api/types';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDateTime } from '../../lib/format';

const statuses: Record<string, { label: string; color: string }> = {
  queued: { label: 'Queued', color: 'gray' },
  sent: { label: 'Sent', color: 'assay' },
  failed: { label: 'Failed', color: 'red' },
  outbox: { label: 'Not sent', color: 'blue' },
};

function StatusBadge({ status }: { status: string }) {
  const s = statuses[status] ?? { label: status, color: 'gray' };
  return (
    <Badge variant="light" color={s.color}>
      {s.label}
    </Badge>
  );
}

const humanize = (kind: string) => kind.replace(/[._-]+/g, ' ');

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" fw={600} w={90} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Group>
  );
}

function EmailDrawer({ emailId, onClose }: { emailId: string | null; onClose: () => void }) {
  const email = useOutboxEmail(emailId);
  return (
    <Drawer
      opened={emailId !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={email.data?.subject ?? 'Email'}
      closeButtonProps={{ 'aria-label': 'Close email' }}
    >
      {email.isPending ? (
        <LoadingState label="Loading the email" />
      ) : email.isError ? (
        <LoadError error={email.error} what="the email" onRetry={() => void email.refetch()} />
      ) : (
        <Stack gap="md">
          <Stack gap={6}>
            <Field label="To">{email.data.to}</Field>
            <Field label="Kind">{humanize(email.data.kind)}</Field>
            <Field label="Status">
              <StatusBadge status={email.data.status} />
            </Field>
            <Field label="Created">{formatDateTime(email.data.createdAt)}</Field>
            <Field label="Sent">{formatDateTime(email.data.sentAt)}</Field>
            {email.data.lastError && <Field label="Last error">{email.data.lastError}</Field>}
          </Stack>
          {email.data.private ? (
            <Alert color="gray" title="Private message">
              Private message: only the recipient can read it.
            </Alert>
          ) : email.data.text !== null ? (
            <Card withBorder padding="md" bg="gray.0">
              {/* The plain-text body only: rendering stored HTML here would open the door to script injection. */}
              <Text component="pre" size="sm" ff="monospace" className="pre-wrap" m={0}>
                {email.data.text}
              </Text>
            </Card>
          ) : (
            <Text size="sm" c="dimmed">
              This email has no plain-text body to show.
            </Text>
          )}
        </Stack>
      )}
    </Drawer>
  );
}

function OutboxTable({ emails, onOpen }: { emails: OutboxEmail[]; onOpen: (id: string) => void }) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="xs" highlightOnHover aria-label="Emails, newest first">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">To</Table.Th>
            <Table.Th scope="col">Subject</Table.Th>
            <Table.Th scope="col">Kind</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {emails.map((e) => (
            <Table.Tr key={e.id} onClick={() => onOpen(e.id)} style={{ cursor: 'pointer' }}>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{e.to}</Table.Td>
              <Table.Td>
                {/* The row is clickable for the mouse; this button is the way in for keyboards and screen readers. */}
                <Anchor
                  component="button"
                  type="button"
                  size="sm"
                  ta="left"
                  onClick={(event) => {
                    event.stopPropagation();
                    onOpen(e.id);
                  }}
                >
                  {e.subject}
                </Anchor>
                {e.private && (
                  <Badge variant="outline" color="gray" size="xs" ml="xs">
                    Private
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{humanize(e.kind)}</Table.Td>
              <Table.Td>
                <StatusBadge status={e.status} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.createdAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function OutboxPage() {
  const outbox = useOutbox();
  const [openId, setOpenId] = useState<string | null>(null);
  const emails = outbox.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Page
      title="Outbox"
      description="Email this organization has sent or is waiting to send. When no mail server is configured, messages stay here: open one to copy an invitation link by hand."
    >
      <Card withBorder padding="lg">
        {!outbox.data ? (
          outbox.isError ? (
            <LoadError error={outbox.error} what="the outbox" onRetry={() => void outbox.refetch()} />
          ) : (
            <LoadingState label="Loading the outbox" />
          )
        ) : emails.length === 0 ? (
          <Text c="dimmed" size="sm">
            No email yet. Invitations and notifications will appear here.
          </Text>
        ) : (
          <Stack gap="md">
            <OutboxTable emails={emails} onOpen={setOpenId} />
            <Group justify="center">
              {outbox.hasNextPage ? (
                <Button
                  variant="default"
                  onClick={() => void outbox.fetchNextPage()}
                  loading={outbox.isFetchingNextPage}
                >
                  Load more
                </Button>
              ) : (
                <Text size="sm" c="dimmed">
                  No older email
                </Text>
              )}
            </Group>
            {outbox.isFetchNextPageError && (
              <Text size="sm" c="red.8" role="alert" ta="center">
                {errorMessage(outbox.error)}
              </Text>
            )}
          </Stack>
        )}
      </Card>
      <EmailDrawer emailId={openId} onClose={() => setOpenId(null)} />
    </Page>
  );
}
