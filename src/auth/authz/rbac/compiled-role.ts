// A role's rules compiled once into verb -> group -> resource lookup maps (or kept as a short list when
// tiny), plus a content-addressed cache so identical roles in any number of clusters share one object.
import { ruleAllows, trimRightStars, type RuleRequest } from './rule-match.ts';
import type { PolicyRule } from './types.ts';

/** `true`: every name; a Set: only those names (never an unnamed request). */
type Grant = true | Set<string>;
type ResourceMap = Map<string, Grant>;
interface NonResourceGrant { all: boolean; exact: Set<string> | null; prefixes: string[] | null }

/** Per-request values computed once per decision and reused for every candidate role. */
export interface PreparedRequest {
  attrs: RuleRequest;
  verb: string;
  group: string;
  combined: string;
  /** `*\/<subresource>` or '' when the request has no subresource. */
  wildSub: string;
  name: string;
  isResource: boolean;
  path: string;
}

export function prepareRequest(a: RuleRequest): PreparedRequest {
  const sub = a.subresource;
  return {
    attrs: a, verb: a.verb, group: a.apiGroup, name: a.name, isResource: a.isResourceRequest, path: a.path,
    combined: sub === '' ? a.resource : a.resource + '/' + sub,
    wildSub: sub === '' ? '' : '*/' + sub,
  };
}

const nonEmpty = (x: readonly string[] | null | undefined): string[] | undefined => (x && x.length ? [...x] : undefined);

/** Canonical copy of a rule: empty and null lists dropped (Kubernetes' semantic equality treats them alike). */
export function normalizeRule(r: PolicyRule): PolicyRule {
  const out: PolicyRule = { verbs: [...(r.verbs ?? [])] };
  const g = nonEmpty(r.apiGroups); if (g) out.apiGroups = g;
  const res = nonEmpty(r.resources); if (res) out.resources = res;
  const n = nonEmpty(r.resourceNames); if (n) out.resourceNames = n;
  const u = nonEmpty(r.nonResourceURLs); if (u) out.nonResourceURLs = u;
  return out;
}

export function ruleKey(r: PolicyRule): string {
  return JSON.stringify([r.verbs ?? [], r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);
}

/** Below this many (verb, group, resource) combinations the rules are checked directly. */
const LINEAR_LIMIT = 12;

function grantOk(g: Grant | undefined, name: string): boolean {
  return g === true || (g !== undefined && name !== '' && g.has(name));
}

export class CompiledRole {
  /** Decision epoch that last evaluated this role (skip duplicates within one decision). */
  stamp = 0;
  refs = 0;
  /** Whether any rule names resources / non-resource URLs (cheap rejection of the other kind of request). */
  private readonly anyResource: boolean;
  private readonly anyNonResource: boolean;
  private readonly res: Map<string, Map<string, ResourceMap>> | null = null;
  private readonly nonRes: Map<string, NonResourceGrant> | null = null;

  constructor(readonly key: string, readonly rules: readonly PolicyRule[], linearLimit = LINEAR_LIMIT) {
    this.anyResource = rules.some((r) => (r.resources?.length ?? 0) > 0 && (r.apiGroups?.length ?? 0) > 0 && r.verbs.length > 0);
    this.anyNonResource = rules.some((r) => (r.nonResourceURLs?.length ?? 0) > 0 && r.verbs.length > 0);
    let combos = 0;
    for (const r of rules) {
      combos += r.verbs.length * ((r.apiGroups?.length ?? 0) * (r.resources?.length ?? 0) + (r.nonResourceURLs?.length ?? 0));
    }
    if (combos <= linearLimit) return;
    this.res = new Map();
    this.nonRes = new Map();
    for (const r of rules) {
      for (const verb of r.verbs) {
        for (const group of r.apiGroups ?? []) {
          for (const resource of r.resources ?? []) this.addResource(verb, group, resource, r.resourceNames);
        }
        for (const url of r.nonResourceURLs ?? []) this.addNonResource(verb, url);
      }
    }
  }

  private addResource(verb: string, group: string, resource: string, names: readonly string[] | undefined | null): void {
    let gm = this.res!.get(verb);
    if (!gm) this.res!.set(verb, (gm = new Map()));
    let rm = gm.get(group);
    if (!rm) gm.set(group, (rm = new Map()));
    const cur = rm.get(resource);
    if (cur === true) return;
    if (!names || names.length === 0) { rm.set(resource, true); return; }
    const set = cur ?? new Set<string>();
    for (const n of names) set.add(n);
    rm.set(resource, set);
  }

  private addNonResource(verb: string, url: string): void {
    let g = this.nonRes!.get(verb);
    if (!g) this.nonRes!.set(verb, (g = { all: false, exact: null, prefixes: null }));
    if (url === '*') g.all = true;
    else if (url.endsWith('*')) (g.prefixes ??= []).push(trimRightStars(url));
    else (g.exact ??= new Set()).add(url);
  }

  allows(q: PreparedRequest): boolean {
    if (q.isResource ? !this.anyResource : !this.anyNonResource) return false;
    if (this.res === null) {
      for (const r of this.rules) if (ruleAllows(q.attrs, r)) return true;
      return false;
    }
    if (q.isResource) {
      if (this.groupsAllow(this.res.get(q.verb), q)) return true;
      return q.verb !== '*' && this.groupsAllow(this.res.get('*'), q);
    }
    if (this.nonResAllows(this.nonRes!.get(q.verb), q.path)) return true;
    return q.verb !== '*' && this.nonResAllows(this.nonRes!.get('*'), q.path);
  }

  private groupsAllow(gm: Map<string, ResourceMap> | undefined, q: PreparedRequest): boolean {
    if (gm === undefined) return false;
    if (this.resourcesAllow(gm.get(q.group), q)) return true;
    return q.group !== '*' && this.resourcesAllow(gm.get('*'), q);
  }

  private resourcesAllow(rm: ResourceMap | undefined, q: PreparedRequest): boolean {
    if (rm === undefined) return false;
    if (grantOk(rm.get(q.combined), q.name) || grantOk(rm.get('*'), q.name)) return true;
    return q.wildSub !== '' && grantOk(rm.get(q.wildSub), q.name);
  }

  private nonResAllows(g: NonResourceGrant | undefined, path: string): boolean {
    if (g === undefined) return false;
    if (g.all || (g.exact !== null && g.exact.has(path))) return true;
    if (g.prefixes !== null) for (const p of g.prefixes) if (path.startsWith(p)) return true;
    return false;
  }
}

/** Content-addressed, reference-counted compiled roles shared by every cluster of one index. */
export class RoleCache {
  private readonly byKey = new Map<string, CompiledRole>();

  /** `linearLimit`: roles with at most this many (verb, group, resource) combinations are matched rule by rule. */
  constructor(private readonly linearLimit = LINEAR_LIMIT) {}

  acquire(rules: readonly PolicyRule[] | null | undefined): CompiledRole {
    const norm = (rules ?? []).map(normalizeRule);
    const key = JSON.stringify(norm);
    let role = this.byKey.get(key);
    if (!role) {
      for (const r of norm) {
        for (const v of Object.values(r)) Object.freeze(v);
        Object.freeze(r);
      }
      role = new CompiledRole(key, Object.freeze(norm), this.linearLimit);
      this.byKey.set(key, role);
    }
    role.refs++;
    return role;
  }

  release(role: CompiledRole): void {
    if (--role.refs <= 0) this.byKey.delete(role.key);
  }

  get size(): number { return this.byKey.size; }
}
