// Who may see which part of the app. The server enforces every rule; these only keep people on pages
// that can work for them.
import { EmptyState } from '@mantine/core';
import { Navigate, Outlet, useLocation, useSearchParams } from 'react-router';
import { useSession } from '../api/session';
import { Page } from '../components/page';
import { HOME_PATH, safeNextPath, signInPath } from '../lib/next-path';
import { can, type Permission } from '../lib/permissions';
import { FullPageError, FullPageLoader } from './full-page';
import { SessionContext, useCurrentSession } from './session-context';

type FromState = { from?: string } | null;

/**
 * Signed-in users only; everyone else goes to sign-in and comes back here afterwards. A user who must
 * change their password is held on /change-password until they do.
 */
export function RequireAuth({ passwordChangePage = false }: { passwordChangePage?: boolean }) {
  const { data: session, isPending, isError, error, refetch } = useSession();
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;

  if (isPending) return <FullPageLoader />;
  if (isError) return <FullPageError error={error} onRetry={() => void refetch()} />;
  if (!session) {
    const from = passwordChangePage ? ((location.state as FromState)?.from ?? '/') : here;
    return <Navigate to={signInPath(from)} replace />;
  }
  if (session.user.mustChangePassword && !passwordChangePage) {
    return <Navigate to="/change-password" replace state={{ from: here }} />;
  }
  if (!session.user.mustChangePassword && passwordChangePage) {
    return <Navigate to={safeNextPath((location.state as FromState)?.from)} replace />;
  }
  return (
    <SessionContext.Provider value={session}>
      <Outlet />
    </SessionContext.Provider>
  );
}

/** Signed-out pages (sign-in, sign-up): a signed-in user goes on to where they were heading. */
export function GuestOnly() {
  const { data: session, isPending } = useSession();
  const [params] = useSearchParams();
  if (isPending) return <FullPageLoader />;
  if (session) return <Navigate to={safeNextPath(params.get('next'))} replace />;
  return <Outlet />;
}

/** Pages about the current organization need one. */
export function RequireOrganization() {
  const session = useCurrentSession();
  if (!session.organization) {
    return (
      <Page title="No organization">
        <EmptyState
          align="left"
          title="You’re not a member of any organization"
          description="Ask an owner or admin of your organization to invite you. Your account settings still work."
        />
      </Page>
    );
  }
  return <Outlet />;
}

/** Pages for the roles that hold a permission, such as the audit log for owners and admins. */
export function RequirePermission({ permission }: { permission: Permission }) {
  const session = useCurrentSession();
  const { pathname } = useLocation();
  if (!can(session.organization?.role, permission)) {
    // Sign-in and joining land on the recruiters' home: other roles go on to their own.
    if (pathname === HOME_PATH) return <HomeRedirect />;
    return (
      <Page title="Not available">
        <EmptyState
          align="left"
          title="Your role doesn’t include this page"
          description="Ask an owner or admin of your organization if you need access."
        />
      </Page>
    );
  }
  return <Outlet />;
}

/** The index route: each role lands on the first page it can use. */
export function HomeRedirect() {
  const session = useCurrentSession();
  const role = session.organization?.role;
  const home =
    !role || can(role, 'assessments.read')
      ? '/assessments'
      : can(role, 'reviews.perform')
        ? '/reviews'
        : '/bank';
  return <Navigate to={home} replace />;
}
