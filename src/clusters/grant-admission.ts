// Escalation check of a ConnectedCluster's role mapping: its access rules, default role and owner become
// ClusterRoleBindings upstream, made with Portcullis' own upstream credential, so the writer is checked here. A new
// subject→role pair needs the writer to hold that role upstream already (through the current mapping; cluster-admin
// holds every role) or `bind` on clusterroles/<role> in root; system:masters may always.
import type { Admission } from '../apiserver/registry/store.ts';
import type { Attributes, UserInfo } from '../apiserver/auth/types.ts';
import { SYSTEM_MASTERS } from '../apiserver/auth/types.ts';
import { forbidden } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { newGrants, type TenantClusterSpec } from '../platform/index.ts';
import type { ConnectedAccess } from './access.ts';
import { connectedClusterType, RESOURCE } from './types.ts';

/** Whether `user` may give `role` upstream: he holds it there already (cluster-admin holds every role), or may
 *  `bind` clusterroles/<role> in root. */
export async function mayConfer(user: UserInfo, role: string, held: readonly string[],
  authorize: (a: Attributes) => Promise<{ decision: string }>): Promise<boolean> {
  if (held.includes(role) || held.includes('cluster-admin')) return true;
  const bind = await authorize({
    user, cluster: ROOT_CLUSTER, verb: 'bind', isResourceRequest: true, path: '',
    apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1', resource: 'clusterroles', subresource: '',
    namespace: '', name: role,
  });
  return bind.decision === 'allow';
}

export function connectedGrantAdmission(access: ConnectedAccess,
  authorize: (a: Attributes) => Promise<{ decision: string }>): Admission {
  return {
    name: 'ConnectedClusterGrants',
    phase: 'validating',
    handles: (op, t) => op !== 'delete' && t.group === connectedClusterType.group && t.resource === RESOURCE,
    async admit(op, t, obj, old, ctx) {
      if (t.group !== connectedClusterType.group || t.resource !== RESOURCE) return;
      if (op === 'delete' || !obj || ctx.subresource) return;
      const user = ctx.user;
      if (!user || user.groups.includes(SYSTEM_MASTERS) || ctx.cluster !== ROOT_CLUSTER) return;
      const name = obj.metadata.name ?? '';
      const before = old?.spec as unknown as TenantClusterSpec | undefined;
      const roles = newGrants(name, before, obj.spec as unknown as TenantClusterSpec)
        .filter((g) => g.field === 'spec.access' && g.rbac)
        .map((g) => (g.rbac!.roleRef as { name: string }).name);
      if (roles.length === 0) return;
      const held = old ? (await access.mapping(name)).get(user.username) ?? [] : [];
      for (const role of roles) {
        if (await mayConfer(user, role, held, authorize)) continue;
        throw forbidden(connectedClusterType, name,
          `spec.access: binding ClusterRole "${role}" in connected cluster "${name}" requires holding it there through `
          + `the role mapping (user "${user.username}" holds ${held.length ? held.join(', ') : 'nothing'}) `
          + `or bind on clusterroles/${role} in root`);
      }
    },
  };
}
