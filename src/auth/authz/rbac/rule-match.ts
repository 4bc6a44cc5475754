// Kubernetes rule matching (rbac/evaluation_helpers.go RuleAllows): verbs, API groups, resources with
// subresources and `*`/`*/sub` wildcards, resourceNames, and non-resource URLs with a trailing-`*` prefix.
import type { Attributes } from '../../../apiserver/auth/types.ts';
import type { PolicyRule } from './types.ts';

const list = (x: readonly string[] | null | undefined): readonly string[] => x ?? [];

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  for (const v of list(rule.verbs)) if (v === '*' || v === verb) return true;
  return false;
}

/** `*` matches every group, the core group `""` included; otherwise exact, case-sensitive. */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  for (const g of list(rule.apiGroups)) if (g === '*' || g === group) return true;
  return false;
}

/**
 * `*` matches everything (subresources too); otherwise the rule resource must equal `resource` or
 * `resource/subresource`; `*\/sub` matches any resource's `sub` subresource (only when one is requested).
 */
export function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource === '' ? resource : resource + '/' + subresource;
  for (const r of list(rule.resources)) {
    if (r === '*' || r === combined) return true;
    if (subresource !== '' && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** A rule restricted by resourceNames never matches a request without a name (list, create, watch, deletecollection). */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = list(rule.resourceNames);
  if (names.length === 0) return true;
  if (name === '') return false;
  return names.includes(name);
}

/** A non-resource URL pattern matches: `*`, an exact path, or (trailing `*`) a plain string prefix. */
export function nonResourceURLMatch(pattern: string, path: string): boolean {
  if (pattern === '*' || pattern === path) return true;
  if (pattern.endsWith('*')) return path.startsWith(trimRightStars(pattern));
  return false;
}

export function trimRightStars(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 42) end--;
  return s.slice(0, end);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of list(rule.nonResourceURLs)) if (nonResourceURLMatch(u, path)) return true;
  return false;
}

export type RuleRequest = Pick<Attributes, 'verb' | 'isResourceRequest' | 'path' | 'apiGroup' | 'resource' | 'subresource' | 'name'>;

export function ruleAllows(req: RuleRequest, rule: PolicyRule): boolean {
  if (req.isResourceRequest) {
    return verbMatches(rule, req.verb) && apiGroupMatches(rule, req.apiGroup) &&
      resourceMatches(rule, req.resource, req.subresource) && resourceNameMatches(rule, req.name);
  }
  return verbMatches(rule, req.verb) && nonResourceURLMatches(rule, req.path);
}

export function rulesAllow(req: RuleRequest, rules: readonly PolicyRule[]): boolean {
  for (const r of rules) if (ruleAllows(req, r)) return true;
  return false;
}
