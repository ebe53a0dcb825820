import { type ComponentType, lazy, Suspense, useState } from 'react';
import { createBrowserRouter, Navigate, Outlet, type RouteObject, useLocation } from 'react-router';
import { ErrorAlert, Loading } from '../components/states.tsx';
import { CharterGate } from '../features/auth/CharterGate.tsx';
import { EmailStep } from '../features/auth/EmailStep.tsx';
import { LoginPage } from '../features/auth/LoginPage.tsx';
import { features } from '../features/index.ts';
import { PortalPage } from '../features/portal/PortalPage.tsx';
import { ServicePage } from '../features/portal/ServicePage.tsx';
import { useAuth } from './auth.tsx';
import type { FeatureDefinition } from './feature.ts';
import { featureStrings, laterStrings } from './i18n.ts';
import { Layout } from './Layout.tsx';
import { RouteError, RoutePending } from './RouteStates.tsx';

/*
 * Code splitting. The 8 a.m. rush path (login, activation, charter, first-login e-mail, portal, service) is in the
 * main chunk. Everything else is a route chunk loaded by react-router's `lazy` when first visited: account,
 * administration, directory, platform, legal pages. A route's `lazy` runs before the navigation commits (the
 * Layout shows the pending state meanwhile) and, on a first load straight on such a page, the
 * hydrateFallbackElement below stands in; a chunk that fails to load lands on RouteError (reload offered).
 */
function page<M>(load: () => Promise<M>, pick: (module: M) => ComponentType) {
  // These pages' strings are not in the first load either (app/i18n.ts).
  return async () => ({ Component: pick((await Promise.all([load(), laterStrings()]))[0]) });
}

/** A feature's routes, each chunk loaded with the feature's whole strings (only its widget's are in the first load). */
function withStrings(routes: RouteObject[], names: string[]): RouteObject[] {
  return routes.map((route) => {
    const { lazy, children } = route;
    return {
      ...route,
      ...(typeof lazy === 'function'
        ? { lazy: async () => (await Promise.all([lazy(), featureStrings(...names)]))[0] }
        : {}),
      ...(children ? { children: withStrings(children, names) } : {}),
    } as RouteObject;
  });
}
const stringsOf = (f: FeatureDefinition) => [f.name, ...(f.stringsOf ?? [])];

/** Each feature's pages (features/index.ts): its own routes, and its pages in the administration. */
const featureRoutes = features.flatMap((f) => withStrings(f.routes, stringsOf(f)));
const featureAdminRoutes = features.flatMap((f) =>
  withStrings(
    (f.admin ?? []).map((a) => ({ path: a.path, lazy: a.lazy })),
    stringsOf(f),
  ),
);
/** The administration's menu names the features' pages there. */
const adminMenuStrings = () => featureStrings(...features.filter((f) => f.admin?.length).map((f) => f.name));

const legal = () => Promise.all([import('../features/legal/LegalPages.tsx'), laterStrings()]).then(([m]) => m);
const recoveryPages = () => import('../features/auth/RecoveryPages.tsx');
const users = () => import('../features/admin/UsersAdmin.tsx');

/** For the platform guard, rendered outside a route's `lazy`: React.lazy + Suspense on the same chunk. */
const NotFoundPage = lazy(() => legal().then((m) => ({ default: m.NotFoundPage })));

/** Signed-in area: a pending charter comes before anything else. */
function RequireAuth() {
  const { me, loading, error } = useAuth();
  const location = useLocation();
  const [justActivated, setJustActivated] = useState(() => sessionStorage.getItem('preau.justActivated') === '1');
  if (loading) return <Loading />;
  if (error) return <ErrorAlert error={error} />;
  if (!me) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  const pending = me.pendingCharters[0];
  if (pending) return <CharterGate key={pending.charterId} charter={pending} firstLogin={justActivated} />;
  // First login: after the charter, an optional e-mail, then the portal.
  if (justActivated)
    return (
      <EmailStep
        onDone={() => {
          sessionStorage.removeItem('preau.justActivated');
          setJustActivated(false);
        }}
      />
    );
  return <Outlet />;
}

function RequirePlatformAdmin() {
  const { me } = useAuth();
  if (!me?.user.platformAdmin)
    return (
      <Suspense fallback={<RoutePending />}>
        <NotFoundPage />
      </Suspense>
    );
  return <Outlet />;
}

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      {
        // Pathless: the error boundary and first-load fallback render inside the Layout's <main>.
        errorElement: <RouteError />,
        hydrateFallbackElement: <RoutePending />,
        children: [
          { path: '/login', element: <LoginPage /> },
          // Once per person: its chunk (and the password feedback's) stays out of everyone's first load.
          {
            path: '/activate',
            lazy: async () => ({ Component: (await import('../features/auth/ActivationPage.tsx')).ActivationPage }),
          },
          { path: '/forgot-password', lazy: page(recoveryPages, (m) => m.ForgotPasswordPage) },
          { path: '/reset-password', lazy: page(recoveryPages, (m) => m.ResetPasswordPage) },
          { path: '/legal-notice', lazy: page(legal, (m) => m.LegalNoticePage) },
          { path: '/accessibility', lazy: page(legal, (m) => m.AccessibilityPage) },
          {
            element: <RequireAuth />,
            children: [
              { path: '/', element: <PortalPage /> },
              { path: '/services/:key', element: <ServicePage /> },
              ...featureRoutes,
              {
                path: '/account',
                lazy: page(
                  () => import('../features/account/AccountPage.tsx'),
                  (m) => m.AccountPage,
                ),
              },
              {
                path: '/admin/:id',
                lazy: page(
                  () => Promise.all([import('../features/admin/AdminLayout.tsx'), adminMenuStrings()]).then(([m]) => m),
                  (m) => m.AdminLayout,
                ),
                children: [
                  { index: true, element: <Navigate to="services" replace /> },
                  {
                    path: 'services',
                    lazy: page(
                      () => import('../features/admin/ServicesAdmin.tsx'),
                      (m) => m.ServicesAdmin,
                    ),
                  },
                  {
                    path: 'charter',
                    lazy: page(
                      () => import('../features/admin/CharterAdmin.tsx'),
                      (m) => m.CharterAdmin,
                    ),
                  },
                  { path: 'users', lazy: page(users, (m) => m.UsersAdmin) },
                  {
                    path: 'users/new',
                    lazy: page(
                      () => import('../features/directory/NewPersonPage.tsx'),
                      (m) => m.NewPersonPage,
                    ),
                  },
                  { path: 'users/:userId', lazy: page(users, (m) => m.UserDetailPage) },
                  {
                    path: 'directory/import',
                    lazy: page(
                      () => import('../features/directory/ImportPage.tsx'),
                      (m) => m.ImportPage,
                    ),
                  },
                  {
                    path: 'directory/quality',
                    lazy: page(
                      () => import('../features/directory/DataQualityPage.tsx'),
                      (m) => m.DataQualityPage,
                    ),
                  },
                  {
                    path: 'directory/duplicates',
                    lazy: page(
                      () => import('../features/directory/DuplicatesPage.tsx'),
                      (m) => m.DuplicatesPage,
                    ),
                  },
                  {
                    path: 'directory/login-sheets',
                    lazy: page(
                      () => import('../features/directory/LoginSheetsPage.tsx'),
                      (m) => m.LoginSheetsPage,
                    ),
                  },
                  ...featureAdminRoutes,
                  {
                    path: 'directory/school-years',
                    lazy: page(
                      () => import('../features/directory/SchoolYearsPage.tsx'),
                      (m) => m.SchoolYearsPage,
                    ),
                  },
                ],
              },
              {
                element: <RequirePlatformAdmin />,
                children: [
                  {
                    path: '/platform/establishments',
                    lazy: page(
                      () => import('../features/platform/EstablishmentsPage.tsx'),
                      (m) => m.EstablishmentsPage,
                    ),
                  },
                  {
                    path: '/platform/operator',
                    lazy: page(
                      () => import('../features/platform/OperatorPage.tsx'),
                      (m) => m.OperatorPage,
                    ),
                  },
                ],
              },
            ],
          },
          { path: '*', lazy: page(legal, (m) => m.NotFoundPage) },
        ],
      },
    ],
  },
]);
