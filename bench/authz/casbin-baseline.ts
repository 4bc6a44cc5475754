// The casbin@5 baseline: an RBAC-with-domains model (domain = namespace, "*" = cluster-wide) loaded with
// the policy equivalent to one logical cluster's RBAC objects; one enforcer per logical cluster.
// ClusterRoleBindings are links in domain "*", which the matcher checks beside the request's namespace.
import { newEnforcer, newModelFromString, StringAdapter, type Enforcer } from 'casbin';
import type { Attributes } from '../../src/apiserver/auth/types.ts';
import type { PolicySnapshot } from '../../src/auth/authz/rbac/types.ts';

const MODEL = `
[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = (g(r.sub, p.sub, "*") || g(r.sub, p.sub, r.dom)) && keyMatch(r.obj, p.obj) && (r.act == p.act || p.act == "*")
`;

/** CSV policy: p lines per expanded role rule, g lines per binding subject (users "u:", groups "g:"). */
export function casbinPolicy(s: PolicySnapshot): string {
  const lines: string[] = [];
  const roleLines = (id: string, rules: PolicySnapshot['roles'][number]['rules']): void => {
    for (const rule of rules ?? []) {
      for (const verb of rule.verbs) {
        for (const g of rule.apiGroups ?? []) for (const res of rule.resources ?? []) {
          const prefix = g === '*' && res === '*' ? '' : `${g}|${res}|`;
          if (rule.resourceNames?.length) for (const n of rule.resourceNames) lines.push(`p, ${id}, ${prefix}${n}, ${verb}`);
          else lines.push(`p, ${id}, ${prefix}*, ${verb}`);
        }
        for (const url of rule.nonResourceURLs ?? []) lines.push(`p, ${id}, url:${url}, ${verb}`); // keyMatch: a trailing * is a prefix
      }
    }
  };
  for (const cr of s.clusterRoles) roleLines(`cr:${cr.metadata.name}`, cr.rules);
  for (const r of s.roles) roleLines(`r:${r.metadata.namespace}:${r.metadata.name}`, r.rules);
  const bind = (b: PolicySnapshot['roleBindings'][number], dom: string): void => {
    const role = b.roleRef.kind === 'Role' ? `r:${dom}:${b.roleRef.name}` : `cr:${b.roleRef.name}`;
    for (const sub of b.subjects ?? []) {
      const ns = sub.namespace || (dom === '*' ? '' : dom);
      const who = sub.kind === 'Group' ? `g:${sub.name}` : sub.kind === 'User' ? `u:${sub.name}` : ns ? `u:system:serviceaccount:${ns}:${sub.name}` : '';
      if (who) lines.push(`g, ${who}, ${role}, ${dom}`);
    }
  };
  for (const b of s.clusterRoleBindings) bind(b, '*');
  for (const b of s.roleBindings) bind(b, b.metadata.namespace!);
  return lines.join('\n');
}

export async function casbinEnforcer(s: PolicySnapshot): Promise<Enforcer> {
  return newEnforcer(newModelFromString(MODEL), new StringAdapter(casbinPolicy(s)));
}

export function casbinDecide(e: Enforcer, a: Attributes): boolean {
  const obj = a.isResourceRequest ? `${a.apiGroup}|${a.subresource ? `${a.resource}/${a.subresource}` : a.resource}|${a.name}` : `url:${a.path}`;
  if (e.enforceSync(`u:${a.user.username}`, a.namespace, obj, a.verb)) return true;
  for (const g of a.user.groups) if (e.enforceSync(`g:${g}`, a.namespace, obj, a.verb)) return true;
  return false;
}
