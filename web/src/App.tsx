// The console application: theme, query cache, session, project context and the pages (loaded on demand so the
// sign-in page stays small). Paths live under /console (the server serves index.html for each of them).
import { lazy, Suspense } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { CssBaseline, ThemeProvider, createTheme, CircularProgress, Box } from '@mui/material';
import { Router, Route, Switch, Redirect } from 'wouter';
import { SessionProvider, useSession } from './lib/session.tsx';
import { ProjectProvider } from './lib/project.tsx';
import { Shell } from './components/Shell.tsx';
import { Login } from './pages/Login.tsx';

const Users = lazy(() => import('./pages/Users.tsx'));
const UserDetail = lazy(() => import('./pages/UserDetail.tsx'));
const Teams = lazy(() => import('./pages/Teams.tsx'));
const Projects = lazy(() => import('./pages/Projects.tsx'));
const TenantClusters = lazy(() => import('./pages/TenantClusters.tsx'));
const TenantClusterEdit = lazy(() => import('./pages/TenantClusterEdit.tsx'));
const GenerateToken = lazy(() => import('./pages/GenerateToken.tsx'));
const Credentials = lazy(() => import('./pages/Credentials.tsx'));
const Explain = lazy(() => import('./pages/Explain.tsx'));
const Audit = lazy(() => import('./pages/Audit.tsx'));
const Forbidden = lazy(() => import('./pages/Forbidden.tsx'));

const theme = createTheme({ palette: { primary: { main: '#1f4e79' }, secondary: { main: '#7a3b00' } } });
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 5_000 } } });

export const Loading = () => <Box sx={{ p: 4 }} role="status" aria-label="Loading"><CircularProgress aria-label="Loading" /></Box>;

function Pages() {
  const { session, loading } = useSession();
  if (loading) return <Loading />;
  if (!session) return <Login />;
  const c = session.capabilities;
  return (
    <Shell>
      <Suspense fallback={<Loading />}>
        <Switch>
          <Route path="/"><Redirect to="/tenant-clusters" /></Route>
          <Route path="/login"><Redirect to="/tenant-clusters" /></Route>
          <Route path="/login/:project">{(p) => <Redirect to={`/tenant-clusters?project=${encodeURIComponent(p.project)}`} />}</Route>
          <Route path="/users">{c.listUsers ? <Users /> : <Forbidden what="Users" />}</Route>
          <Route path="/users/:name">{(p) => <UserDetail name={decodeURIComponent(p.name)} />}</Route>
          <Route path="/profile">{() => <UserDetail name={session.username} />}</Route>
          <Route path="/teams">{c.listTeams ? <Teams /> : <Forbidden what="Teams" />}</Route>
          <Route path="/projects" component={Projects} />
          <Route path="/tenant-clusters" component={TenantClusters} />
          <Route path="/tenant-clusters/:name">{(p) => <TenantClusterEdit name={p.name} />}</Route>
          <Route path="/generate-token" component={GenerateToken} />
          <Route path="/credentials" component={Credentials} />
          <Route path="/explain">{c.explain ? <Explain /> : <Forbidden what="Why can / can't I" />}</Route>
          <Route path="/audit" component={Audit} />
          <Route><Forbidden what="This page" notFound /></Route>
        </Switch>
      </Suspense>
    </Shell>
  );
}

export function App() {
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <QueryClientProvider client={queryClient}>
        <Router base="/console">
          <SessionProvider>
            <ProjectProvider>
              <Pages />
            </ProjectProvider>
          </SessionProvider>
        </Router>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
