// Admission for a TenantCluster's host: the host must not be root nor a tenant cluster (host-tier RBAC and
// delegated authorization would then act on a tenant's own RBAC), and a tenant may not take a host's name.
import type { Admission } from '../../apiserver/registry/store.ts';
import { invalid } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { type PlatformState, type TenantClusterSpec, GROUP, HOST_CLUSTER, tenantClusterType } from '../resources/index.ts';

/**
 * Reads the tenant clusters from the platform's in-memory state (fed by the same watch cache a list would read):
 * a create costs a map lookup and a pass over names, not a copy of every stored TenantCluster.
 */
export function hostClusterAdmission(state: Pick<PlatformState, 'tenants' | 'tenantHostedBy'>): Admission {
  return {
    name: 'platform-host-cluster',
    handles: (op, t) => op === 'create' && t.group === GROUP && t.resource === tenantClusterType.resource,
    async admit(op, t, obj, _old, ctx) {
      if (op !== 'create' || !obj || t.group !== GROUP || t.resource !== tenantClusterType.resource || ctx.cluster !== ROOT_CLUSTER) return;
      const name = obj.metadata.name!;
      const host = (obj.spec as TenantClusterSpec | undefined)?.hostCluster ?? HOST_CLUSTER;
      const fail = (field: string, message: string) => invalid(tenantClusterType.kind, GROUP, name, [{ field, message }]);
      if (host === ROOT_CLUSTER) throw fail('spec.hostCluster', 'the root (management) cluster cannot host tenant clusters');
      if (host === name) throw fail('spec.hostCluster', 'a tenant cluster cannot be its own host');
      if (state.tenants.has(host)) throw fail('spec.hostCluster', `"${host}" is a tenant cluster and cannot host another`);
      const hosted = state.tenantHostedBy(name); // counted per host: no scan of every tenant per create
      if (hosted !== undefined) throw fail('metadata.name', `"${name}" is the host cluster of tenant cluster "${hosted}"`);
    },
  };
}
