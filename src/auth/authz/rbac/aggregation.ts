// ClusterRole aggregation (clusterroleaggregation controller): an aggregationRule's role gets the de-duplicated
// union of the rules of every other ClusterRole its selectors match (ORed), transitively; written rules replaced.
import { normalizeRule, ruleKey } from './compiled-role.ts';
import type { ClusterRole, LabelSelector, PolicyRule } from './types.ts';

/** metav1.LabelSelectorAsSelector semantics: matchLabels and matchExpressions ANDed; an empty selector matches all. */
export function selectorMatches(sel: LabelSelector | null | undefined, labels: Readonly<Record<string, string>> | null | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': if (!has || !values.includes(l[e.key]!)) return false; break;
      case 'NotIn': if (has && values.includes(l[e.key]!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false; // an invalid selector selects nothing
    }
  }
  return true;
}

const isAggregated = (cr: ClusterRole): boolean => cr.aggregationRule != null;
const byName = (a: ClusterRole, b: ClusterRole): number => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);

function matchesAny(target: ClusterRole, candidate: ClusterRole): boolean {
  if (candidate.metadata.name === target.metadata.name) return false;
  return (target.aggregationRule?.clusterRoleSelectors ?? []).some((s) => selectorMatches(s, candidate.metadata.labels));
}

/**
 * Rules of every ClusterRole that has an aggregationRule, keyed by name. For each selector in order, the
 * matching roles sorted by name contribute their rules (an aggregated role its aggregated rules) without
 * duplicates, exactly as the controller's steady state.
 */
export function aggregate(clusterRoles: readonly ClusterRole[]): Map<string, PolicyRule[]> {
  const sorted = [...clusterRoles].sort(byName);
  const aggregated = sorted.filter(isAggregated);
  const current = new Map<string, PolicyRule[]>(aggregated.map((cr) => [cr.metadata.name, []]));
  const keyOf = (rules: PolicyRule[]): string => rules.map(ruleKey).join('\n');
  for (let pass = 0; pass <= aggregated.length + 1; pass++) {
    let changed = false;
    for (const target of aggregated) {
      const out: PolicyRule[] = [];
      const seen = new Set<string>();
      for (const sel of target.aggregationRule?.clusterRoleSelectors ?? []) {
        for (const cr of sorted) {
          if (cr.metadata.name === target.metadata.name || !selectorMatches(sel, cr.metadata.labels)) continue;
          for (const rule of current.get(cr.metadata.name) ?? cr.rules ?? []) {
            const n = normalizeRule(rule);
            const k = ruleKey(n);
            if (!seen.has(k)) { seen.add(k); out.push(n); }
          }
        }
      }
      if (keyOf(out) !== keyOf(current.get(target.metadata.name)!)) { changed = true; current.set(target.metadata.name, out); }
    }
    if (!changed) break;
  }
  return current;
}

/** Copies of the ClusterRoles with aggregated rules filled in (others returned as they are). */
export function applyAggregation(clusterRoles: readonly ClusterRole[]): ClusterRole[] {
  const agg = aggregate(clusterRoles);
  return clusterRoles.map((cr) => (agg.has(cr.metadata.name) ? { ...cr, rules: agg.get(cr.metadata.name)! } : cr));
}

/**
 * Names of the aggregated ClusterRoles to recompute after `changed` went from `before` to `after`
 * (either may be absent: created / deleted): the role itself when it aggregates, every aggregated role
 * selecting its old or new labels, and transitively those selecting them. `clusterRoles` is the current set.
 */
export function affectedAggregates(clusterRoles: readonly ClusterRole[], before: ClusterRole | null | undefined, after: ClusterRole | null | undefined): string[] {
  const out = new Set<string>();
  const aggregated = clusterRoles.filter(isAggregated);
  const name = (after ?? before)?.metadata.name;
  if (name === undefined) return [];
  if (after && isAggregated(after)) out.add(name);
  const queue: ClusterRole[] = [before, after].filter((x): x is ClusterRole => !!x);
  while (queue.length) {
    const changed = queue.shift()!;
    for (const target of aggregated) {
      if (out.has(target.metadata.name) || !matchesAny(target, changed)) continue;
      out.add(target.metadata.name);
      queue.push(target);
    }
  }
  return [...out].sort();
}
