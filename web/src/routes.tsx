import { createBrowserRouter, Navigate, Outlet, useLocation } from 'react-router';
import { storedApiKey } from './api/session.js';
import { ProjectLayout } from './components/Layout.js';
import { ProjectsPage } from './pages/ProjectsPage.js';
import { RunsPage } from './pages/RunsPage.js';
import { SignInPage } from './pages/SignInPage.js';

/** Pages behind the sign-in: without a key in this tab's session, go sign in and come back. */
function RequireKey() {
  const location = useLocation();
  if (!storedApiKey()) {
    const back = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/signin?next=${back}`} replace />;
  }
  return <Outlet />;
}

/** Pages other than the landing ones load on demand, keeping the entry bundle small. */
const page = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({
  Component: (await load()).default,
});

export const router = createBrowserRouter([
  { path: '/signin', Component: SignInPage },
  {
    Component: RequireKey,
    children: [
      { path: '/', element: <Navigate to="/projects" replace /> },
      { path: '/projects', Component: ProjectsPage },
      {
        path: '/projects/:projectId',
        Component: ProjectLayout,
        HydrateFallback: () => null,
        children: [
          { index: true, element: <Navigate to="runs" replace /> },
          { path: 'runs', Component: RunsPage },
          { path: 'runs/:runId', lazy: page(() => import('./pages/RunDetailsPage.js')) },
          { path: 'records', lazy: page(() => import('./pages/RecordsPage.js')) },
          { path: 'records/:recordId', lazy: page(() => import('./pages/RecordPage.js')) },
          { path: 'playground', lazy: page(() => import('./pages/PlaygroundPage.js')) },
          { path: 'testsets', lazy: page(() => import('./pages/TestsetsPage.js')) },
          { path: 'testsets/:testsetId', lazy: page(() => import('./pages/TestsetPage.js')) },
          { path: 'metrics', lazy: page(() => import('./pages/MetricsPage.js')) },
          { path: 'metrics/:metricId', lazy: page(() => import('./pages/MetricPage.js')) },
          { path: 'systems', lazy: page(() => import('./pages/SystemsPage.js')) },
          { path: 'systems/:systemId', lazy: page(() => import('./pages/SystemPage.js')) },
        ],
      },
      { path: '*', lazy: page(() => import('./pages/NotFoundPage.js')) },
    ],
  },
]);
