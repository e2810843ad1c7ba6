import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link } from 'react-router';
import { useRequestPasswordReset } from '../../api/session';
import { AuthLayout } from '../../components/auth-layout';
import { FormAlert } from '../../components/form-alert';
import { applyApiError } from '../../lib/form-errors';
import { validateEmail } from '../../lib/validation';

export function ForgotPasswordPage() {
  const request = useRequestPasswordReset();
  const [error, setError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useForm({ initialValues: { email: '' }, validate: { email: validateEmail } });

  const submit = form.onSubmit((values) => {
    setError(null);
    const email = values.email.trim();
    request.mutate(email, {
      onSuccess: () => setSentTo(email),
      onError: (err) => setError(applyApiError(form, err)),
    });
  });

  const footer = (
    <Anchor component={Link} to="/sign-in">
      Back to sign in
    </Anchor>
  );

  if (sentTo) {
    return (
      <AuthLayout title="Check your email" footer={footer}>
        <Alert color="assay" title="Reset link sent" role="status">
          <Text size="sm">
            If an account exists for {sentTo}, it will get an email with a link to choose a new password. The
            link works once and expires soon.
          </Text>
        </Alert>
        <Text size="sm" c="dimmed">
          No email after a few minutes? Check your spam folder, or ask an admin: if this instance has no mail
          server, they can read outgoing mail in the Outbox.
        </Text>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Reset your password"
      description="Enter the email you sign in with and we’ll send you a link to choose a new password."
      footer={footer}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert message={error} />
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            required
            {...form.getInputProps('email')}
          />
          <Button type="submit" loading={request.isPending} fullWidth>
            Send reset link
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
