// The straightforward Kubernetes RBAC authorizer (rbac.go VisitRulesFor): walks every ClusterRoleBinding,
// then every RoleBinding of the request's namespace, over one logical cluster's PolicySnapshot. Test oracle.
import type { Attributes, AuthorizerResult, UserInfo } from '../../../apiserver/auth/types.ts';
import { ruleAllows } from './rule-match.ts';
import { allowedReason, deniedReason, describeBinding, describeSubjectObject, roleRefError } from './describe.ts';
import type { ClusterRole, PolicyRule, PolicySnapshot, Role, RoleBinding, RoleRef, RulesForResult, Subject } from './types.ts';

/** rbac.go appliesToUser: User by name, Group by membership, ServiceAccount by its username. */
export function subjectAppliesTo(user: UserInfo, s: Subject, namespace: string): boolean {
  switch (s.kind) {
    case 'User': return user.username === s.name;
    case 'Group': return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace ? s.namespace : namespace;
      if (ns === '') return false;
      return user.username === `system:serviceaccount:${ns}:${s.name}`;
    }
    default: return false;
  }
}

/** Index of the first subject of the binding that applies, or -1. */
export function appliesTo(user: UserInfo, subjects: readonly Subject[] | null | undefined, namespace: string): number {
  if (!subjects) return -1;
  for (let i = 0; i < subjects.length; i++) if (subjectAppliesTo(user, subjects[i]!, namespace)) return i;
  return -1;
}

export interface RuleSource { binding: RoleBinding; subject: Subject; namespaced: boolean }
export type RuleVisitor = (source: RuleSource | null, rule: PolicyRule | null, err: string | null) => boolean;

export function describeSource(src: RuleSource): string {
  const ns = src.namespaced ? (src.binding.metadata.namespace ?? '') : '';
  return describeBinding(src.binding.metadata.name, ns, src.binding.roleRef.kind, src.binding.roleRef.name,
    describeSubjectObject(src.subject, ns));
}

export class PolicyScan {
  private readonly clusterRoles = new Map<string, ClusterRole>();
  private readonly roles = new Map<string, Role>();
  private readonly roleBindingsByNs = new Map<string, RoleBinding[]>();

  constructor(private readonly snapshot: PolicySnapshot) {
    for (const cr of snapshot.clusterRoles) this.clusterRoles.set(cr.metadata.name, cr);
    for (const r of snapshot.roles) this.roles.set(`${r.metadata.namespace ?? ''}/${r.metadata.name}`, r);
    for (const rb of snapshot.roleBindings) {
      const ns = rb.metadata.namespace ?? '';
      let l = this.roleBindingsByNs.get(ns);
      if (!l) this.roleBindingsByNs.set(ns, (l = []));
      l.push(rb);
    }
  }

  /** GetRoleReferenceRules: a Role only in the binding's namespace; errors as Kubernetes words them. */
  roleReferenceRules(ref: RoleRef, bindingNamespace: string): { rules: readonly PolicyRule[] } | { error: string } {
    if (ref.kind === 'Role') {
      const r = this.roles.get(`${bindingNamespace}/${ref.name}`);
      return r ? { rules: r.rules ?? [] } : { error: roleRefError(ref) };
    }
    if (ref.kind === 'ClusterRole') {
      const r = this.clusterRoles.get(ref.name);
      return r ? { rules: r.rules ?? [] } : { error: roleRefError(ref) };
    }
    return { error: roleRefError(ref) };
  }

  visitRulesFor(user: UserInfo, namespace: string, visitor: RuleVisitor): void {
    for (const crb of this.snapshot.clusterRoleBindings) {
      const i = appliesTo(user, crb.subjects, '');
      if (i < 0) continue;
      const res = this.roleReferenceRules(crb.roleRef, '');
      if ('error' in res) { if (!visitor(null, null, res.error)) return; continue; }
      const src: RuleSource = { binding: crb, subject: crb.subjects![i]!, namespaced: false };
      for (const rule of res.rules) if (!visitor(src, rule, null)) return;
    }
    if (namespace === '') return;
    for (const rb of this.roleBindingsByNs.get(namespace) ?? []) {
      const i = appliesTo(user, rb.subjects, namespace);
      if (i < 0) continue;
      const res = this.roleReferenceRules(rb.roleRef, namespace);
      if ('error' in res) { if (!visitor(null, null, res.error)) return; continue; }
      const src: RuleSource = { binding: rb, subject: rb.subjects![i]!, namespaced: true };
      for (const rule of res.rules) if (!visitor(src, rule, null)) return;
    }
  }

  authorize(a: Attributes): AuthorizerResult {
    let reason = '';
    const errors: string[] = [];
    this.visitRulesFor(a.user, a.namespace, (src, rule, err) => {
      if (src && rule && ruleAllows(a, rule)) { reason = allowedReason(describeSource(src)); return false; }
      if (err) errors.push(err);
      return true;
    });
    if (reason) return { decision: 'allow', reason };
    return { decision: 'noopinion', reason: deniedReason(errors) };
  }

  rulesFor(user: UserInfo, namespace: string): RulesForResult {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_src, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, incomplete: errors.length > 0, evaluationErrors: [...new Set(errors)] };
  }
}
