import { Button, PasswordInput, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useChangePassword } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { applyApiError } from '../../lib/form-errors';
import {
  PASSWORD_MIN,
  validateConfirmation,
  validateNewPassword,
  validateRequiredPassword,
} from '../../lib/validation';

/** Used on the account page and on the forced password change. */
export function ChangePasswordForm({ submitLabel = 'Change password' }: { submitLabel?: string }) {
  const change = useChangePassword();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { currentPassword: '', newPassword: '', confirmPassword: '' },
    validate: {
      currentPassword: validateRequiredPassword,
      newPassword: (value, values) =>
        validateNewPassword(value) ??
        (value === values.currentPassword ? 'Choose a password different from the current one' : null),
      confirmPassword: validateConfirmation,
    },
  });

  const submit = form.onSubmit((values) => {
    setError(null);
    change.mutate(
      { currentPassword: values.currentPassword, newPassword: values.newPassword },
      {
        onSuccess: () => {
          form.reset();
          notifications.show({ message: 'Your password is changed.' });
        },
        onError: (err) => setError(applyApiError(form, err)),
      },
    );
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md" maw={420}>
        <FormAlert message={error} title="Couldn’t change your password" />
        <PasswordInput
          label="Current password"
          autoComplete="current-password"
          required
          {...form.getInputProps('currentPassword')}
        />
        <PasswordInput
          label="New password"
          description={`At least ${PASSWORD_MIN} characters.`}
          autoComplete="new-password"
          required
          {...form.getInputProps('newPassword')}
        />
        <PasswordInput
          label="Confirm new password"
          autoComplete="new-password"
          required
          {...form.getInputProps('confirmPassword')}
        />
        <Button type="submit" loading={change.isPending} style={{ alignSelf: 'flex-start' }}>
          {submitLabel}
        </Button>
      </Stack>
    </form>
  );
}
