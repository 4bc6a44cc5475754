// A role's rules compiled on first use into verb -> group -> resource lookup maps (or kept as a short list
// when tiny), plus a content-addressed cache so identical roles in any number of clusters share one object.
import { ruleAllows } from './rule-match.ts';
import { PermTable, type Query } from './perm-table.ts';
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

/** Below this many (verb, group, resource) combinations the rules are checked directly. */
const LINEAR_LIMIT = 12;
let nextId = 1;

export class CompiledRole {
  /** Process-unique, never reused: identifies the role in merged-table keys. */
  readonly id = nextId++;
  refs = 0;
  /** Whether any rule names resources / non-resource URLs (cheap rejection of the other kind of request). */
  private readonly anyResource: boolean;
  private readonly anyNonResource: boolean;
  /** Whether `allows` uses lookup maps (else the rules one by one); the maps are built on first use. */
  private readonly mapped: boolean;
  private table: PermTable | null = null;

  constructor(readonly key: string, readonly rules: readonly PolicyRule[], linearLimit = LINEAR_LIMIT) {
    this.anyResource = rules.some((r) => (r.resources?.length ?? 0) > 0 && (r.apiGroups?.length ?? 0) > 0 && r.verbs.length > 0);
    this.anyNonResource = rules.some((r) => (r.nonResourceURLs?.length ?? 0) > 0 && r.verbs.length > 0);
    let combos = 0;
    for (const r of rules) {
      combos += r.verbs.length * ((r.apiGroups?.length ?? 0) * (r.resources?.length ?? 0) + (r.nonResourceURLs?.length ?? 0));
    }
    this.mapped = combos > linearLimit;
  }

  allows(q: Query): boolean {
    if (q.isResource ? !this.anyResource : !this.anyNonResource) return false;
    if (this.mapped) return (this.table ??= PermTable.build([this.rules])!).probe(q) >= 0;
    for (const r of this.rules) if (ruleAllows(q.attrs!, r)) return true;
    return false;
  }

  dropTable(): void { this.table = null; }
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

  /** Drops every role's lookup maps (rebuilt on next use). */
  dropTables(): void {
    for (const role of this.byKey.values()) role.dropTable();
  }

  release(role: CompiledRole): void {
    if (--role.refs <= 0) this.byKey.delete(role.key);
  }

  get size(): number { return this.byKey.size; }
}
