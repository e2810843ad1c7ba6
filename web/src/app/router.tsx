// Every route of the staff app. Pages are loaded on demand, so signing in doesn't download the
// team or audit screens.
import { type ComponentType, lazy, Suspense } from 'react';
import { createBrowserRouter, Navigate, Outlet, ScrollRestoration } from 'react-router';
import { FullPageLoader } from './full-page';
import { GuestOnly, RequireAuth, RequireOrganization, RequirePermission } from './guards';
import { NotFoundPage } from './not-found-page';
import { RouteError } from './route-error';
import { StaffShell } from './staff-shell';

function page<M>(load: () => Promise<M>, pick: (module: M) => ComponentType) {
  const Component = lazy(async () => ({ default: pick(await load()) }));
  return <Component />;
}

function Root() {
  return (
    <>
      <ScrollRestoration />
      <Suspense fallback={<FullPageLoader />}>
        <Outlet />
      </Suspense>
    </>
  );
}

export const router = createBrowserRouter([
  {
    element: <Root />,
    errorElement: <RouteError />,
    children: [
      {
        element: <GuestOnly />,
        children: [
          {
            path: 'sign-in',
            element: page(
              () => import('../features/auth/sign-in-page'),
              (m) => m.SignInPage,
            ),
          },
          {
            path: 'sign-up',
            element: page(
              () => import('../features/auth/sign-up-page'),
              (m) => m.SignUpPage,
            ),
          },
        ],
      },
      {
        path: 'forgot-password',
        element: page(
          () => import('../features/auth/forgot-password-page'),
          (m) => m.ForgotPasswordPage,
        ),
      },
      {
        path: 'reset-password/:token',
        element: page(
          () => import('../features/auth/reset-password-page'),
          (m) => m.ResetPasswordPage,
        ),
      },
      {
        path: 'join/:token',
        element: page(
          () => import('../features/team/join-page'),
          (m) => m.JoinPage,
        ),
      },
      {
        element: <RequireAuth passwordChangePage />,
        children: [
          {
            path: 'change-password',
            element: page(
              () => import('../features/auth/change-password-page'),
              (m) => m.ChangePasswordPage,
            ),
          },
        ],
      },
      {
        element: <RequireAuth />,
        children: [
          {
            element: <StaffShell />,
            children: [
              { index: true, element: <Navigate to="/assessments" replace /> },
              {
                path: 'account',
                element: page(
                  () => import('../features/account/account-page'),
                  (m) => m.AccountPage,
                ),
              },
              {
                element: <RequireOrganization />,
                children: [
                  {
                    path: 'assessments',
                    element: page(
                      () => import('../features/assessments/assessments-page'),
                      (m) => m.AssessmentsPage,
                    ),
                  },
                  {
                    element: <RequirePermission permission="team.read" />,
                    children: [
                      {
                        path: 'team',
                        element: page(
                          () => import('../features/team/team-page'),
                          (m) => m.TeamPage,
                        ),
                      },
                    ],
                  },
                  {
                    element: <RequirePermission permission="organization.update" />,
                    children: [
                      {
                        path: 'settings/organization',
                        element: page(
                          () => import('../features/organization/organization-settings-page'),
                          (m) => m.OrganizationSettingsPage,
                        ),
                      },
                    ],
                  },
                  {
                    element: <RequirePermission permission="audit.read" />,
                    children: [
                      {
                        path: 'audit-log',
                        element: page(
                          () => import('../features/audit-log/audit-log-page'),
                          (m) => m.AuditLogPage,
                        ),
                      },
                    ],
                  },
                  {
                    element: <RequirePermission permission="outbox.read" />,
                    children: [
                      {
                        path: 'outbox',
                        element: page(
                          () => import('../features/outbox/outbox-page'),
                          (m) => m.OutboxPage,
                        ),
                      },
                    ],
                  },
                ],
              },
              { path: '*', element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
]);
