import { Anchor, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAuthConfig, useSignUp } from '../../api/session';
import { AuthLayout } from '../../components/auth-layout';
import { FormAlert } from '../../components/form-alert';
import { LoadError, LoadingState } from '../../components/query-state';
import { applyApiError } from '../../lib/form-errors';
import { safeNextPath } from '../../lib/next-path';
import { PASSWORD_MIN, validateEmail, validateName, validateNewPassword } from '../../lib/validation';

function SignUpForm() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const signUp = useSignUp();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { name: '', email: '', password: '', organizationName: '' },
    validate: {
      name: validateName('your name'),
      email: validateEmail,
      password: validateNewPassword,
      organizationName: validateName('the name of your organization'),
    },
  });

  const submit = form.onSubmit((values) => {
    setError(null);
    signUp.mutate(
      {
        name: values.name.trim(),
        email: values.email.trim(),
        password: values.password,
        organizationName: values.organizationName.trim(),
      },
      {
        onSuccess: () => navigate(safeNextPath(params.get('next')), { replace: true }),
        onError: (err) => setError(applyApiError(form, err)),
      },
    );
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <FormAlert message={error} title="Couldn’t create your account" />
        <TextInput label="Your name" autoComplete="name" required {...form.getInputProps('name')} />
        <TextInput
          label="Work email"
          type="email"
          autoComplete="email"
          required
          {...form.getInputProps('email')}
        />
        <PasswordInput
          label="Password"
          description={`At least ${PASSWORD_MIN} characters. A passphrase of a few words works well.`}
          autoComplete="new-password"
          required
          {...form.getInputProps('password')}
        />
        <TextInput
          label="Organization name"
          description="Usually your company. You can change it later."
          autoComplete="organization"
          required
          {...form.getInputProps('organizationName')}
        />
        <Button type="submit" loading={signUp.isPending} fullWidth>
          Create account
        </Button>
      </Stack>
    </form>
  );
}

export function SignUpPage() {
  const config = useAuthConfig();
  const signInLink = (
    <>
      Already have an account?{' '}
      <Anchor component={Link} to="/sign-in">
        Sign in
      </Anchor>
    </>
  );

  if (config.isPending) {
    return (
      <AuthLayout title="Create your account">
        <LoadingState />
      </AuthLayout>
    );
  }
  if (config.isError) {
    return (
      <AuthLayout title="Create your account" footer={signInLink}>
        <LoadError error={config.error} what="sign-up settings" onRetry={() => void config.refetch()} />
      </AuthLayout>
    );
  }
  if (config.data.signup !== 'open') {
    return (
      <AuthLayout
        title="Sign-up is by invitation"
        description="This Assay instance doesn’t accept new sign-ups. Ask an owner or admin of your organization to invite you; the invitation email has a link to join."
        footer={signInLink}
      >
        <Button component={Link} to="/sign-in" variant="light">
          Go to sign in
        </Button>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout
      title="Create your account"
      description="Set up Assay for your organization. You’ll be its owner and can invite your team."
      footer={signInLink}
    >
      <SignUpForm />
    </AuthLayout>
  );
}
