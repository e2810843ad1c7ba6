import { Button, Card, Code, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useAuditLog } from '../../api/audit-log';
import type { AuditEntry } from '../../api/types';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatUtc } from '../../lib/format';

function describeDetails(details: AuditEntry['details']): string {
  const parts = Object.entries(details).map(
    ([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  const text = parts.join(', ');
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const details = describeDetails(entry.details);
  return (
    <Table.Tr>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <time dateTime={entry.createdAt}>{formatUtc(entry.createdAt)}</time>
      </Table.Td>
      <Table.Td>
        {entry.actor?.name ?? (
          <Text span c="dimmed" size="sm">
            System
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Code>{entry.action}</Code>
        {details && (
          <Text size="xs" c="dimmed" mt={4}>
            {details}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        {entry.targetType ? (
          <>
            {entry.targetType}
            {entry.targetId && (
              <Text size="xs" c="dimmed" ff="monospace">
                {entry.targetId}
              </Text>
            )}
          </>
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{entry.ip ?? '—'}</Table.Td>
    </Table.Tr>
  );
}

export function AuditLogPage() {
  const [filter, setFilter] = useState('');
  const [action, setAction] = useState('');
  const log = useAuditLog(action);
  const entries = log.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Page
      title="Audit log"
      description="Security-relevant actions in this organization, newest first. Times are in UTC."
    >
      <Card withBorder padding="lg">
        <Stack gap="md">
          <form
            aria-label="Filter the audit log"
            onSubmit={(e) => {
              e.preventDefault();
              setAction(filter.trim());
            }}
          >
            <Group align="flex-end" gap="sm">
              <TextInput
                label="Action"
                description="The exact action name, such as member.role_changed"
                value={filter}
                onChange={(e) => setFilter(e.currentTarget.value)}
                maxLength={100}
                w={360}
              />
              <Button type="submit" variant="light">
                Filter
              </Button>
              {action && (
                <Button
                  variant="subtle"
                  onClick={() => {
                    setFilter('');
                    setAction('');
                  }}
                >
                  Show all
                </Button>
              )}
            </Group>
          </form>
          {!log.data ? (
            log.isError ? (
              <LoadError error={log.error} what="the audit log" onRetry={() => void log.refetch()} />
            ) : (
              <LoadingState label="Loading the audit log" />
            )
          ) : entries.length === 0 ? (
            <Text c="dimmed" size="sm" role="status">
              {action ? `No entries for the action “${action}”.` : 'Nothing has been recorded yet.'}
            </Text>
          ) : (
            <>
              <Table.ScrollContainer minWidth={760}>
                <Table verticalSpacing="xs" striped aria-label="Audit log entries, newest first">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Time (UTC)</Table.Th>
                      <Table.Th scope="col">Actor</Table.Th>
                      <Table.Th scope="col">Action</Table.Th>
                      <Table.Th scope="col">Target</Table.Th>
                      <Table.Th scope="col">IP address</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {entries.map((entry) => (
                      <AuditRow key={entry.id} entry={entry} />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Group justify="center" gap="sm">
                {log.hasNextPage ? (
                  <Button
                    variant="default"
                    onClick={() => void log.fetchNextPage()}
                    loading={log.isFetchingNextPage}
                  >
                    Load more
                  </Button>
                ) : (
                  <Text size="sm" c="dimmed">
                    End of the log
                  </Text>
                )}
              </Group>
              {log.isFetchNextPageError && (
                <Text size="sm" c="red.8" role="alert" ta="center">
                  {errorMessage(log.error)}
                </Text>
              )}
            </>
          )}
        </Stack>
      </Card>
    </Page>
  );
}
