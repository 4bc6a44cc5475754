// The audit Policy (audit.k8s.io/v1): parsing with zod, the default policy, and rule matching exactly as
// k8s.io/apiserver/pkg/audit/policy/checker.go does, plus our `clusters` extension. First matching rule wins.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];
export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type Stage = (typeof STAGES)[number];

const groupResources = z.object({
  group: z.string().default(''),
  resources: z.array(z.string().min(1)).default([]),
  resourceNames: z.array(z.string()).default([]),
}).strict();

const rule = z.object({
  level: z.enum(LEVELS),
  users: z.array(z.string()).default([]),
  userGroups: z.array(z.string()).default([]),
  verbs: z.array(z.string()).default([]),
  resources: z.array(groupResources).default([]),
  namespaces: z.array(z.string()).default([]),
  nonResourceURLs: z.array(z.string().min(1)).default([]),
  /** Portcullis extension: logical cluster names. */
  clusters: z.array(z.string()).default([]),
  omitStages: z.array(z.enum(STAGES)).default([]),
  omitManagedFields: z.boolean().optional(),
}).strict().superRefine((r, c) => {
  if (r.nonResourceURLs.length > 0 && (r.resources.length > 0 || r.namespaces.length > 0)) {
    c.addIssue({ code: 'custom', message: 'rules cannot apply to both regular resources and non-resource URLs' });
  }
  for (const u of r.nonResourceURLs) {
    if (u.includes('*') && (u.indexOf('*') !== u.length - 1)) c.addIssue({ code: 'custom', message: `nonResourceURLs "${u}": "*" may only be the last character` });
  }
});

export const policySchema = z.object({
  apiVersion: z.enum(['audit.k8s.io/v1']),
  kind: z.literal('Policy'),
  metadata: z.record(z.string(), z.unknown()).optional(),
  rules: z.array(rule).min(1, 'a policy needs at least one rule'),
  omitStages: z.array(z.enum(STAGES)).default([]),
  omitManagedFields: z.boolean().default(false),
}).strict();

export type AuditPolicy = z.infer<typeof policySchema>;
export type PolicyRule = AuditPolicy['rules'][number];

/** Without a policy file: every request at Metadata level, all stages, managed fields kept. */
export const DEFAULT_POLICY: AuditPolicy = policySchema.parse({
  apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata' }],
});

export function parsePolicy(text: string, source = 'audit policy'): AuditPolicy {
  let doc: unknown;
  try { doc = parseYaml(text); } catch (e) {
    throw new Error(`${source} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = policySchema.safeParse(doc);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid ${source}: ${problems}`);
  }
  return r.data;
}

export function loadPolicy(file: string): AuditPolicy {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new Error(`cannot read audit policy file ${file}: ${(e as Error).message}`);
  }
  return parsePolicy(text, `audit policy file ${file}`);
}

/** What the policy is asked about: the authenticated user and the request attributes. */
export interface PolicyAttributes {
  username: string;
  groups: string[];
  verb: string;
  cluster: string;
  isResourceRequest: boolean;
  path: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface PolicyDecision {
  level: Level;
  omitStages: ReadonlySet<Stage>;
  omitManagedFields: boolean;
}

const NONE: PolicyDecision = { level: 'None', omitStages: new Set(), omitManagedFields: false };

/** A policy compiled for evaluation; decisions for the same rule are shared objects. */
export class PolicyEvaluator {
  private readonly decisions: PolicyDecision[];
  constructor(readonly policy: AuditPolicy) {
    this.decisions = policy.rules.map((r) => ({
      level: r.level,
      omitStages: new Set([...policy.omitStages, ...r.omitStages]),
      omitManagedFields: r.omitManagedFields ?? policy.omitManagedFields,
    }));
  }

  evaluate(a: PolicyAttributes): PolicyDecision {
    const rules = this.policy.rules;
    for (let i = 0; i < rules.length; i++) if (ruleMatches(rules[i], a)) return this.decisions[i];
    return NONE;
  }
}

export function ruleMatches(r: PolicyRule, a: PolicyAttributes): boolean {
  if (r.users.length > 0 && !r.users.includes(a.username)) return false;
  if (r.userGroups.length > 0 && !a.groups.some((g) => r.userGroups.includes(g))) return false;
  if (r.verbs.length > 0 && !r.verbs.includes(a.verb)) return false;
  if (r.clusters.length > 0 && !r.clusters.includes(a.cluster)) return false;
  if (r.namespaces.length > 0 || r.resources.length > 0) return matchesResource(r, a);
  if (r.nonResourceURLs.length > 0) return matchesNonResource(r, a);
  return true;
}

function matchesResource(r: PolicyRule, a: PolicyAttributes): boolean {
  if (!a.isResourceRequest) return false;
  if (r.namespaces.length > 0 && !r.namespaces.includes(a.namespace)) return false;
  if (r.resources.length === 0) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  for (const gr of r.resources) {
    if (gr.group !== a.apiGroup) continue;
    if (gr.resources.length === 0) return true;
    if (gr.resourceNames.length > 0 && !gr.resourceNames.includes(a.name)) continue;
    for (const res of gr.resources) {
      if (res === combined || res === '*') return true;
      if (a.subresource && res.startsWith('*/') && res.slice(2) === a.subresource) return true;
      if (res.endsWith('/*') && res.slice(0, -2) === a.resource) return true;
    }
  }
  return false;
}

function matchesNonResource(r: PolicyRule, a: PolicyAttributes): boolean {
  if (a.isResourceRequest) return false;
  for (const spec of r.nonResourceURLs) {
    if (spec === '*' || spec === a.path) return true;
    if (spec.endsWith('*') && a.path.startsWith(spec.slice(0, -1))) return true;
  }
  return false;
}

const RANK: Record<Level, number> = { None: 0, Metadata: 1, Request: 2, RequestResponse: 3 };
export const levelAtLeast = (l: Level, min: Level): boolean => RANK[l] >= RANK[min];
