// Admission for a TenantCluster's host: the host must not be root nor a tenant cluster (host-tier RBAC and
// delegated authorization would then act on a tenant's own RBAC), and a tenant may not take a host's name.
import type { Admission, Store } from '../../apiserver/registry/store.ts';
import { invalid } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { type TenantClusterSpec, GROUP, HOST_CLUSTER, tenantClusterType } from '../resources/index.ts';

export function hostClusterAdmission(store: Store): Admission {
  return {
    name: 'platform-host-cluster',
    async admit(op, t, obj, _old, ctx) {
      if (op !== 'create' || !obj || t.group !== GROUP || t.resource !== tenantClusterType.resource || ctx.cluster !== ROOT_CLUSTER) return;
      const name = obj.metadata.name!;
      const host = (obj.spec as TenantClusterSpec | undefined)?.hostCluster ?? HOST_CLUSTER;
      const fail = (field: string, message: string) => invalid(tenantClusterType.kind, GROUP, name, [{ field, message }]);
      if (host === ROOT_CLUSTER) throw fail('spec.hostCluster', 'the root (management) cluster cannot host tenant clusters');
      if (host === name) throw fail('spec.hostCluster', 'a tenant cluster cannot be its own host');
      const tenants = (await store.list(ROOT_CLUSTER, tenantClusterType, '')).items;
      if (tenants.some((o) => o.metadata.name === host)) throw fail('spec.hostCluster', `"${host}" is a tenant cluster and cannot host another`);
      const hosted = tenants.find((o) => ((o.spec as TenantClusterSpec).hostCluster ?? HOST_CLUSTER) === name);
      if (hosted) throw fail('metadata.name', `"${name}" is the host cluster of tenant cluster "${hosted.metadata.name}"`);
    },
  };
}
