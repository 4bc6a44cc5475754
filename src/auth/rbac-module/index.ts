// The RBAC module: the indexed authorizer fed by the shared informer, the aggregation controller,
// escalation-prevention admission, the impersonation gate, the review APIs and each cluster's bootstrap RBAC.
import type { ServerModule } from '../../apiserver/extension.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { RbacIndex } from '../authz/rbac/index.ts';
import type { RbacKind, RbacObject } from '../authz/rbac/index.ts';
import { AggregationController } from './aggregation-controller.ts';
import { escalationAdmission, escalationCheck } from './escalation-admission.ts';
import { impersonationGate } from './impersonation-gate.ts';
import { reviewTypes } from './reviews.ts';
import { bootstrapRbacSet } from './bootstrap-seed.ts';

const RBAC = 'rbac.authorization.k8s.io';
const KINDS: Array<[string, RbacKind]> = [['roles', 'Role'], ['clusterroles', 'ClusterRole'], ['rolebindings', 'RoleBinding'], ['clusterrolebindings', 'ClusterRoleBinding']];

export function rbacModule(): ServerModule {
  return {
    name: 'rbac',
    setup(m) {
      const index = new RbacIndex();
      for (const [resource, kind] of KINDS) {
        m.informer.on(RBAC, resource, (ev) => index.apply(ev.cluster, kind, ev.type, ev.object as unknown as RbacObject));
      }
      // LogicalClusters are honoured in root only (the informer also drops platform kinds stored elsewhere)
      m.informer.on('tenancy.portcullis.io', 'logicalclusters', (ev) => {
        if (ev.type === 'DELETED' && ev.cluster === ROOT_CLUSTER) index.dropCluster(ev.name);
      });
      m.authorizers.rbac = index;
      m.sharedSets.push(bootstrapRbacSet());
      const aggregation = new AggregationController(m.store, m.catalog, m.logFor('clusterrole-aggregation-controller'));
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
