// What kube-apiserver's start-up reconciliation of the default RBAC policy (the rbac/bootstrap-roles post-start
// hook, pkg/registry/rbac/reconciliation) does to one default object a cluster holds its own row for: a deleted
// default is created again; an existing one annotated rbac.authorization.kubernetes.io/autoupdate=false is left
// alone; any other gains the missing rules (or subjects), aggregation selectors, labels and annotations, and a
// binding whose roleRef changed is re-created. Extra permissions are never removed.
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { SharedReconcile } from '../../apiserver/storage/shared-sets.ts';
import { covers } from '../authz/rbac/index.ts';
import type { LabelSelector, PolicyRule, Subject } from '../authz/rbac/index.ts';

export const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** `expected`: the policy object as Kubernetes ships it (aggregated roles with `rules: null`). */
export function reconcileDefault(expected: KObject, existing: KObject | undefined): ReturnType<SharedReconcile> {
  if (!existing) return { object: structuredClone(expected) };
  if (existing.metadata.annotations?.[AUTOUPDATE] === 'false') return undefined;
  const out = structuredClone(existing);
  // Existing labels and annotations win over the expected ones (reconciliation's merge order).
  const labels = { ...(expected.metadata.labels ?? {}), ...(existing.metadata.labels ?? {}) };
  const annotations = { ...(expected.metadata.annotations ?? {}), ...(existing.metadata.annotations ?? {}) };
  if (Object.keys(labels).length) out.metadata.labels = labels;
  if (Object.keys(annotations).length) out.metadata.annotations = annotations;
  let recreate = false;
  if ('roleRef' in expected) {
    if (!same(existing.roleRef, expected.roleRef)) { out.roleRef = structuredClone(expected.roleRef); recreate = true; }
    const have = (existing.subjects ?? []) as Subject[];
    const missing = ((expected.subjects ?? []) as Subject[]).filter((s) => !have.some((h) => same(h, s)));
    if (missing.length) out.subjects = [...have, ...structuredClone(missing)];
  } else {
    const rules = (existing.rules ?? []) as PolicyRule[];
    const missing = covers(rules, (expected.rules ?? []) as PolicyRule[]).missing;
    if (missing.length) out.rules = [...rules, ...missing];
    const want = (expected.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined)?.clusterRoleSelectors;
    if (want) {
      const rule = (existing.aggregationRule ?? {}) as { clusterRoleSelectors?: LabelSelector[] };
      const sels = rule.clusterRoleSelectors ?? [];
      const add = want.filter((w) => !sels.some((s) => same(s, w)));
      if (add.length) out.aggregationRule = { ...rule, clusterRoleSelectors: [...sels, ...structuredClone(add)] };
    }
  }
  if (!recreate && same(out, existing)) return undefined;
  return { object: out, recreate };
}
