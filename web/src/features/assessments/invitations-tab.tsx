import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Loader,
  Menu,
  Modal,
  NativeSelect,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { Assessment } from '../../api/assessments';
import {
  type BulkAction,
  type BulkResult,
  type Invitation,
  type InvitationStatus,
  useBulkInvitations,
  useInvitationAction,
  useInvitations,
} from '../../api/invitations';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDate, formatDateTime } from '../../lib/format';
import { plural } from './assessment-labels';
import { InviteModal } from './invite-modal';

const statusLabels: Record<InvitationStatus, { label: string; color: string }> = {
  invited: { label: 'Invited', color: 'blue' },
  opened: { label: 'Opened', color: 'cyan' },
  started: { label: 'Started', color: 'yellow' },
  completed: { label: 'Completed', color: 'assay' },
  expired: { label: 'Expired', color: 'orange' },
  revoked: { label: 'Revoked', color: 'gray' },
};
const statuses = Object.keys(statusLabels) as InvitationStatus[];

/** Resend, revoke and extend apply only to invitations nobody has started. */
const manageable = (inv: Invitation) =>
  inv.status === 'invited' || inv.status === 'opened' || inv.status === 'expired';

const actionWords: Record<BulkAction, { verb: string; done: string }> = {
  resend: { verb: 'Resend', done: 'resent' },
  revoke: { verb: 'Revoke', done: 'revoked' },
  extend: { verb: 'Extend', done: 'extended' },
};

/** An action waiting for confirmation: on one row (single) or on the selection. */
type Pending = { action: BulkAction; ids: string[]; label: string; single: boolean };

/** Confirms resend, revoke or extend for one invitation or a selection; extend asks for days. */
function ConfirmActionModal({
  pending,
  busy,
  onCancel,
  onConfirm,
}: {
  pending: Pending | null;
  busy: boolean;
  onCancel: () => void;
  onConfirm: (days?: number) => void;
}) {
  const [days, setDays] = useState<number | string>(7);
  const validDays = typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= 365;
  const action = pending?.action;
  const body =
    action === 'resend'
      ? 'A new link is emailed. The link sent before stops working. Expired invitations get a fresh expiry.'
      : action === 'revoke'
        ? 'The link stops working and no more reminders are sent. This can’t be undone: the candidate can’t be invited to this assessment again.'
        : 'The expiry moves later by the number of days you choose, counted from today if it has already passed.';
  return (
    <Modal
      opened={pending !== null}
      onClose={onCancel}
      title={pending ? `${actionWords[pending.action].verb} ${pending.label}?` : ''}
    >
      {pending && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (pending.action === 'extend' && !validDays) return;
            onConfirm(pending.action === 'extend' ? (days as number) : undefined);
          }}
        >
          <Stack gap="md">
            <Text size="sm">{body}</Text>
            {pending.action === 'extend' && (
              <NumberInput
                label="Days to add"
                min={1}
                max={365}
                allowDecimal={false}
                allowNegative={false}
                value={days}
                onChange={setDays}
                error={validDays ? null : 'Enter 1 to 365 days'}
                data-autofocus
                w={160}
              />
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={onCancel}>
                Cancel
              </Button>
              <Button type="submit" color={pending.action === 'revoke' ? 'red' : undefined} loading={busy}>
                {actionWords[pending.action].verb}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

/** "48 invitations resent. 2 couldn't be: A started invitation can't be resent (2)." */
function summarize(action: BulkAction, results: BulkResult['results']): { message: string; failed: boolean } {
  const ok = results.filter((r) => r.ok).length;
  const failures = new Map<string, number>();
  for (const r of results) {
    if (!r.ok) {
      const m = r.error?.message ?? 'Unknown error';
      failures.set(m, (failures.get(m) ?? 0) + 1);
    }
  }
  const failedCount = results.length - ok;
  const parts = [`${plural(ok, 'invitation')} ${actionWords[action].done}.`];
  if (failedCount > 0) {
    const reasons = [...failures].map(([m, n]) => `${m} (${n})`).join('; ');
    parts.push(`${plural(failedCount, 'invitation')} couldn’t be: ${reasons}.`);
  }
  return { message: parts.join(' '), failed: failedCount > 0 };
}

function InvitationRow({
  invitation,
  selected,
  onSelect,
  onAction,
}: {
  invitation: Invitation;
  selected: boolean;
  onSelect: (checked: boolean) => void;
  onAction: (action: BulkAction) => void;
}) {
  const { candidate } = invitation;
  const status = statusLabels[invitation.status];
  const can = manageable(invitation);
  return (
    <Table.Tr bg={selected ? 'var(--mantine-color-assay-light)' : undefined}>
      <Table.Td>
        <Checkbox
          aria-label={`Select ${candidate.name}`}
          checked={selected}
          onChange={(e) => onSelect(e.currentTarget.checked)}
        />
      </Table.Td>
      <Table.Td>
        <Text size="sm" fw={500}>
          {candidate.name}
        </Text>
        <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
          {candidate.email}
          {candidate.externalId && ` · ${candidate.externalId}`}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={status.color}>
          {status.label}
        </Badge>
        {invitation.extraTime > 1 && (
          <Text size="xs" c="dimmed" mt={2}>
            {invitation.extraTime}× time
          </Text>
        )}
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(invitation.sentAt)}</Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(invitation.openedAt)}</Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <time dateTime={invitation.expiresAt} title={formatDateTime(invitation.expiresAt)}>
          {formatDate(invitation.expiresAt)}
        </time>
      </Table.Td>
      <Table.Td>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${candidate.name}`}>
              <Text span fw={700} aria-hidden>
                ⋯
              </Text>
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            {!can && <Menu.Label>Started, completed or revoked invitations can’t be changed</Menu.Label>}
            <Menu.Item disabled={!can} onClick={() => onAction('resend')}>
              Resend
            </Menu.Item>
            <Menu.Item disabled={!can} onClick={() => onAction('extend')}>
              Extend…
            </Menu.Item>
            <Menu.Item disabled={!can} color="red" onClick={() => onAction('revoke')}>
              Revoke
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Table.Td>
    </Table.Tr>
  );
}

export function InvitationsTab({ assessment }: { assessment: Assessment }) {
  const [inviteOpened, inviteDialog] = useDisclosure(false);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [status, setStatus] = useState<InvitationStatus | ''>('');
  const invitations = useInvitations(assessment.id, { q: q || undefined, status: status || undefined });
  const bulk = useBulkInvitations(assessment.id);
  const single = useInvitationAction(assessment.id);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<Pending | null>(null);
  const rows = invitations.data?.pages.flatMap((p) => p.items) ?? [];
  const visibleSelected = rows.filter((r) => selected.has(r.id));
  const allSelected = rows.length > 0 && visibleSelected.length === rows.length;
  const open = assessment.state === 'open';
  const refreshing =
    invitations.isFetching && !invitations.isFetchingNextPage && invitations.data !== undefined;
  const filtered = q !== '' || status !== '';

  const select = (id: string, checked: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (checked) next.add(id);
      else next.delete(id);
      return next;
    });

  const confirm = (days?: number) => {
    if (!pending) return;
    const { action, ids } = pending;
    if (pending.single) {
      single.mutate(
        { action, invitationId: ids[0] ?? '', days },
        {
          onSuccess: () => {
            notifications.show({
              message: `The invitation for ${pending.label} was ${actionWords[action].done}.`,
            });
            setPending(null);
          },
          onError: (err) =>
            notifications.show({
              color: 'red',
              title: `Couldn’t ${actionWords[action].verb.toLowerCase()} the invitation`,
              message: errorMessage(err),
            }),
        },
      );
      return;
    }
    bulk.mutate(
      { action, invitationIds: ids, days },
      {
        onSuccess: ({ results }) => {
          const summary = summarize(action, results);
          notifications.show({
            color: summary.failed ? 'orange' : undefined,
            message: summary.message,
            autoClose: summary.failed ? false : 5000,
          });
          setSelected(new Set());
          setPending(null);
        },
        onError: (err) =>
          notifications.show({ color: 'red', title: 'That didn’t work', message: errorMessage(err) }),
      },
    );
  };

  return (
    <Stack gap="md">
      {!open && (
        <Alert
          color="gray"
          title={assessment.state === 'draft' ? 'Not open yet' : 'Not accepting candidates'}
        >
          {assessment.state === 'draft'
            ? 'Open the assessment from the Overview tab to invite candidates.'
            : 'Candidates can be invited only while the assessment is open.'}
        </Alert>
      )}
      <Card withBorder padding="lg">
        <Stack gap="md">
          <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
            <form aria-label="Filter invitations" onSubmit={(e) => e.preventDefault()}>
              <Group align="flex-end" gap="sm">
                <TextInput
                  label="Search"
                  description="Name, email or external id"
                  type="search"
                  value={search}
                  onChange={(e) => setSearch(e.currentTarget.value)}
                  maxLength={200}
                  w={260}
                />
                <NativeSelect
                  label="Status"
                  value={status}
                  onChange={(e) => setStatus(e.currentTarget.value as InvitationStatus | '')}
                  data={[
                    { value: '', label: 'Any status' },
                    ...statuses.map((s) => ({ value: s, label: statusLabels[s].label })),
                  ]}
                  w={160}
                />
                {refreshing && <Loader size="sm" aria-label="Updating the list" mb={8} />}
              </Group>
            </form>
            <Button onClick={inviteDialog.open} disabled={!open}>
              Invite candidates
            </Button>
          </Group>

          {visibleSelected.length > 0 && (
            <Group
              gap="xs"
              p="xs"
              bg="var(--mantine-color-assay-light)"
              style={{ borderRadius: 'var(--mantine-radius-md)' }}
              role="group"
              aria-label="Actions on the selected invitations"
            >
              <Text size="sm" fw={600} mr="sm">
                {plural(visibleSelected.length, 'invitation')} selected
              </Text>
              {(['resend', 'extend', 'revoke'] as const).map((action) => (
                <Button
                  key={action}
                  size="xs"
                  variant="default"
                  color={action === 'revoke' ? 'red' : undefined}
                  onClick={() =>
                    setPending({
                      action,
                      ids: visibleSelected.map((r) => r.id),
                      label: plural(visibleSelected.length, 'invitation'),
                      single: false,
                    })
                  }
                >
                  {actionWords[action].verb}
                  {action === 'extend' ? '…' : ''}
                </Button>
              ))}
              <Button size="xs" variant="subtle" onClick={() => setSelected(new Set())}>
                Clear selection
              </Button>
            </Group>
          )}

          {!invitations.data ? (
            invitations.isError ? (
              <LoadError
                error={invitations.error}
                what="invitations"
                onRetry={() => void invitations.refetch()}
              />
            ) : (
              <LoadingState label="Loading invitations" />
            )
          ) : rows.length === 0 ? (
            <Text size="sm" c="dimmed">
              {filtered
                ? 'No invitations match these filters.'
                : open
                  ? 'No candidates invited yet. Invite one by email, upload a CSV of many, or share the public link.'
                  : 'No candidates invited yet.'}
            </Text>
          ) : (
            <>
              <Table.ScrollContainer minWidth={820}>
                <Table verticalSpacing="xs" aria-label="Invitations, newest first">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w={40}>
                        <Checkbox
                          aria-label="Select all invitations shown"
                          checked={allSelected}
                          indeterminate={visibleSelected.length > 0 && !allSelected}
                          onChange={(e) => {
                            const checked = e.currentTarget.checked;
                            setSelected(checked ? new Set(rows.map((r) => r.id)) : new Set());
                          }}
                        />
                      </Table.Th>
                      <Table.Th scope="col">Candidate</Table.Th>
                      <Table.Th scope="col">Status</Table.Th>
                      <Table.Th scope="col">Sent</Table.Th>
                      <Table.Th scope="col">Opened</Table.Th>
                      <Table.Th scope="col">Expires</Table.Th>
                      <Table.Th scope="col">
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((inv) => (
                      <InvitationRow
                        key={inv.id}
                        invitation={inv}
                        selected={selected.has(inv.id)}
                        onSelect={(checked) => select(inv.id, checked)}
                        onAction={(action) =>
                          setPending({ action, ids: [inv.id], label: inv.candidate.name, single: true })
                        }
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Group justify="center">
                {invitations.hasNextPage ? (
                  <Button
                    variant="default"
                    onClick={() => void invitations.fetchNextPage()}
                    loading={invitations.isFetchingNextPage}
                  >
                    Load more
                  </Button>
                ) : (
                  <Text size="sm" c="dimmed">
                    {plural(rows.length, 'invitation')} shown
                  </Text>
                )}
              </Group>
              {invitations.isFetchNextPageError && (
                <Text size="sm" c="red.8" role="alert" ta="center">
                  {errorMessage(invitations.error)}
                </Text>
              )}
            </>
          )}
        </Stack>
      </Card>

      <ConfirmActionModal
        key={pending ? `${pending.action}:${pending.ids.length}` : 'none'}
        pending={pending}
        busy={bulk.isPending || single.isPending}
        onCancel={() => setPending(null)}
        onConfirm={confirm}
      />
      {open && <InviteModal assessment={assessment} opened={inviteOpened} onClose={inviteDialog.close} />}
    </Stack>
  );
}
