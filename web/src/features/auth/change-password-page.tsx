import { Anchor, Stack } from '@mantine/core';
import { useNavigate } from 'react-router';
import { useSignOut } from '../../api/session';
import { useCurrentSession } from '../../app/session-context';
import { AuthLayout } from '../../components/auth-layout';
import { ChangePasswordForm } from '../account/change-password-form';

/** Where a user whose password must change is held until they change it. */
export function ChangePasswordPage() {
  const session = useCurrentSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
  return (
    <AuthLayout
      title="Choose a new password"
      description={`Before you continue, ${session.user.email} needs a new password. Enter the one you were given, then choose your own.`}
      footer={
        <Anchor
          component="button"
          type="button"
          onClick={() =>
            signOut.mutate(undefined, { onSettled: () => navigate('/sign-in', { replace: true }) })
          }
        >
          Sign out
        </Anchor>
      }
    >
      <Stack gap="md">
        <ChangePasswordForm submitLabel="Set password and continue" />
      </Stack>
    </AuthLayout>
  );
}
