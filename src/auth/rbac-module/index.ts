// The RBAC module: the indexed authorizer fed by the shared informer, the aggregation controller,
// escalation-prevention admission, the impersonation gate, the review APIs and each cluster's bootstrap RBAC.
import type { ServerModule } from '../../apiserver/extension.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { LazyRbac, RbacIndex } from '../authz/rbac/index.ts';
import type { PolicySnapshot, RbacKind, RbacObject } from '../authz/rbac/index.ts';
import type { ModuleContext } from '../../apiserver/extension.ts';
import { AggregationController } from './aggregation-controller.ts';
import { escalationAdmission, escalationCheck } from './escalation-admission.ts';
import { impersonationGate } from './impersonation-gate.ts';
import { reviewTypes } from './reviews.ts';
import { bootstrapRbacSet } from './bootstrap-seed.ts';

const RBAC = 'rbac.authorization.k8s.io';
const KINDS: Array<[string, RbacKind]> = [['roles', 'Role'], ['clusterroles', 'ClusterRole'], ['rolebindings', 'RoleBinding'], ['clusterrolebindings', 'ClusterRoleBinding']];
const KIND_OF = new Map(KINDS);
/**
 * Logical clusters whose RBAC is held in memory at once (about 18 KB each with the built-in policy): the bound
 * against a caller cycling through many clusters. Idle clusters are unloaded by the sweep well before it; below it
 * clusters in use are never reloaded, so requests spread over many tenants do not pay a load each. Above the
 * 10,000 tenants a process is sized for (plus root and host clusters): at exactly the bound, requests spread
 * uniformly over 10,000 tenants would unload and reload one cluster per miss (milliseconds each).
 */
const RESIDENT_CLUSTERS = 16_384;
/** A cluster unused for between one and two sweep periods is unloaded (its RBAC stays in storage). */
const SWEEP_MS = 60_000;

/** A cluster's RBAC objects as stored now (the watch cache); undefined for a cluster that does not exist. */
async function storedPolicy(m: ModuleContext, cluster: string): Promise<PolicySnapshot | undefined> {
  if (m.clusters.state(cluster) === undefined) return undefined;
  const s: PolicySnapshot = { roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [] };
  const lists = { Role: s.roles, ClusterRole: s.clusterRoles, RoleBinding: s.roleBindings, ClusterRoleBinding: s.clusterRoleBindings };
  for (const item of (await m.storage.list(`/${cluster}/${RBAC}/`)).items) {
    const kind = KIND_OF.get(item.key.split('/')[3]!);
    if (kind) (lists[kind] as unknown[]).push(item.object);
  }
  return s;
}

export function rbacModule(): ServerModule {
  return {
    name: 'rbac',
    setup(m) {
      // Clusters are held only while used: an idle one costs no index memory and is loaded on its next decision.
      const rbac = new RbacIndex();
      // held clusters' states on the clusters' handles: a request's decision finds its cluster without a lookup
      if (m.clusters?.handles) rbac.attachHandles(m.clusters.handles.slot());
      const index = new LazyRbac(rbac, {
        source: (cluster) => storedPolicy(m, cluster), capacity: RESIDENT_CLUSTERS, pinned: (c) => c === ROOT_CLUSTER,
      });
      for (const [resource, kind] of KINDS) {
        // a cluster not held (a new one announcing its shared built-in objects) is loaded whole on its first decision
        m.informer.on(RBAC, resource, (ev) => {
          if (index.wants(ev.cluster)) index.apply(ev.cluster, kind, ev.type, ev.object as unknown as RbacObject);
        });
      }
      // shared built-in objects changed while the informer's watch was down are not in its re-list's diff
      m.informer.onResync(() => index.unloadAll());
      // LogicalClusters are honoured in root only (the informer also drops platform kinds stored elsewhere)
      m.informer.on('tenancy.portcullis.io', 'logicalclusters', (ev) => {
        if (ev.type === 'DELETED' && ev.cluster === ROOT_CLUSTER) index.dropCluster(ev.name);
      });
      m.authorizers.rbac = index;
      m.residentClusters = () => index.stats().loaded;
      const sweeper = setInterval(() => index.sweep(), SWEEP_MS);
      sweeper.unref();
      m.onClose.push(() => clearInterval(sweeper));
      const builtin = bootstrapRbacSet();
      m.sharedSets.push(builtin);
      const aggregation = new AggregationController(m.store, m.catalog, m.logFor('clusterrole-aggregation-controller'), builtin.objects);
      aggregation.register(m.informer);
      m.idlers.push(() => aggregation.idle());
      m.queues.register(aggregation.queue);
      m.onClose.push(() => aggregation.stop());
      m.admission.push(escalationAdmission(index, m.store, m.catalog, (a) => m.runtime.authorize(a)));
      m.escalation = escalationCheck(index, m.store, m.catalog, (a) => m.runtime.authorize(a));
      m.gates.impersonation = impersonationGate((a) => m.runtime.authorize(a));
      for (const t of reviewTypes({ index, runtime: m.runtime })) m.catalog.add(t);
    },
  };
}
