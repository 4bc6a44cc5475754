// Wires tenant clusters into the server: the TenantCluster controller, fed by every change that can alter what a
// tenant should hold (users, teams, projects, templates, its LogicalCluster, RBAC, CRDs), and its admission.
import type { ModuleContext } from '../../apiserver/extension.ts';
import { eventPriority, type InformerEvent } from '../../apiserver/controllers/informer.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { logicalClusterType } from '../../apiserver/controllers/logical-clusters.ts';
import { GROUP, MANAGED_LABEL, inRoot, statusWrite, type PlatformState } from '../resources/index.ts';
import type { AccessIndex } from '../access/index.ts';
import { TenantController } from './tenant-controller.ts';
import { platformAdmission } from './admission.ts';

const RBAC = 'rbac.authorization.k8s.io';

export interface TenantClusterWiring {
  state: PlatformState;
  index: AccessIndex;
  /** Whether RBAC in root decides the `use` verb (then root RBAC changes can change who reaches a tenant). */
  rootRbacDecides: () => boolean;
}

export function setupTenantClusters(m: ModuleContext, w: TenantClusterWiring): TenantController {
  const { state } = w;
  let baseUrl = m.cfg.externalUrl;
  const tenants = new TenantController({
    store: m.store, catalog: m.catalog, state, log: m.logFor('tenant-controller'), leadership: m.leadership,
    clusterState: (n) => m.clusters.state(n),
    useVerbUsers: (n) => w.index.useVerbUsers(n),
    baseUrl: () => baseUrl,
  });
  m.admission.push(platformAdmission(m.store, m.catalog, state));
  // A tenant's own objects come first; fan-out (a user or team change reaches every tenant) and the start-up
  // replay are background work (priority low), so 10,000 tenants to re-check never delay a new one.
  m.informer.on(GROUP, 'users', inRoot(() => tenants.enqueueAll()));
  m.informer.on(GROUP, 'teams', inRoot(() => tenants.enqueueAll()));
  m.informer.on(GROUP, 'projects', inRoot((ev) => { for (const t of state.tenantsInProject(ev.name)) tenants.enqueue(t, 'low'); }));
  // its own status writes (and the finalizers host-tier RBAC holds) bring a tenant back only while it is new;
  // a status someone else wrote is rewritten
  m.informer.on(GROUP, 'tenantclusters', inRoot((ev) => {
    // consumed by every event (a deleted tenant leaves no expectation behind)
    const own = tenants.consumeOwnStatus(ev.name, ev.object.status);
    if (!statusWrite(ev) || !own) tenants.enqueue(ev.name, eventPriority(ev));
  }));
  m.informer.on(GROUP, 'tenantclustertemplates', inRoot((ev) => { for (const t of state.tenantsWithTemplate(ev.name)) tenants.enqueue(t, eventPriority(ev)); }));
  m.informer.on(logicalClusterType.group, logicalClusterType.resource, inRoot((ev) => {
    const initializing = ev.type !== 'DELETED' && !ev.object.metadata.deletionTimestamp
      && (ev.object.status as { phase?: string } | undefined)?.phase !== 'Ready';
    tenants.onLogicalCluster(ev.name, eventPriority(ev), initializing);
  }));
  // RBAC in root decides the `use` verb; inside a tenant, our bindings and the roles they reference.
  for (const resource of ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings']) {
    m.informer.on(RBAC, resource, (ev) => {
      if (ev.cluster === ROOT_CLUSTER) { if (w.rootRbacDecides() && !isOurs(ev)) tenants.enqueueAll(); return; }
      // a cluster being provisioned (its LogicalCluster turning Ready brings the tenant back), or what the tenant's
      // own pass is creating
      if (!state.tenants.has(ev.cluster) || tenants.isProvisioning(ev.cluster) || tenants.ownCreates.consume(ev.type, ev.key)) return;
      const managed = ev.object.metadata.labels?.[MANAGED_LABEL] === 'true';
      if (resource === 'clusterroles' || (resource === 'clusterrolebindings' && managed)) tenants.enqueue(ev.cluster, eventPriority(ev));
    });
  }
  m.informer.on('apiextensions.k8s.io', 'customresourcedefinitions', (ev) => {
    if (!state.tenants.has(ev.cluster) || tenants.isProvisioning(ev.cluster) || tenants.ownCreates.consume(ev.type, ev.key)) return;
    tenants.enqueue(ev.cluster, eventPriority(ev));
  });
  m.idlers.push(() => tenants.idle());
  m.queues.register(tenants.queue);
  m.onStarted.push((url) => { baseUrl = m.cfg.externalUrl ?? url; });
  m.onClose.push(() => tenants.stop());
  return tenants;
}

/** Root RBAC objects the platform writes itself and that cannot change who holds `use`. */
function isOurs(ev: InformerEvent): boolean {
  return ev.name === 'portcullis:platform-user' || ev.name === 'portcullis:platform-users';
}
