// A role's rules compiled into a set of permission ids (perm-ids.ts) plus name sets and URL rules, and a
// content-addressed cache so identical roles in any number of clusters share one object.
import { ruleAllows, rulesAllow, trimRightStars } from './rule-match.ts';
import { PermIds, type Query } from './perm-ids.ts';
import type { PolicyRule } from './types.ts';

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

let nextId = 1;

export const idBit = (id: number): number => 1 << (id & 31);

/** An open-addressing set of permission ids (stored + 1; 0 = empty), at most half full. */
function idSet(ids: readonly number[]): Int32Array {
  let size = 4;
  while (size < ids.length * 2) size *= 2;
  const t = new Int32Array(size);
  for (const id of ids) {
    let i = Math.imul(id, 0x9e3779b1) & (size - 1);
    while (t[i] !== 0 && t[i] !== id + 1) i = (i + 1) & (size - 1);
    t[i] = id + 1;
  }
  return t;
}

function idSetHas(t: Int32Array, id: number): boolean {
  const mask = t.length - 1;
  let i = Math.imul(id, 0x9e3779b1) & mask;
  for (;;) {
    const v = t[i]!;
    if (v === id + 1) return true;
    if (v === 0) return false;
    i = (i + 1) & mask;
  }
}

/** Grants a role's merged-table size counted (resource entries with their names, and URLs): orders reasons. */
function grantCount(rules: readonly PolicyRule[]): number {
  let n = 0;
  for (const r of rules) {
    const res = r.resources?.length ? (r.apiGroups?.length ?? 0) * r.resources.length * (1 + (r.resourceNames?.length ?? 0)) : 0;
    n += r.verbs.length * (res + (r.nonResourceURLs?.length ?? 0));
  }
  return n;
}

export class CompiledRole {
  /** Process-unique, never reused: orders a subject's many roles (see subject-roles.ts). */
  readonly id = nextId++;
  refs = 0;
  /** Resource grants (verb, group, resource) as permission ids: every name, or only `named` names. */
  private readonly all: Int32Array | null;
  private readonly named: Map<number, Set<string>> | null;
  /** Rules naming non-resource URLs (matched one by one: few, and rarely requested). */
  private readonly urlRules: readonly PolicyRule[] | null;
  /** Entries the former merged tables counted for these rules (subject-roles.ts orders by it). */
  readonly grants: number;
  /** Bit `id & 31` of every resource grant's id: a request none of whose ids' bits are set is not granted. */
  readonly mask: number;

  /** `byRule` (tests): match rule by rule instead of by permission ids. */
  constructor(readonly key: string, readonly rules: readonly PolicyRule[], ids: PermIds, private readonly byRule = false) {
    const all: number[] = [];
    let named: Map<number, Set<string>> | null = null;
    for (const r of rules) {
      if (!r.resources?.length) continue;
      for (const verb of r.verbs) {
        for (const group of r.apiGroups ?? []) {
          for (const resource of r.resources) {
            const id = ids.id(verb, group, resource);
            if (!r.resourceNames?.length) { all.push(id); continue; }
            named ??= new Map();
            let names = named.get(id);
            if (names === undefined) named.set(id, (names = new Set()));
            for (const n of r.resourceNames) names.add(n);
          }
        }
      }
    }
    let mask = 0;
    for (const id of all) mask |= idBit(id);
    for (const id of named?.keys() ?? []) mask |= idBit(id);
    this.mask = mask;
    this.all = all.length > 0 ? idSet(all) : null;
    this.named = named;
    const urls = rules.filter((r) => (r.nonResourceURLs?.length ?? 0) > 0 && r.verbs.length > 0);
    this.urlRules = urls.length > 0 ? urls : null;
    this.grants = grantCount(rules);
  }

  /** Grants permission `id` for every name. */
  grantsAll(id: number): boolean { return this.all !== null && idSetHas(this.all, id); }

  /** Grants permission `id` for resource name `name` (only). */
  grantsName(id: number, name: string): boolean { return this.named?.get(id)?.has(name) === true; }

  /** A URL rule with verb `verb` (exactly, `*` included) whose pattern is `*` (mode 0), `path` (1) or a prefix of it (2). */
  grantsUrl(verb: string, mode: number, path: string): boolean {
    const rules = this.urlRules;
    if (rules === null) return false;
    for (const r of rules) {
      if (!r.verbs.includes(verb)) continue;
      for (const u of r.nonResourceURLs!) {
        if (u === '*' ? mode === 0 : !u.endsWith('*') ? mode === 1 && u === path : mode === 2 && path.startsWith(trimRightStars(u))) return true;
      }
    }
    return false;
  }

  allows(q: Query): boolean {
    if (this.byRule) return rulesAllow(q.attrs!, this.rules);
    if (!q.isResource) {
      const urls = this.urlRules;
      if (urls === null) return false;
      for (let i = 0; i < urls.length; i++) if (ruleAllows(q.attrs!, urls[i]!)) return true;
      return false;
    }
    const n = q.n;
    if ((this.mask & q.mask) === 0) return false;
    const all = this.all;
    if (all !== null) for (let k = 0; k < n; k++) if (idSetHas(all, q.ids[k]!)) return true;
    const named = this.named;
    if (named === null || q.name === '') return false;
    for (let k = 0; k < n; k++) if (named.get(q.ids[k]!)?.has(q.name) === true) return true;
    return false;
  }
}

/** Content-addressed, reference-counted compiled roles shared by every cluster of one index. */
export class RoleCache {
  private readonly byKey = new Map<string, CompiledRole>();

  /** Permission ids of every grant of every role compiled here (queries are turned into them). */
  readonly ids = new PermIds();

  /** `byRule` (tests): roles match rule by rule (the reference), not by permission ids. */
  constructor(private readonly byRule = false) {}

  acquire(rules: readonly PolicyRule[] | null | undefined): CompiledRole {
    const norm = (rules ?? []).map(normalizeRule);
    const key = JSON.stringify(norm);
    let role = this.byKey.get(key);
    if (!role) {
      for (const r of norm) {
        for (const v of Object.values(r)) Object.freeze(v);
        Object.freeze(r);
      }
      role = new CompiledRole(key, Object.freeze(norm), this.ids, this.byRule);
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
