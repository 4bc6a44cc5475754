// Everything after sign-in: the shell and the pages, each loaded on demand (the sign-in page loads none of this).
import { lazy, Suspense } from 'react';
import { Route, Switch, Redirect } from 'wouter';
import { useMe } from './lib/session.tsx';
import { Shell } from './components/Shell.tsx';
import { Loading } from './components/Loading.tsx';

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

export default function SignedIn() {
  const session = useMe();
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
