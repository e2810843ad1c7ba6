// Every route of the staff app. Pages are loaded on demand, so signing in doesn't download the
// team or audit screens.
import { type ComponentType, lazy, Suspense } from 'react';
import { createBrowserRouter, Outlet, ScrollRestoration } from 'react-router';
import { FullPageLoader } from './full-page';
import { GuestOnly, HomeRedirect, RequireAuth, RequireOrganization, RequirePermission } from './guards';
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
        // The candidate app: no staff session, its own frame and data cache.
        element: page(
          () => import('../take/take-layout'),
          (m) => m.TakeRoot,
        ),
        children: [
          {
            path: 'i/:token',
            element: page(
              () => import('../take/landing-page'),
              (m) => m.LandingPage,
            ),
          },
          {
            path: 'take',
            element: page(
              () => import('../take/attempt-page'),
              (m) => m.AttemptPage,
            ),
          },
          {
            path: 'take/result',
            element: page(
              () => import('../take/result-page'),
              (m) => m.ResultPage,
            ),
          },
        ],
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
              { index: true, element: <HomeRedirect /> },
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
                    element: <RequirePermission permission="assessments.read" />,
                    children: [
                      {
                        path: 'assessments',
                        element: page(
                          () => import('../features/assessments/assessments-page'),
                          (m) => m.AssessmentsPage,
                        ),
                      },
                      {
                        path: 'assessments/:assessmentId/:tab?',
                        element: page(
                          () => import('../features/assessments/assessment-page'),
                          (m) => m.AssessmentPage,
                        ),
                      },
                    ],
                  },
                  {
                    element: <RequirePermission permission="results.read" />,
                    children: [
                      {
                        path: 'candidates',
                        element: page(
                          () => import('../features/results/candidates-page'),
                          (m) => m.CandidatesPage,
                        ),
                      },
                      {
                        path: 'attempts/:attemptId',
                        element: page(
                          () => import('../features/results/report-page'),
                          (m) => m.ReportPage,
                        ),
                      },
                      {
                        path: 'compare',
                        element: page(
                          () => import('../features/results/compare-page'),
                          (m) => m.ComparePage,
                        ),
                      },
                      {
                        path: 'bank/flagged',
                        element: page(
                          () => import('../features/results/flagged-items-page'),
                          (m) => m.FlaggedItemsPage,
                        ),
                      },
                    ],
                  },
                  {
                    element: <RequirePermission permission="reviews.perform" />,
                    children: [
                      {
                        path: 'reviews',
                        element: page(
                          () => import('../features/reviews/review-queue-page'),
                          (m) => m.ReviewQueuePage,
                        ),
                      },
                      {
                        path: 'reviews/:reviewItemId',
                        element: page(
                          () => import('../features/reviews/review-item-page'),
                          (m) => m.ReviewItemPage,
                        ),
                      },
                    ],
                  },
                  {
                    element: <RequirePermission permission="bank.read" />,
                    children: [
                      {
                        path: 'bank',
                        element: page(
                          () => import('../features/bank/questions-page'),
                          (m) => m.QuestionsPage,
                        ),
                      },
                      {
                        path: 'bank/questions/:questionId',
                        element: page(
                          () => import('../features/bank/question-page'),
                          (m) => m.QuestionPage,
                        ),
                      },
                      {
                        path: 'bank/upload-tasks',
                        element: page(
                          () => import('../features/bank/upload-tasks-page'),
                          (m) => m.UploadTasksPage,
                        ),
                      },
                      {
                        path: 'bank/upload-tasks/:taskId',
                        element: page(
                          () => import('../features/bank/upload-task-page'),
                          (m) => m.UploadTaskPage,
                        ),
                      },
                      {
                        path: 'bank/roles',
                        element: page(
                          () => import('../features/bank/role-templates-page'),
                          (m) => m.RoleTemplatesPage,
                        ),
                      },
                    ],
                  },
                  {
                    element: <RequirePermission permission="bank.write" />,
                    children: [
                      {
                        path: 'bank/questions/new',
                        element: page(
                          () => import('../features/bank/new-question-page'),
                          (m) => m.NewQuestionPage,
                        ),
                      },
                      {
                        path: 'bank/questions/:questionId/edit',
                        element: page(
                          () => import('../features/bank/edit-question-page'),
                          (m) => m.EditQuestionPage,
                        ),
                      },
                    ],
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
                    element: <RequirePermission permission="integrations.manage" />,
                    children: [
                      {
                        path: 'settings/integrations',
                        element: page(
                          () => import('../features/integrations/integrations-page'),
                          (m) => m.IntegrationsPage,
                        ),
                      },
                      {
                        path: 'settings/integrations/webhooks/:endpointId',
                        element: page(
                          () => import('../features/integrations/webhook-endpoint-page'),
                          (m) => m.WebhookEndpointPage,
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
