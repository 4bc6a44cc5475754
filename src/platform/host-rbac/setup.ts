// Wires host-tier RBAC into the server: the controller, fed by TenantClusters, templates, LogicalClusters and
// drift of its objects in host clusters, and the admission of a TenantCluster's host.
import type { ModuleContext } from '../../apiserver/extension.ts';
import { logicalClusterType } from '../../apiserver/controllers/logical-clusters.ts';
import { eventPriority } from '../../apiserver/controllers/informer.ts';
import { GROUP, HOST_RBAC_FINALIZER, inRoot, statusWrite, type PlatformState } from '../resources/index.ts';
import { HostRbacController } from './host-rbac-controller.ts';
import { hostClusterAdmission } from './host-rbac-admission.ts';

const RBAC = 'rbac.authorization.k8s.io';

export function setupHostRbac(m: ModuleContext, state: PlatformState): HostRbacController {
  const hostRbac = new HostRbacController({
    store: m.store, catalog: m.catalog, state, log: m.logFor('host-rbac-controller'), leadership: m.leadership, clusterState: (n) => m.clusters.state(n),
  });
  m.admission.push(hostClusterAdmission(state));
  // host-tier RBAC follows the spec, deletion and its finalizer (re-added if removed), not the tenant controller's
  // status writes
  m.informer.on(GROUP, 'tenantclusters', inRoot((ev) => {
    const held = (ev.object.metadata.finalizers ?? []).includes(HOST_RBAC_FINALIZER);
    if (!statusWrite(ev) || !held) hostRbac.enqueue(ev.name, eventPriority(ev));
  }));
  m.informer.on(GROUP, 'tenantclustertemplates', inRoot((ev) => { for (const t of state.tenantsWithTemplate(ev.name)) hostRbac.enqueue(t, eventPriority(ev)); }));
  m.informer.on(logicalClusterType.group, logicalClusterType.resource, inRoot((ev) => hostRbac.onLogicalCluster(ev.name, eventPriority(ev))));
  // Host-tier RBAC objects: drift in a host cluster brings their tenant back.
  m.informer.on('', 'serviceaccounts', (ev) => hostRbac.onHostObject(ev));
  for (const resource of ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings']) m.informer.on(RBAC, resource, (ev) => hostRbac.onHostObject(ev));
  m.idlers.push(() => hostRbac.idle());
  m.queues.register(hostRbac.queue);
  m.onClose.push(() => hostRbac.stop());
  return hostRbac;
}
