import { Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useCreateTeamInvitation } from '../../api/team';
import type { Role } from '../../api/types';
import { FormAlert } from '../../components/form-alert';
import { applyApiError } from '../../lib/form-errors';
import { validateEmail } from '../../lib/validation';
import { assignableRoles } from './team-roles';

export function InviteMemberModal({
  opened,
  onClose,
  myRole,
  organizationName,
}: {
  opened: boolean;
  onClose: () => void;
  myRole: Role;
  organizationName: string;
}) {
  const invite = useCreateTeamInvitation();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { email: '', role: 'recruiter' as Role },
    validate: { email: validateEmail },
  });

  const close = () => {
    form.reset();
    setError(null);
    invite.reset();
    onClose();
  };

  const submit = form.onSubmit((values) => {
    setError(null);
    invite.mutate(
      { email: values.email.trim(), role: values.role },
      {
        onSuccess: (created) => {
          notifications.show({ message: `Invitation sent to ${created.email}.` });
          close();
        },
        onError: (err) => setError(applyApiError(form, err)),
      },
    );
  });

  return (
    <Modal opened={opened} onClose={close} title="Invite member">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            We’ll email a link to join {organizationName}. The link works once, and you can revoke it until
            it’s used.
          </Text>
          <FormAlert message={error} title="Couldn’t send the invitation" />
          <TextInput
            label="Email"
            type="email"
            autoComplete="off"
            required
            data-autofocus
            {...form.getInputProps('email')}
          />
          <NativeSelect
            label="Role"
            data={assignableRoles(myRole, { described: true })}
            {...form.getInputProps('role')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={invite.isPending}>
              Send invitation
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
