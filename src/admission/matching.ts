// Which admission policies and webhooks a request reaches: rules (operations, groups, versions, resources with
// subresources and wildcards, scope), resource names, namespace and object label selectors, and the resources
// Kubernetes (and Portcullis) never send through them.
import type { AdmitOp } from '../apiserver/registry/store.ts';
import type { ResourceType } from '../apiserver/registry/types.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import { selectorMatches } from '../auth/authz/rbac/index.ts';
import type { LabelSelector } from '../auth/authz/rbac/index.ts';

export interface RuleWithOperations {
  operations?: string[]; apiGroups?: string[]; apiVersions?: string[]; resources?: string[]; scope?: string;
}
export interface NamedRule extends RuleWithOperations { resourceNames?: string[] }
export interface MatchResources {
  namespaceSelector?: LabelSelector; objectSelector?: LabelSelector;
  resourceRules?: NamedRule[]; excludeResourceRules?: NamedRule[]; matchPolicy?: string;
}

/** The request attributes matching looks at. */
export interface Attrs {
  op: AdmitOp; t: ResourceType; subresource: string; namespace: string; name: string;
  obj?: KObject; old?: KObject;
}

export const OPERATION: Record<AdmitOp, string> = { create: 'CREATE', update: 'UPDATE', delete: 'DELETE' };

const has = (list: string[] | undefined, v: string): boolean => (list ?? []).includes('*') || (list ?? []).includes(v);

function resourceMatches(patterns: string[] | undefined, resource: string, sub: string): boolean {
  const full = sub ? `${resource}/${sub}` : resource;
  return (patterns ?? []).some((p) => {
    if (p === '*/*' || p === full) return true;
    if (p === '*') return !sub;
    const [r, s] = p.split('/');
    return (r === '*' && s === sub && !!sub) || (r === resource && s === '*' && !!sub);
  });
}

export function ruleMatches(rule: NamedRule, a: Attrs): boolean {
  if (!has(rule.operations, OPERATION[a.op])) return false;
  if (!has(rule.apiGroups, a.t.group) || !has(rule.apiVersions, a.t.version)) return false;
  if (!resourceMatches(rule.resources, a.t.resource, a.subresource)) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && a.t.namespaced) return false;
  if (scope === 'Namespaced' && !a.t.namespaced) return false;
  if (rule.resourceNames?.length && !rule.resourceNames.includes(a.name)) return false;
  return true;
}

/** Labels of the object (the new one, else the old one for deletes). */
const labelsOf = (a: Attrs): Record<string, string> => a.obj?.metadata.labels ?? a.old?.metadata.labels ?? {};

export function objectSelected(sel: LabelSelector | undefined, a: Attrs): boolean {
  if (!sel || (!sel.matchLabels && !sel.matchExpressions?.length)) return true;
  return selectorMatches(sel, labelsOf(a)) || (a.op === 'update' && !!a.old && selectorMatches(sel, a.old.metadata.labels));
}

/**
 * The namespace selector: cluster-scoped objects (other than namespaces) always match; `nsLabels` is fetched
 * only when a selector needs it.
 */
export async function namespaceSelected(sel: LabelSelector | undefined, a: Attrs, nsLabels: () => Promise<Record<string, string> | undefined>): Promise<boolean> {
  if (!sel || (!sel.matchLabels && !sel.matchExpressions?.length)) return true;
  if (a.t.group === '' && a.t.resource === 'namespaces') return selectorMatches(sel, labelsOf(a));
  if (!a.t.namespaced) return true;
  return selectorMatches(sel, (await nsLabels()) ?? {});
}

/** Groups whose objects never go to webhooks: admission configuration itself, and Portcullis' own control objects. */
export function exemptFromWebhooks(t: ResourceType): boolean {
  return t.group === 'admissionregistration.k8s.io' || t.group === 'portcullis.io' || t.group.endsWith('.portcullis.io');
}
/** Policies do not apply to their own configuration (Kubernetes exempts admissionregistration from VAP too). */
export function exemptFromPolicies(t: ResourceType): boolean {
  return t.group === 'admissionregistration.k8s.io';
}

export async function matchResources(m: MatchResources | undefined, a: Attrs, nsLabels: () => Promise<Record<string, string> | undefined>): Promise<boolean> {
  if (!m) return true;
  if (m.resourceRules && !m.resourceRules.some((r) => ruleMatches(r, a))) return false;
  if (m.excludeResourceRules?.some((r) => ruleMatches(r, a))) return false;
  if (!objectSelected(m.objectSelector, a)) return false;
  return namespaceSelected(m.namespaceSelector, a, nsLabels);
}
