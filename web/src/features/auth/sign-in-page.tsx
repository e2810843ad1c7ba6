import { Anchor, Button, Group, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAuthConfig, useSignIn } from '../../api/session';
import { AuthLayout } from '../../components/auth-layout';
import { FormAlert } from '../../components/form-alert';
import { applyApiError } from '../../lib/form-errors';
import { HOME_PATH, safeNextPath } from '../../lib/next-path';
import { validateEmail, validateRequiredPassword } from '../../lib/validation';

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNextPath(params.get('next'));
  const config = useAuthConfig();
  const signIn = useSignIn();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { email: params.get('email') ?? '', password: '' },
    validate: { email: validateEmail, password: validateRequiredPassword },
  });

  const submit = form.onSubmit((values) => {
    setError(null);
    signIn.mutate(
      { email: values.email.trim(), password: values.password },
      {
        onSuccess: () => navigate(next, { replace: true }),
        onError: (err) => {
          form.setFieldValue('password', '');
          setError(applyApiError(form, err));
        },
      },
    );
  });

  const signUpHref = next === HOME_PATH ? '/sign-up' : `/sign-up?next=${encodeURIComponent(next)}`;

  return (
    <AuthLayout
      title="Sign in"
      description="Sign in to manage assessments, candidates and your team."
      footer={
        config.data?.signup === 'open' ? (
          <>
            New to Assay?{' '}
            <Anchor component={Link} to={signUpHref}>
              Create an account
            </Anchor>
          </>
        ) : undefined
      }
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert message={error} title="Couldn’t sign you in" />
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            required
            {...form.getInputProps('email')}
          />
          <div>
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              {...form.getInputProps('password')}
            />
            <Group justify="flex-end" mt={6}>
              <Text size="sm">
                <Anchor component={Link} to="/forgot-password">
                  Forgot password?
                </Anchor>
              </Text>
            </Group>
          </div>
          <Button type="submit" loading={signIn.isPending} fullWidth>
            Sign in
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
