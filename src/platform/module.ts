// platformModule(): registers the management.portcullis.io types in root, their admission, the
// controllers (tenant clusters, projects, global admins, host-tier RBAC), the clusterAccess filter, the
// delegation authorizer and the /platform/v1 routes (explain included).
import type { ServerModule } from '../server/module.ts';
import type { UserInfo } from '../auth/types.ts';
import type { InformerEvent } from '../apiserver/controllers/informer.ts';
import { ROOT_CLUSTER } from '../apiserver/filters/logical-cluster.ts';
import { logicalClusterType } from '../apiserver/controllers/logical-clusters.ts';
import { PlatformState } from './state.ts';
import { AccessIndex, type RootAuthorizer } from './access-index.ts';
import { TenantController } from './tenant-controller.ts';
import { ProjectController } from './project-controller.ts';
import { platformAdmission } from './admission.ts';
import { userPasswordAdmission } from './passwords.ts';
import { withClusterAccess } from './cluster-access-filter.ts';
import { platformRoutes } from './routes.ts';
import { ensureBootstrapAdmin, ensurePlatformUserRbac } from './bootstrap.ts';
import { GROUP, MANAGED_LABEL, platformTypes, tenantSpec } from './types.ts';
import { HostRbacController } from './host-rbac-controller.ts';
import { hostClusterAdmission } from './host-rbac-admission.ts';
import { DelegationAuthorizer } from './delegation.ts';
import { explainRoute } from './explain-route.ts';

export interface PlatformModuleOptions {
  /**
   * Asks RBAC in root whether a request is allowed (used for the `use` verb on tenantclusters and for
   * `update` when changing permissions). Default: the server's `rbac` authorizer slot, read at call time,
   * so it works once the RBAC module is set up; without one, nobody holds `use`.
   */
  authorizeInRoot?: RootAuthorizer;
  /** Create the `admin` User on first start (default true). */
  bootstrapAdmin?: boolean;
  /** Re-reconcile every tenant cluster this often, restoring drifted objects (default 600 s; 0 = never). */
  resyncSeconds?: number;
}

const RBAC = 'rbac.authorization.k8s.io';

/** What other capabilities may ask the platform once it is set up. */
export interface PlatformApi {
  /** Global admins, admins of the tenant's project, its owner, holders of `update` on it in root. */
  mayManage(u: UserInfo, tenant: string): Promise<boolean>;
}
export interface PlatformModule extends ServerModule { api?: PlatformApi }

export function platformModule(opts: PlatformModuleOptions = {}): PlatformModule {
  const mod: PlatformModule = {
    name: 'platform',
    setup(m) {
      for (const t of platformTypes) m.catalog.add(t);
      const state = new PlatformState();
      let baseUrl = m.cfg.externalUrl;
      const rbac = m.authorizers;
      const authorizeInRoot = (): RootAuthorizer | undefined => opts.authorizeInRoot
        ?? (rbac.rbac ? async (a) => (await rbac.rbac!.authorize(a)).decision === 'allow' : undefined);
      const index = new AccessIndex(state, authorizeInRoot);
      const tenants = new TenantController({
        store: m.store, catalog: m.catalog, state, log: m.log, leadership: m.leadership,
        clusterState: (n) => m.clusters.state(n),
        useVerbUsers: (n) => index.useVerbUsers(n),
        baseUrl: () => baseUrl,
      });
      const projects = new ProjectController({ store: m.store, catalog: m.catalog, state, log: m.log, leadership: m.leadership });
      const hostRbac = new HostRbacController({
        store: m.store, catalog: m.catalog, state, log: m.log, leadership: m.leadership, clusterState: (n) => m.clusters.state(n),
      });
      m.admission.push(userPasswordAdmission, platformAdmission(m.store), hostClusterAdmission(m.store));

      const inRoot = (f: (ev: InformerEvent) => void) => (ev: InformerEvent) => { if (ev.cluster === ROOT_CLUSTER) f(ev); };
      m.informer.on(GROUP, 'users', inRoot((ev) => { state.apply('users', ev); tenants.enqueueAll(); projects.enqueueGlobalAdmins(); }));
      m.informer.on(GROUP, 'teams', inRoot((ev) => { state.apply('teams', ev); tenants.enqueueAll(); }));
      m.informer.on(GROUP, 'projects', inRoot((ev) => {
        state.apply('projects', ev);
        for (const t of state.tenantsInProject(ev.name)) tenants.enqueue(t);
        projects.enqueue(ev.name);
      }));
      m.informer.on(GROUP, 'tenantclusters', inRoot((ev) => {
        state.apply('tenantclusters', ev);
        tenants.enqueue(ev.name);
        hostRbac.enqueue(ev.name);
        if (ev.type === 'DELETED') projects.enqueue(tenantSpec(ev.object).project);
      }));
      m.informer.on(GROUP, 'tenantclustertemplates', inRoot((ev) => {
        state.apply('tenantclustertemplates', ev);
        for (const t of state.tenantsWithTemplate(ev.name)) { tenants.enqueue(t); hostRbac.enqueue(t); }
      }));
      m.informer.on(logicalClusterType.group, logicalClusterType.resource, inRoot((ev) => {
        if (state.tenants.has(ev.name)) tenants.enqueue(ev.name);
        hostRbac.onLogicalCluster(ev.name);
      }));
      // Host-tier RBAC objects: drift in a host cluster brings their tenant back.
      m.informer.on('', 'serviceaccounts', (ev) => hostRbac.onHostObject(ev));
      // RBAC in root decides the `use` verb; inside a tenant, our bindings and the roles they reference.
      for (const resource of ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings']) {
        m.informer.on(RBAC, resource, (ev) => {
          hostRbac.onHostObject(ev);
          if (ev.cluster === ROOT_CLUSTER) { if (authorizeInRoot() && !isOurs(ev)) tenants.enqueueAll(); return; }
          if (!state.tenants.has(ev.cluster)) return;
          if (resource === 'clusterroles' || (resource === 'clusterrolebindings' && ev.object.metadata.labels?.[MANAGED_LABEL] === 'true')) tenants.enqueue(ev.cluster);
        });
      }
      m.informer.on('apiextensions.k8s.io', 'customresourcedefinitions', (ev) => { if (state.tenants.has(ev.cluster)) tenants.enqueue(ev.cluster); });

      const door = withClusterAccess(state, index);
      const prev = m.filters.clusterAccess;
      m.filters.clusterAccess = prev ? (ctx, next) => prev(ctx, () => door(ctx, next)) : door;
      const delegation = new DelegationAuthorizer(state, () => m.runtime.authorize);
      m.authorizers.delegation = delegation;
      m.routes.push(explainRoute({
        state, index, delegation, catalog: m.catalog, rbac: () => rbac.rbac, clusterState: (n) => m.clusters.state(n), authorize: () => m.runtime.authorize,
        clusterRoleExists: async (cluster, name) => {
          const t = m.catalog.lookup(cluster, RBAC, 'v1', 'clusterroles');
          return t ? m.store.get(cluster, t, '', name).then(() => true, () => false) : false;
        },
      }));
      m.routes.push(...platformRoutes({ store: m.store, state, index, authorize: () => m.runtime.authorize }));
      m.idlers.push(() => tenants.idle(), () => projects.idle(), () => hostRbac.idle());

      let timer: NodeJS.Timeout | undefined;
      m.onStarted.push(async (url) => {
        baseUrl = m.cfg.externalUrl ?? url;
        await ensurePlatformUserRbac(m.store, m.catalog);
        if (opts.bootstrapAdmin !== false) await ensureBootstrapAdmin(m.store, m.cfg.dataDir, m.log);
        projects.enqueueGlobalAdmins();
        tenants.enqueueAll();
        hostRbac.enqueueAll();
        const every = opts.resyncSeconds ?? 600;
        if (every > 0) { timer = setInterval(() => { tenants.enqueueAll(); hostRbac.enqueueAll(); }, every * 1000); timer.unref(); }
      });
      m.onClose.push(() => { if (timer) clearInterval(timer); tenants.stop(); projects.stop(); hostRbac.stop(); });
      mod.api = { mayManage: (u, tenant) => index.mayManage(u, tenant) };
    },
  };
  return mod;
}

/** Root RBAC objects the platform writes itself and that cannot change who holds `use`. */
function isOurs(ev: InformerEvent): boolean {
  return ev.name === 'portcullis:platform-user' || ev.name === 'portcullis:platform-users';
}
