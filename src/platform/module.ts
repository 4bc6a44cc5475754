// platformModule(): registers the management.portcullis.io types in root and wires each feature folder
// (tenant clusters, users/teams/projects, host-tier RBAC, access, delegation, explain, grant checks) into the server.
import type { ServerModule } from '../apiserver/extension.ts';
import type { UserInfo } from '../apiserver/auth/types.ts';
import { PlatformState, platformTypes, watchPlatformObjects, type Directory, type TenantRec } from './resources/index.ts';
import { mayEnter, reachableTenants, setupAccess, type ReachableTenant, type RootAuthorizer } from './access/index.ts';
import { setupTenantClusters } from './tenant-clusters/index.ts';
import { setupUsersTeamsProjects } from './users-teams-projects/index.ts';
import { setupHostRbac } from './host-rbac/index.ts';
import { DelegationAuthorizer } from './delegation/index.ts';
import { setupExplain } from './explain/index.ts';
import { grantAdmission } from './grants/index.ts';

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

/** What other capabilities may ask the platform once it is set up. */
export interface PlatformApi {
  /** Global admins, admins of the tenant's project, its owner, holders of `update` on it in root. */
  mayManage(u: UserInfo, tenant: string): Promise<boolean>;
  /** The tenant clusters `u` can reach (e.g. the login pages' cluster picker). */
  reachable(u: UserInfo): Promise<ReachableTenant[]>;
  /** Whether `u` gets past the management-access door of `cluster` (true for clusters that are not tenants). */
  mayEnter(u: UserInfo, cluster: string): Promise<boolean>;
  /** Users, teams and projects as the platform sees them (connected clusters compute their access from it). */
  directory: Directory;
}
export interface PlatformModule extends ServerModule { api?: PlatformApi }

/** The platform module among `modules`, once set up. */
export function platformApi(modules: readonly ServerModule[]): PlatformApi | undefined {
  return (modules.find((m) => m.name === 'platform') as PlatformModule | undefined)?.api;
}

export function platformModule(opts: PlatformModuleOptions = {}): PlatformModule {
  const mod: PlatformModule = {
    name: 'platform',
    setup(m) {
      for (const t of platformTypes) m.catalog.add(t);
      const state = new PlatformState();
      // tenant records on the clusters' handles: the door and delegation read them without a lookup by name
      if (m.clusters?.handles) state.attachHandles(m.clusters.handles.slot<TenantRec>());
      watchPlatformObjects(m.informer, state); // first: every feature's handlers see the event applied
      const access = setupAccess(m, state, opts.authorizeInRoot);
      const tenants = setupTenantClusters(m, { state, index: access.index, rootRbacDecides: () => !!access.authorizeInRoot() });
      setupUsersTeamsProjects(m, state, opts);
      const hostRbac = setupHostRbac(m, state);
      m.admission.push(grantAdmission(m, state));
      const delegation = new DelegationAuthorizer(state, () => m.runtime.authorize);
      m.authorizers.delegation = delegation;
      setupExplain(m, state, access.index, delegation);

      let timer: NodeJS.Timeout | undefined;
      m.onStarted.push(() => {
        tenants.enqueueAll();
        hostRbac.enqueueAll();
        const every = opts.resyncSeconds ?? 600;
        if (every > 0) { timer = setInterval(() => { tenants.enqueueAll(); hostRbac.enqueueAll(); }, every * 1000); timer.unref(); }
      });
      m.onClose.push(() => { if (timer) clearInterval(timer); });
      mod.api = {
        mayManage: (u, tenant) => access.index.mayManage(u, tenant),
        reachable: (u) => reachableTenants(state, access.index, u),
        mayEnter: (u, cluster) => mayEnter(state, access.index, u, cluster, !m.clusters.state(cluster)),
        directory: state,
      };
    },
  };
  return mod;
}
