// Escalation prevention for Role/ClusterRole/RoleBinding/ClusterRoleBinding writes (rbac registry
// policybased storage + validation/policy_comparator.go): system:masters, escalate/bind, then rule coverage.
import type { Attributes, AuthorizerResult, UserInfo } from '../../../apiserver/auth/types.ts';
import { SYSTEM_MASTERS } from '../../../apiserver/auth/types.ts';
import { forbidden, notFound } from '../../../apiserver/errors.ts';
import { aggregateErrors, goQuote, goQuoteList } from './describe.ts';
import { normalizeRule } from './compiled-role.ts';
import { trimRightStars } from './rule-match.ts';
import { RBAC_GROUP, type ClusterRole, type PolicyRule, type Role, type RoleBinding, type RoleRef, type RulesForResult } from './types.ts';

const arr = (x: readonly string[] | null | undefined): readonly string[] => x ?? [];
const has = (set: readonly string[] | null | undefined, e: string): boolean => arr(set).includes(e);
const hasAll = (set: readonly string[] | null | undefined, want: readonly string[] | null | undefined): boolean =>
  arr(want).every((w) => arr(set).includes(w));

/** Splits a rule into single verb/group/resource(/name) and single url/verb rules. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of arr(rule.apiGroups)) {
    for (const resource of arr(rule.resources)) {
      for (const verb of arr(rule.verbs)) {
        const names = arr(rule.resourceNames);
        if (names.length) for (const n of names) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [n] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of arr(rule.nonResourceURLs)) for (const verb of arr(rule.verbs)) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourceCoversAll(owner: readonly string[] | null | undefined, wanted: readonly string[] | null | undefined): boolean {
  if (has(owner, '*') || hasAll(owner, wanted)) return true;
  for (const path of arr(wanted)) {
    if (has(owner, path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0) return false;
    if (!has(owner, '*/' + path.slice(slash + 1))) return false;
  }
  return true;
}

function nonResourceURLCovers(owner: string, sub: string): boolean {
  return owner === sub || (owner.endsWith('*') && sub.startsWith(trimRightStars(owner)));
}

/** policy_comparator ruleCovers: `*` is covered only by `*`; a resourceNames rule never covers an unnamed one. */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = arr(sub.nonResourceURLs).every((p) => arr(owner.nonResourceURLs).some((o) => nonResourceURLCovers(o, p)));
  const ownerNames = arr(owner.resourceNames);
  const names = arr(sub.resourceNames).length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

export function covers(ownerRules: readonly PolicyRule[], requestedRules: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const req of requestedRules) {
    for (const sub of breakdownRule(req)) if (!ownerRules.some((o) => ruleCovers(o, sub))) missing.push(sub);
  }
  return { covered: missing.length === 0, missing };
}

/** validation.CompactRules: merges single group/resource(/name) rules that differ only by verb. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const simpleRule = arr(r.resourceNames).length <= 1 && arr(r.nonResourceURLs).length === 0 &&
      arr(r.apiGroups).length === 1 && arr(r.resources).length === 1;
    if (!simpleRule) { out.push(r); continue; }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0], arr(r.resourceNames)[0] ?? null]);
    const cur = simple.get(key);
    if (!cur) { simple.set(key, { ...normalizeRule(r), verbs: [...arr(r.verbs)] }); continue; }
    for (const v of arr(r.verbs)) if (!cur.verbs.includes(v)) cur.verbs.push(v);
  }
  return [...out, ...simple.values()];
}

/** rbacv1helpers.CompactString: {APIGroups:[""], Resources:["pods"], Verbs:["get"]}. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (arr(r.apiGroups).length) parts.push('APIGroups:' + goQuoteList(arr(r.apiGroups)));
  if (arr(r.resources).length) parts.push('Resources:' + goQuoteList(arr(r.resources)));
  if (arr(r.nonResourceURLs).length) parts.push('NonResourceURLs:' + goQuoteList(arr(r.nonResourceURLs)));
  if (arr(r.resourceNames).length) parts.push('ResourceNames:' + goQuoteList(arr(r.resourceNames)));
  if (arr(r.verbs).length) parts.push('Verbs:' + goQuoteList(arr(r.verbs)));
  return '{' + parts.join(', ') + '}';
}

/** The ConfirmNoEscalation message, or null when `owner` covers `rules`. */
export function escalationMessage(user: UserInfo, owner: RulesForResult, rules: readonly PolicyRule[]): string | null {
  const { covered, missing } = covers(owner.rules, rules);
  if (covered) return null;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${goQuote(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (owner.evaluationErrors.length) msg += `; resolution errors: [${aggregateErrors(owner.evaluationErrors)}]`;
  return msg;
}

export interface EscalationDeps {
  /** The full authorizer chain (used for the escalate / bind checks). */
  authorize(a: Attributes): AuthorizerResult | Promise<AuthorizerResult>;
  /** The requester's own rules in `namespace`; '' must mean ClusterRoleBindings only. */
  rulesFor(user: UserInfo, namespace: string): RulesForResult | Promise<RulesForResult>;
  /** Rules of the role a binding references (a Role in `namespace`), or null when it does not exist. */
  roleRules(ref: RoleRef, namespace: string): readonly PolicyRule[] | null | Promise<readonly PolicyRule[] | null>;
}

export interface EscalationRequest {
  kind: 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';
  operation: 'create' | 'update';
  user: UserInfo;
  cluster: string;
  /** Request namespace ('' for cluster-scoped kinds). */
  namespace: string;
  /** Name from the URL: '' on create (so an escalate rule limited by resourceNames works only for update). */
  name: string;
  object: Role | ClusterRole | RoleBinding;
  oldObject?: Role | ClusterRole | RoleBinding;
}

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const PLURAL = { Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' } as const;

function attrs(r: EscalationRequest, verb: string, resource: string, name: string, namespace: string): Attributes {
  return { user: r.user, cluster: r.cluster, verb, isResourceRequest: true, path: '', apiGroup: RBAC_GROUP, apiVersion: '*', resource, subresource: '', namespace, name };
}

/** rbacregistry.IsOnlyMutatingGCFields: only ownerReferences / finalizers / managedFields (or nothing) changed. */
export function isOnlyMutatingGCFields(obj: object, old: object | undefined): boolean {
  if (!old) return false;
  const strip = (o: object): unknown => {
    const c = structuredClone(o) as { metadata?: Record<string, unknown> };
    if (c.metadata) for (const k of ['ownerReferences', 'finalizers', 'selfLink', 'managedFields', 'resourceVersion']) delete c.metadata[k];
    return c;
  };
  return JSON.stringify(strip(obj)) === JSON.stringify(strip(old));
}

const hasAggregationRule = (o: object | undefined): boolean =>
  !!o && ((o as ClusterRole).aggregationRule?.clusterRoleSelectors?.length ?? 0) > 0;

/** Rules 10-14: resolves when the write may proceed; throws a Forbidden (or NotFound for a missing role) StatusError. */
export async function checkEscalation(r: EscalationRequest, deps: EscalationDeps): Promise<void> {
  if (r.user.groups.includes(SYSTEM_MASTERS)) return;
  const gr = { group: RBAC_GROUP, resource: PLURAL[r.kind] };
  const objName = r.object.metadata.name;
  const update = r.operation === 'update';
  if (r.kind === 'Role' || r.kind === 'ClusterRole') {
    const ns = r.kind === 'Role' ? r.namespace : '';
    if ((await deps.authorize(attrs(r, 'escalate', gr.resource, r.name, ns))).decision === 'allow') return;
    if (update && isOnlyMutatingGCFields(r.object, r.oldObject)) return;
    const owner = await deps.rulesFor(r.user, ns);
    const msg = escalationMessage(r.user, owner, (r.object as Role).rules ?? []);
    if (msg) throw forbidden(gr, objName, msg);
    if (r.kind === 'ClusterRole' && (hasAggregationRule(r.object) || (update && hasAggregationRule(r.oldObject)))) {
      if (escalationMessage(r.user, owner, FULL_AUTHORITY)) throw forbidden(gr, objName, 'must have cluster-admin privileges to use the aggregationRule');
    }
    return;
  }
  const binding = r.object as RoleBinding;
  const ns = r.kind === 'RoleBinding' ? r.namespace : '';
  const ref = binding.roleRef;
  if (ref.kind === 'Role' || ref.kind === 'ClusterRole') {
    const bind = attrs(r, 'bind', ref.kind === 'Role' ? 'roles' : 'clusterroles', ref.name, ns);
    bind.apiGroup = ref.apiGroup;
    if ((await deps.authorize(bind)).decision === 'allow') return;
  }
  if (update && isOnlyMutatingGCFields(r.object, r.oldObject)) return;
  if (ref.kind !== 'Role' && ref.kind !== 'ClusterRole') throw forbidden(gr, objName, `unsupported role reference kind: ${goQuote(ref.kind)}`);
  const rules = ref.kind === 'Role' && ns === '' ? null : await deps.roleRules(ref, ns);
  if (rules === null) throw notFound({ group: RBAC_GROUP, resource: ref.kind === 'Role' ? 'roles' : 'clusterroles' }, ref.name);
  const msg = escalationMessage(r.user, await deps.rulesFor(r.user, ns), rules);
  if (msg) throw forbidden(gr, objName, msg);
}
