import { Anchor, Button, PasswordInput, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useConfirmPasswordReset } from '../../api/session';
import { AuthLayout } from '../../components/auth-layout';
import { FormAlert } from '../../components/form-alert';
import { applyApiError } from '../../lib/form-errors';
import { PASSWORD_MIN, validateConfirmation, validateNewPassword } from '../../lib/validation';

export function ResetPasswordPage() {
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const confirm = useConfirmPasswordReset();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { newPassword: '', confirmPassword: '' },
    validate: { newPassword: validateNewPassword, confirmPassword: validateConfirmation },
  });

  const submit = form.onSubmit((values) => {
    setError(null);
    confirm.mutate(
      { token, newPassword: values.newPassword },
      {
        onSuccess: () => {
          notifications.show({ message: 'Your password is changed. Sign in with the new one.' });
          navigate('/sign-in', { replace: true });
        },
        // A bad or expired link isn't a field of this form, so it shows in the alert.
        onError: (err) => setError(applyApiError(form, err)),
      },
    );
  });

  return (
    <AuthLayout
      title="Choose a new password"
      description="Choose a password you don’t use anywhere else."
      footer={
        <>
          Link expired?{' '}
          <Anchor component={Link} to="/forgot-password">
            Request a new one
          </Anchor>
        </>
      }
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert message={error} title="Couldn’t reset your password" />
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
          <Button type="submit" loading={confirm.isPending} fullWidth>
            Set new password
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
