import { Badge, Button, Card, Group, Modal, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useRef, useState } from 'react';
import {
  useMembers,
  useRemoveMember,
  useRevokeTeamInvitation,
  useTeamInvitations,
  useUpdateMemberRole,
} from '../../api/team';
import { type Member, type Role, roleLabels, type TeamInvitation } from '../../api/types';
import { useCurrentSession } from '../../app/session-context';
import { Page } from '../../components/page';
import { LoadError, LoadingState } from '../../components/query-state';
import { errorMessage } from '../../lib/form-errors';
import { formatDate, formatDateTime } from '../../lib/format';
import { can } from '../../lib/permissions';
import { InviteMemberModal } from './invite-member-modal';
import { assignableRoles, canEditMember } from './team-roles';

function RoleCell({ member, myRole, editable }: { member: Member; myRole: Role; editable: boolean }) {
  const update = useUpdateMemberRole();
  if (!editable) return <>{roleLabels[member.role]}</>;
  const pendingRole = update.isPending ? update.variables?.role : undefined;
  return (
    <NativeSelect
      size="xs"
      w={150}
      aria-label={`Role of ${member.name}`}
      data={assignableRoles(myRole)}
      value={pendingRole ?? member.role}
      disabled={update.isPending}
      onChange={(event) => {
        const role = event.currentTarget.value as Role;
        if (role === member.role) return;
        update.mutate(
          { userId: member.userId, role },
          {
            onSuccess: (m) =>
              notifications.show({ message: `${m.name} is now ${roleLabels[m.role].toLowerCase()}.` }),
            onError: (err) =>
              notifications.show({
                color: 'red',
                title: 'Couldn’t change the role',
                message: errorMessage(err),
              }),
          },
        );
      }}
    />
  );
}

function RemoveMemberModal({
  member,
  onClose,
  onRemoved,
}: {
  member: Member | null;
  onClose: () => void;
  onRemoved: () => void;
}) {
  const session = useCurrentSession();
  const remove = useRemoveMember();
  const orgName = session.organization?.name ?? 'this organization';
  return (
    <Modal opened={member !== null} onClose={onClose} title="Remove member">
      {member && (
        <Stack gap="md">
          <Text size="sm">
            Remove <strong>{member.name}</strong> ({member.email}) from {orgName}? They lose access straight
            away. You can invite them again later.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(member.userId, {
                  onSuccess: () => {
                    notifications.show({ message: `${member.name} was removed from ${orgName}.` });
                    onClose();
                    onRemoved();
                  },
                  onError: (err) =>
                    notifications.show({
                      color: 'red',
                      title: 'Couldn’t remove the member',
                      message: errorMessage(err),
                    }),
                })
              }
            >
              Remove member
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function MembersTable({ members, onRemove }: { members: Member[]; onRemove: (m: Member) => void }) {
  const session = useCurrentSession();
  const myRole = session.organization?.role;
  const manager = can(myRole, 'team.manage');
  return (
    <Table.ScrollContainer minWidth={680}>
      <Table verticalSpacing="sm" aria-labelledby="members-heading">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Email</Table.Th>
            <Table.Th scope="col">Role</Table.Th>
            <Table.Th scope="col">Joined</Table.Th>
            {manager && <Table.Th scope="col">Action</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.map((m) => {
            const editable = myRole !== undefined && canEditMember(myRole, session.user.id, m);
            return (
              <Table.Tr key={m.userId}>
                <Table.Td>
                  {m.name}
                  {m.userId === session.user.id && (
                    <Badge variant="light" color="gray" ml="xs">
                      You
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{m.email}</Table.Td>
                <Table.Td>{myRole && <RoleCell member={m} myRole={myRole} editable={editable} />}</Table.Td>
                <Table.Td>{formatDate(m.joinedAt)}</Table.Td>
                {manager && (
                  <Table.Td>
                    {editable && (
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => onRemove(m)}
                        aria-label={`Remove ${m.name}`}
                      >
                        Remove
                      </Button>
                    )}
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function InvitationsTable({
  invitations,
  onRevoked,
}: {
  invitations: TeamInvitation[];
  onRevoked: () => void;
}) {
  const revoke = useRevokeTeamInvitation();
  if (invitations.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No pending invitations.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={620}>
      <Table verticalSpacing="sm" aria-labelledby="invitations-heading">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Email</Table.Th>
            <Table.Th scope="col">Role</Table.Th>
            <Table.Th scope="col">Sent</Table.Th>
            <Table.Th scope="col">Expires</Table.Th>
            <Table.Th scope="col">Action</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {invitations.map((inv) => (
            <Table.Tr key={inv.id}>
              <Table.Td>{inv.email}</Table.Td>
              <Table.Td>{roleLabels[inv.role]}</Table.Td>
              <Table.Td>{formatDate(inv.createdAt)}</Table.Td>
              <Table.Td>{formatDateTime(inv.expiresAt)}</Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="default"
                  aria-label={`Revoke the invitation for ${inv.email}`}
                  loading={revoke.isPending && revoke.variables === inv.id}
                  onClick={() =>
                    revoke.mutate(inv.id, {
                      onSuccess: () => {
                        notifications.show({ message: `The invitation for ${inv.email} was revoked.` });
                        // The row and its button are gone: keep keyboard focus somewhere sensible.
                        onRevoked();
                      },
                      onError: (err) =>
                        notifications.show({
                          color: 'red',
                          title: 'Couldn’t revoke the invitation',
                          message: errorMessage(err),
                        }),
                    })
                  }
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

function PendingInvitations() {
  const invitations = useTeamInvitations();
  const heading = useRef<HTMLHeadingElement>(null);
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={2} size="h4" id="invitations-heading" ref={heading} tabIndex={-1}>
          Pending invitations
        </Title>
        {invitations.isPending ? (
          <LoadingState label="Loading invitations" />
        ) : invitations.isError ? (
          <LoadError
            error={invitations.error}
            what="invitations"
            onRetry={() => void invitations.refetch()}
          />
        ) : (
          <InvitationsTable invitations={invitations.data.items} onRevoked={() => heading.current?.focus()} />
        )}
      </Stack>
    </Card>
  );
}

export function TeamPage() {
  const session = useCurrentSession();
  const members = useMembers();
  const [inviteOpened, invite] = useDisclosure(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const membersHeading = useRef<HTMLHeadingElement>(null);
  const org = session.organization;
  const manager = can(org?.role, 'team.manage');

  return (
    <Page
      title="Team"
      description={`People who work in ${org?.name ?? 'this organization'}, and what each of them can do.`}
      actions={manager && <Button onClick={invite.open}>Invite member</Button>}
    >
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Title order={2} size="h4" id="members-heading" ref={membersHeading} tabIndex={-1}>
            Members
          </Title>
          {members.isPending ? (
            <LoadingState label="Loading members" />
          ) : members.isError ? (
            <LoadError error={members.error} what="members" onRetry={() => void members.refetch()} />
          ) : (
            <MembersTable members={members.data.items} onRemove={setRemoving} />
          )}
        </Stack>
      </Card>
      {manager && <PendingInvitations />}
      {manager && org && (
        <InviteMemberModal
          opened={inviteOpened}
          onClose={invite.close}
          myRole={org.role}
          organizationName={org.name}
        />
      )}
      <RemoveMemberModal
        member={removing}
        onClose={() => setRemoving(null)}
        // The removed row's button is gone, so focus can't return to it.
        onRemoved={() => setTimeout(() => membersHeading.current?.focus(), 0)}
      />
    </Page>
  );
}
