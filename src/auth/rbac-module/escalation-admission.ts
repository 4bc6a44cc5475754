// Admission for RBAC writes: escalation prevention (escalate / bind / rule coverage) exactly as Kubernetes; and the
// same check for RBAC objects other objects make on their writer's behalf (Kubeconfig bindings, tenant role mapping).
import type { Admission, Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { EscalationCheck } from '../../apiserver/extension.ts';
import { StatusError } from '../../apiserver/errors.ts';
import type { Attributes, AuthorizerResult } from '../../apiserver/auth/types.ts';
import type { LazyRbac } from '../authz/rbac/index.ts';
import { checkEscalation, type EscalationDeps } from '../authz/rbac/index.ts';
import type { ClusterRole, Role, RoleBinding, RoleRef } from '../authz/rbac/index.ts';

const KIND_OF: Record<string, 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding'> = {
  roles: 'Role', clusterroles: 'ClusterRole', rolebindings: 'RoleBinding', clusterrolebindings: 'ClusterRoleBinding',
};
const KINDS = new Set(Object.values(KIND_OF));
type Authorize = (a: Attributes) => Promise<AuthorizerResult>;

/** What checkEscalation needs in `cluster`: the authorizer, the requester's rules, and the referenced role's rules. */
function depsIn(cluster: string, index: LazyRbac, store: Store, catalog: Catalog, authorize: Authorize): EscalationDeps {
  return {
    authorize,
    rulesFor: (user, ns) => index.rulesFor(cluster, user, ns),
    roleRules: async (ref: RoleRef, ns: string) => {
      const rt = catalog.lookup(cluster, 'rbac.authorization.k8s.io', 'v1', ref.kind === 'Role' ? 'roles' : 'clusterroles');
      if (!rt) return null;
      try {
        const role = await store.get(cluster, rt, ref.kind === 'Role' ? ns : '', ref.name);
        return ((role as unknown as Role).rules ?? []);
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) return null;
        throw e;
      }
    },
  };
}

export function escalationAdmission(index: LazyRbac, store: Store, catalog: Catalog, authorize: Authorize): Admission {
  return {
    name: 'RBACEscalation',
    handles: (op, t) => op !== 'delete' && t.group === 'rbac.authorization.k8s.io',
    async admit(op, t, obj, old, ctx) {
      if (op === 'delete' || t.group !== 'rbac.authorization.k8s.io' || !obj || !ctx.user) return;
      const kind = KIND_OF[t.resource];
      const namespace = obj.metadata.namespace ?? '';
      await checkEscalation({
        kind, operation: op, user: ctx.user, cluster: ctx.cluster, namespace,
        name: op === 'create' ? '' : obj.metadata.name ?? '',
        object: obj as unknown as Role | ClusterRole | RoleBinding,
        oldObject: old as unknown as Role | ClusterRole | RoleBinding | undefined,
      }, depsIn(ctx.cluster, index, store, catalog, authorize));
    },
  };
}

/**
 * The escalation check for an RBAC object written on a requester's behalf (the server's ModuleContext.escalation):
 * exactly what creating it directly would require, evaluated for the requester in the named cluster.
 */
export function escalationCheck(index: LazyRbac, store: Store, catalog: Catalog, authorize: Authorize): EscalationCheck {
  return async ({ user, cluster, object }) => {
    const kind = object.kind as 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';
    if (!KINDS.has(kind)) throw new Error(`escalation check of a ${String(object.kind)}: not an RBAC kind`);
    const namespace = kind === 'Role' || kind === 'RoleBinding' ? object.metadata.namespace ?? '' : '';
    await checkEscalation({
      kind, operation: 'create', user, cluster, namespace, name: '', object: object as unknown as Role | ClusterRole | RoleBinding,
    }, depsIn(cluster, index, store, catalog, authorize));
  };
}
