// Label and field selectors: parsing (Kubernetes syntax) and matching against objects.
import { badRequest } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';

type Requirement =
  | { key: string; op: 'eq' | 'ne'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export type Selector = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0; let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function parseRequirement(term: string): Requirement {
  let m = /^!\s*([^\s!=(),]+)$/.exec(term);
  if (m) return { key: m[1], op: 'notexists' };
  m = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) return { key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()) };
  m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
  if (m) return { key: m[1], op: m[2] === '!=' ? 'ne' : 'eq', value: m[3] };
  m = /^([^\s!=(),]+)$/.exec(term);
  if (m) return { key: m[1], op: 'exists' };
  throw badRequest(`unable to parse requirement: "${term}"`);
}

function matches(r: Requirement, get: (k: string) => string | undefined): boolean {
  const v = get(r.key);
  switch (r.op) {
    case 'eq': return v === r.value;
    case 'ne': return v !== r.value;
    case 'in': return v !== undefined && r.values.includes(v);
    case 'notin': return v === undefined || !r.values.includes(v);
    case 'exists': return v !== undefined;
    case 'notexists': return v === undefined;
  }
}

export function parseLabelSelector(s: string | null): Selector | undefined {
  if (!s) return undefined;
  const reqs = splitTerms(s).map(parseRequirement);
  return (labels) => reqs.every((r) => matches(r, (k) => labels[k]));
}

/** Fields every kind supports, plus a few per-kind extras kubectl users rely on. */
const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
const KIND_FIELDS: Record<string, string[]> = {
  Secret: ['type'],
  Pod: ['spec.nodeName', 'spec.serviceAccountName', 'status.phase', 'spec.restartPolicy', 'spec.schedulerName', 'status.podIP'],
  Event: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
  ReplicaSet: ['status.replicas'],
};

function fieldValue(obj: KObject, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export type FieldSelector = (obj: KObject) => boolean;

export function parseFieldSelector(s: string | null, kind: string, custom: boolean): FieldSelector | undefined {
  if (!s) return undefined;
  const allowed = new Set([...COMMON_FIELDS, ...(KIND_FIELDS[kind] ?? [])]);
  const reqs = splitTerms(s).map(parseRequirement);
  for (const r of reqs) {
    if (r.op !== 'eq' && r.op !== 'ne') throw badRequest(`invalid field selector "${s}": only =, == and != are supported`);
    if (!allowed.has(r.key)) {
      throw badRequest(`field label not supported: ${r.key}${custom ? '' : ` (supported for ${kind}: ${[...allowed].join(', ')})`}`);
    }
  }
  return (obj) => reqs.every((r) => matches(r, (k) => fieldValue(obj, k)));
}

/** The name a field selector pins, if it is exactly metadata.name=X (lets the store skip a scan). */
export function pinnedName(s: string | null): string | undefined {
  if (!s) return undefined;
  const m = /^metadata\.name(?:==|=)([^,!=]+)$/.exec(s.trim());
  return m ? m[1] : undefined;
}
