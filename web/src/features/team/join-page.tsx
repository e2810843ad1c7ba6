// Accepting a team invitation from its emailed link: whoever opens it sees what it is for, then
// accepts as the signed-in user, creates an account, or signs in first.
import { Alert, Anchor, Button, List, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { type ReactNode, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useSession, useSignOut } from '../../api/session';
import { useAcceptInvitation, useInvitationPreview } from '../../api/team';
import { type InvitationPreview, roleLabels } from '../../api/types';
import { AuthLayout } from '../../components/auth-layout';
import { FormAlert } from '../../components/form-alert';
import { LoadError, LoadingState } from '../../components/query-state';
import { applyApiError, errorMessage } from '../../lib/form-errors';
import { HOME_PATH } from '../../lib/next-path';
import { PASSWORD_MIN, validateName, validateNewPassword } from '../../lib/validation';

function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function Summary({ preview }: { preview: InvitationPreview }) {
  return (
    <List size="sm" spacing={4} listStyleType="none">
      <List.Item>
        <Text span fw={600}>
          Organization:
        </Text>{' '}
        {preview.organizationName}
      </List.Item>
      <List.Item>
        <Text span fw={600}>
          Role:
        </Text>{' '}
        {roleLabels[preview.role]}
      </List.Item>
      <List.Item>
        <Text span fw={600}>
          For:
        </Text>{' '}
        {preview.email}
      </List.Item>
    </List>
  );
}

function AcceptButton({ token }: { token: string }) {
  const accept = useAcceptInvitation();
  const navigate = useNavigate();
  return (
    <Stack gap="sm">
      <FormAlert
        message={accept.isError ? errorMessage(accept.error) : null}
        title="Couldn’t accept the invitation"
      />
      <Button
        loading={accept.isPending}
        onClick={() => accept.mutate({ token }, { onSuccess: () => navigate(HOME_PATH, { replace: true }) })}
      >
        Accept invitation
      </Button>
    </Stack>
  );
}

function CreateAccountForm({ token, email }: { token: string; email: string }) {
  const accept = useAcceptInvitation();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { name: '', password: '' },
    validate: { name: validateName('your name'), password: validateNewPassword },
  });
  const submit = form.onSubmit((values) => {
    setError(null);
    accept.mutate(
      { token, name: values.name.trim(), password: values.password },
      {
        onSuccess: () => navigate(HOME_PATH, { replace: true }),
        onError: (err) => setError(applyApiError(form, err)),
      },
    );
  });
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text size="sm">Create your account to join.</Text>
        <FormAlert message={error} title="Couldn’t create your account" />
        <TextInput label="Email" value={email} readOnly description="The invitation is for this address." />
        <TextInput label="Your name" autoComplete="name" required {...form.getInputProps('name')} />
        <PasswordInput
          label="Password"
          description={`At least ${PASSWORD_MIN} characters.`}
          autoComplete="new-password"
          required
          {...form.getInputProps('password')}
        />
        <Button type="submit" loading={accept.isPending} fullWidth>
          Create account and join
        </Button>
      </Stack>
    </form>
  );
}

export function JoinPage() {
  const { token = '' } = useParams();
  const session = useSession();
  const preview = useInvitationPreview(token);
  const signOut = useSignOut();
  const here = `/join/${encodeURIComponent(token)}`;

  if (preview.isPending || session.isPending) {
    return (
      <AuthLayout title="Join your team">
        <LoadingState label="Checking the invitation" />
      </AuthLayout>
    );
  }
  if (preview.isError) {
    const gone = preview.error instanceof ApiError && [404, 409, 410].includes(preview.error.status);
    return (
      <AuthLayout
        title="Join your team"
        footer={
          <Anchor component={Link} to="/sign-in">
            Go to sign in
          </Anchor>
        }
      >
        {gone ? (
          <Alert color="red" title="This invitation can’t be used">
            <Text size="sm">
              It may have expired, been revoked or been used already. Ask the person who invited you for a new
              one.
            </Text>
          </Alert>
        ) : (
          <LoadError error={preview.error} what="the invitation" onRetry={() => void preview.refetch()} />
        )}
      </AuthLayout>
    );
  }

  const invitation = preview.data;
  const title = `Join ${invitation.organizationName} on Assay`;
  const user = session.data?.user;

  let action: ReactNode;
  if (user && sameEmail(user.email, invitation.email)) {
    action = <AcceptButton token={token} />;
  } else if (user) {
    action = (
      <Stack gap="sm">
        <Alert color="blue" title="You’re signed in with another email">
          <Text size="sm">
            You’re signed in as {user.email}, but this invitation is for {invitation.email}. Sign out, then
            open the link again as {invitation.email}.
          </Text>
        </Alert>
        <Button variant="default" loading={signOut.isPending} onClick={() => signOut.mutate()}>
          Sign out
        </Button>
      </Stack>
    );
  } else if (invitation.accountExists) {
    action = (
      <Stack gap="sm">
        <Text size="sm">
          {invitation.email} already has an Assay account. Sign in to accept the invitation.
        </Text>
        <Button
          component={Link}
          to={`/sign-in?next=${encodeURIComponent(here)}&email=${encodeURIComponent(invitation.email)}`}
        >
          Sign in to accept
        </Button>
      </Stack>
    );
  } else {
    action = <CreateAccountForm token={token} email={invitation.email} />;
  }

  return (
    <AuthLayout title={title} description="You’ve been invited to join a team on Assay.">
      <Summary preview={invitation} />
      {action}
    </AuthLayout>
  );
}
