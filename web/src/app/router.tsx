import { useState } from 'react';
import { createBrowserRouter, Navigate, Outlet, useLocation } from 'react-router';
import { ErrorAlert, Loading } from '../components/states.tsx';
import { AccountPage } from '../features/account/AccountPage.tsx';
import { AdminLayout } from '../features/admin/AdminLayout.tsx';
import { CharterAdmin } from '../features/admin/CharterAdmin.tsx';
import { ServicesAdmin } from '../features/admin/ServicesAdmin.tsx';
import { UserDetailPage, UsersAdmin } from '../features/admin/UsersAdmin.tsx';
import { ActivationPage } from '../features/auth/ActivationPage.tsx';
import { CharterGate } from '../features/auth/CharterGate.tsx';
import { EmailStep } from '../features/auth/EmailStep.tsx';
import { LoginPage } from '../features/auth/LoginPage.tsx';
import { DataQualityPage } from '../features/directory/DataQualityPage.tsx';
import { DuplicatesPage } from '../features/directory/DuplicatesPage.tsx';
import { ImportPage } from '../features/directory/ImportPage.tsx';
import { LoginSheetsPage } from '../features/directory/LoginSheetsPage.tsx';
import { NewPersonPage } from '../features/directory/NewPersonPage.tsx';
import { SchoolYearsPage } from '../features/directory/SchoolYearsPage.tsx';
import { AccessibilityPage, LegalNoticePage, NotFoundPage } from '../features/legal/LegalPages.tsx';
import { EstablishmentsPage } from '../features/platform/EstablishmentsPage.tsx';
import { PortalPage } from '../features/portal/PortalPage.tsx';
import { ServicePage } from '../features/portal/ServicePage.tsx';
import { useAuth } from './auth.tsx';
import { Layout } from './Layout.tsx';

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
  if (!me?.user.platformAdmin) return <NotFoundPage />;
  return <Outlet />;
}

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/login', element: <LoginPage /> },
      { path: '/activate', element: <ActivationPage /> },
      { path: '/legal-notice', element: <LegalNoticePage /> },
      { path: '/accessibility', element: <AccessibilityPage /> },
      {
        element: <RequireAuth />,
        children: [
          { path: '/', element: <PortalPage /> },
          { path: '/services/:key', element: <ServicePage /> },
          { path: '/account', element: <AccountPage /> },
          {
            path: '/admin/:id',
            element: <AdminLayout />,
            children: [
              { index: true, element: <Navigate to="services" replace /> },
              { path: 'services', element: <ServicesAdmin /> },
              { path: 'charter', element: <CharterAdmin /> },
              { path: 'users', element: <UsersAdmin /> },
              { path: 'users/new', element: <NewPersonPage /> },
              { path: 'users/:userId', element: <UserDetailPage /> },
              { path: 'directory/import', element: <ImportPage /> },
              { path: 'directory/quality', element: <DataQualityPage /> },
              { path: 'directory/duplicates', element: <DuplicatesPage /> },
              { path: 'directory/login-sheets', element: <LoginSheetsPage /> },
              { path: 'directory/school-years', element: <SchoolYearsPage /> },
            ],
          },
          {
            element: <RequirePlatformAdmin />,
            children: [{ path: '/platform/establishments', element: <EstablishmentsPage /> }],
          },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
