// Admission for RBAC writes: escalation prevention (escalate / bind / rule coverage) exactly as Kubernetes.
import type { Admission, Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import { isNotFound } from '../../apiserver/errors.ts';
import type { Attributes, AuthorizerResult } from '../../apiserver/auth/types.ts';
import type { RbacIndex } from '../authz/rbac/index.ts';
import { checkEscalation } from '../authz/rbac/index.ts';
import type { ClusterRole, Role, RoleBinding, RoleRef } from '../authz/rbac/index.ts';

const KIND_OF: Record<string, 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding'> = {
  roles: 'Role', clusterroles: 'ClusterRole', rolebindings: 'RoleBinding', clusterrolebindings: 'ClusterRoleBinding',
};

export function escalationAdmission(index: RbacIndex, store: Store, catalog: Catalog, authorize: (a: Attributes) => Promise<AuthorizerResult>): Admission {
  return {
    name: 'RBACEscalation',
    async admit(op, t, obj, old, ctx) {
      if (op === 'delete' || t.group !== 'rbac.authorization.k8s.io' || !obj || !ctx.user) return;
      const kind = KIND_OF[t.resource];
      const namespace = obj.metadata.namespace ?? '';
      await checkEscalation({
        kind, operation: op, user: ctx.user, cluster: ctx.cluster, namespace,
        name: op === 'create' ? '' : obj.metadata.name ?? '',
        object: obj as unknown as Role | ClusterRole | RoleBinding,
        oldObject: old as unknown as Role | ClusterRole | RoleBinding | undefined,
      }, {
        authorize,
        rulesFor: (user, ns) => index.rulesFor(ctx.cluster, user, ns),
        roleRules: async (ref: RoleRef, ns: string) => {
          const rt = catalog.lookup(ctx.cluster, 'rbac.authorization.k8s.io', 'v1', ref.kind === 'Role' ? 'roles' : 'clusterroles');
          if (!rt) return null;
          try {
            const role = await store.get(ctx.cluster, rt, ref.kind === 'Role' ? ns : '', ref.name);
            return ((role as unknown as Role).rules ?? []);
          } catch (e) {
            if (isNotFound(e)) return null;
            throw e;
          }
        },
      });
    },
  };
}
