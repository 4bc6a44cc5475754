// Admission of what platform objects grant: whoever writes a TenantCluster, template, User, Team or Project must be
// able to make each new grant directly — bind its ClusterRoles, apply its objects, delegate its resources (in the
// tenant, once it exists), hold its custom host rules (in the host), impersonate the groups it confers.
import type { Admission, OpContext } from '../../apiserver/registry/store.ts';
import type { ModuleContext } from '../../apiserver/extension.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { GroupResource } from '../../apiserver/errors.ts';
import { forbidden, StatusError } from '../../apiserver/errors.ts';
import type { UserInfo } from '../../apiserver/auth/types.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { effectiveSpec } from '../access/index.ts';
import { typeForKind } from '../tenant-clusters/index.ts';
import {
  type PlatformState, type ProjectSpec, type TeamSpec, type TemplateSpec, type TenantClusterSpec, type UserSpec,
  GROUP, projectType, teamType, templateType, tenantClusterType, userType,
} from '../resources/index.ts';
import { newGrants, type Grant } from './tenant-grants.ts';
import { projectGrants, teamGrants, userGrants, type DirectoryGrant } from './directory-grants.ts';

const RBAC = 'rbac.authorization.k8s.io';
const RBAC_RESOURCES = new Set(['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);

/** Re-throws a refusal of grant `what` as a 403 on the object being written. */
function refuse(e: unknown, gr: GroupResource, name: string, where: string): never {
  if (!(e instanceof StatusError) || (e.code !== 403 && e.code !== 404)) throw e;
  throw forbidden(gr, name, `${where} needs what making it directly would: ${e.message}`);
}

export function grantAdmission(m: ModuleContext, state: PlatformState): Admission {
  const allowed = async (user: UserInfo, cluster: string, verb: string, group: string, version: string,
    resource: string, namespace: string, name: string): Promise<boolean> => (await m.runtime.authorize({
    user, cluster, verb, isResourceRequest: true, path: '', apiGroup: group, apiVersion: version, resource,
    subresource: '', namespace, name,
  })).decision === 'allow';

  /** The writer may apply `doc` in `cluster` directly: create and update it, and (RBAC kinds) not escalate. */
  const mayApply = async (user: UserInfo, cluster: string, doc: Record<string, unknown>): Promise<void> => {
    const t = typeForKind(m.catalog, cluster, String(doc.apiVersion), String(doc.kind));
    if (!t) return; // not served: the controller reports it and applies nothing
    const meta = doc.metadata as { name: string; namespace?: string };
    const ns = t.namespaced ? meta.namespace ?? 'default' : '';
    for (const verb of ['create', 'update']) {
      const objName = verb === 'create' ? '' : meta.name;
      if (await allowed(user, cluster, verb, t.group, t.version, t.resource, ns, objName)) continue;
      const where = ns ? ` in the namespace "${ns}"` : ' at the cluster scope';
      throw new StatusError(403, 'Forbidden',
        `user "${user.username}" cannot ${verb} resource "${t.resource}" in API group "${t.group}"${where}`);
    }
    if (t.group === RBAC && RBAC_RESOURCES.has(t.resource)) {
      const object = { ...doc, metadata: { ...meta, ...(ns ? { namespace: ns } : {}) } } as KObject;
      await m.escalation({ user, cluster, object });
    }
  };
  const grant = async (user: UserInfo, g: Grant): Promise<void> => {
    if (g.manifest) await mayApply(user, g.cluster, g.manifest);
    if (g.rbac) await m.escalation({ user, cluster: g.cluster, object: g.rbac });
  };

  const check = async (user: UserInfo, tenant: string, before: TenantClusterSpec | undefined, after: TenantClusterSpec,
    gr: GroupResource, name: string, via: string): Promise<void> => {
    const tenantExists = m.clusters.state(tenant) !== undefined;
    for (const g of newGrants(tenant, before, after)) {
      if (g.inTenant && !tenantExists) continue; // a new, empty cluster: nothing to take there
      try { await grant(user, g); } catch (e) {
        refuse(e, gr, name, `${g.field}${via}: ${g.what} in cluster "${g.cluster}"`);
      }
    }
  };

  const directory = async (user: UserInfo, grants: DirectoryGrant[], gr: GroupResource,
    name: string): Promise<void> => {
    for (const g of grants) {
      if (g.cluster !== ROOT_CLUSTER && m.clusters.state(g.cluster) === undefined) continue;
      const group = g.group;
      if (group !== undefined && !(await allowed(user, ROOT_CLUSTER, 'impersonate', '', 'v1', 'groups', '', group))) {
        throw forbidden(gr, name,
          `${g.field}: conferring ${g.what} requires what impersonating it would (impersonate on groups/${g.group})`);
      }
      if (g.user !== undefined && !(await allowed(user, ROOT_CLUSTER, 'impersonate', '', 'v1', 'users', '', g.user))) {
        throw forbidden(gr, name,
          `${g.field}: changing ${g.what} requires what impersonating them would (impersonate on users/${g.user})`);
      }
      if (!g.rbac) continue;
      try { await m.escalation({ user, cluster: g.cluster, object: g.rbac }); } catch (e) {
        refuse(e, gr, name, `${g.field}: ${g.what} in cluster "${g.cluster}"`);
      }
    }
  };
  const template = (spec: TenantClusterSpec | undefined): TemplateSpec | undefined =>
    spec?.templateRef ? state.templates.get(spec.templateRef.name) : undefined;
  const effective = (spec: TenantClusterSpec | undefined) => spec && effectiveSpec(spec, template(spec));

  return {
    name: 'platform-grants',
    handles: (op, t) => op !== 'delete' && t.group === GROUP,
    async admit(op, t, obj, old, ctx: OpContext) {
      if (op === 'delete' || !obj || !ctx.user || ctx.subresource) return;
      if (t.group !== GROUP || ctx.cluster !== ROOT_CLUSTER) return;
      const name = obj.metadata.name!;
      const spec = (obj.spec ?? {}) as never;
      const prev = old?.spec as never;
      switch (t.resource) {
        case tenantClusterType.resource:
          return check(ctx.user, name, effective(prev), effective(spec)!, tenantClusterType, name, '');
        case templateType.resource:
          for (const tenant of state.tenantsWithTemplate(name)) {
            const rec = state.tenants.get(tenant);
            if (!rec) continue;
            const before = effectiveSpec(rec.spec, prev as TemplateSpec | undefined);
            await check(ctx.user, tenant, before, effectiveSpec(rec.spec, spec as TemplateSpec), templateType, name,
              ` (tenant cluster "${tenant}")`);
          }
          return;
        case userType.resource:
          return directory(ctx.user, userGrants(prev as UserSpec | undefined, spec as UserSpec, name), userType, name);
        case teamType.resource:
          return directory(ctx.user, teamGrants(state, name, prev as TeamSpec | undefined, spec as TeamSpec), teamType, name);
        case projectType.resource:
          return directory(ctx.user, projectGrants(state, name, prev as ProjectSpec | undefined, spec as ProjectSpec),
            projectType, name);
      }
    },
  };
}
