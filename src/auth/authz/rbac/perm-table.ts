// Effective-permission tables: the rules of one or more roles merged into verb -> apiGroup -> resource
// (/subresource) -> names lookups, each entry naming the first role (by position) that grants it.
import { trimRightStars, type RuleRequest } from './rule-match.ts';
import type { PolicyRule } from './types.ts';

/** A role position granting every name, or name -> role position (never an unnamed request). */
type Grant = number | Map<string, number>;

/** Rule resources sharing the part before their first '/': the bare resource and its subresources. */
interface ResourceEntry { self: Grant | undefined; subs: Map<string, Grant> | null }

interface ResourceTable {
  /** Rule resource `*`. */
  all: Grant | undefined;
  exact: Map<string, ResourceEntry>;
  /** Rule resources `*\/<sub>`, keyed by <sub>. */
  wildSub: Map<string, Grant> | null;
}

interface NonResourceTable { all: number; exact: Map<string, number> | null; prefixes: string[]; prefixPos: number[] }

interface VerbTable {
  groups: Map<string, ResourceTable>;
  /** Rule apiGroup `*`. */
  anyGroup: ResourceTable | null;
  nonRes: NonResourceTable | null;
}

/**
 * One request, prepared once per decision into a reused object. The resource is split at its first '/'
 * of `resource[/subresource]` (so rule `a/b` is resource `a`, subresource `b`, as plain string equality).
 */
export class Query {
  attrs: RuleRequest | null = null;
  verb = '';
  group = '';
  res = '';
  sub = '';
  /** Whether `resource[/subresource]` contains a '/'. */
  slash = false;
  /** The request's own subresource (for `*\/<sub>` rules). */
  subresource = '';
  name = '';
  isResource = false;
  path = '';

  set(a: RuleRequest): void {
    this.attrs = a;
    this.verb = a.verb;
    this.group = a.apiGroup;
    this.name = a.name;
    this.isResource = a.isResourceRequest;
    this.path = a.path;
    this.subresource = a.subresource;
    if (!a.resource.includes('/')) {
      this.res = a.resource;
      this.sub = a.subresource;
      this.slash = a.subresource !== '';
    } else {
      const combined = a.subresource === '' ? a.resource : a.resource + '/' + a.subresource;
      const i = combined.indexOf('/');
      this.res = combined.slice(0, i);
      this.sub = combined.slice(i + 1);
      this.slash = true;
    }
  }
}

function addGrant(cur: Grant | undefined, pos: number, names: readonly string[] | null | undefined): Grant {
  if (typeof cur === 'number') return cur;
  if (!names || names.length === 0) return pos;
  const m = cur ?? new Map<string, number>();
  for (const n of names) if (!m.has(n)) m.set(n, pos);
  return m;
}

function grantPos(g: Grant | undefined, name: string): number {
  if (g === undefined) return -1;
  if (typeof g === 'number') return g;
  return name === '' ? -1 : (g.get(name) ?? -1);
}

function resourcePos(rt: ResourceTable, q: Query): number {
  let p = grantPos(rt.all, q.name);
  if (p >= 0) return p;
  const e = rt.exact.get(q.res);
  if (e !== undefined) {
    p = q.slash ? (e.subs === null ? -1 : grantPos(e.subs.get(q.sub), q.name)) : grantPos(e.self, q.name);
    if (p >= 0) return p;
  }
  if (rt.wildSub !== null && q.subresource !== '') return grantPos(rt.wildSub.get(q.subresource), q.name);
  return -1;
}

function nonResourcePos(t: NonResourceTable, path: string): number {
  if (t.all >= 0) return t.all;
  const p = t.exact === null ? undefined : t.exact.get(path);
  if (p !== undefined) return p;
  for (let i = 0; i < t.prefixes.length; i++) if (path.startsWith(t.prefixes[i]!)) return t.prefixPos[i]!;
  return -1;
}

function verbPos(vt: VerbTable | undefined, q: Query): number {
  if (vt === undefined) return -1;
  if (!q.isResource) return vt.nonRes === null ? -1 : nonResourcePos(vt.nonRes, q.path);
  const rt = vt.groups.get(q.group);
  const p = rt === undefined ? -1 : resourcePos(rt, q);
  return p < 0 && vt.anyGroup !== null ? resourcePos(vt.anyGroup, q) : p;
}

const newResourceTable = (): ResourceTable => ({ all: undefined, exact: new Map(), wildSub: null });

export class PermTable {
  private readonly verbs = new Map<string, VerbTable>();
  /** Rule verb `*`. */
  private anyVerb: VerbTable | null = null;
  /** Grants added (resource and URL entries, names counted): the table's size for memory budgets. */
  size = 0;

  /** Merges `roles` (position = index); null when the table would exceed `limit` entries. */
  static build(roles: ReadonlyArray<readonly PolicyRule[]>, limit = Infinity): PermTable | null {
    const t = new PermTable();
    for (let pos = 0; pos < roles.length; pos++) {
      for (const r of roles[pos]!) {
        for (const verb of r.verbs ?? []) {
          const vt = t.verbTable(verb);
          for (const group of r.apiGroups ?? []) {
            if (!r.resources?.length) break;
            const rt = group === '*' ? (vt.anyGroup ??= newResourceTable()) : t.groupTable(vt, group);
            for (const resource of r.resources) t.addResource(rt, resource, pos, r.resourceNames);
          }
          for (const url of r.nonResourceURLs ?? []) t.addNonResource(vt, url, pos);
          if (t.size > limit) return null;
        }
      }
    }
    return t;
  }

  private verbTable(verb: string): VerbTable {
    const fresh = (): VerbTable => ({ groups: new Map(), anyGroup: null, nonRes: null });
    if (verb === '*') return (this.anyVerb ??= fresh());
    let vt = this.verbs.get(verb);
    if (!vt) this.verbs.set(verb, (vt = fresh()));
    return vt;
  }

  private groupTable(vt: VerbTable, group: string): ResourceTable {
    let rt = vt.groups.get(group);
    if (!rt) vt.groups.set(group, (rt = newResourceTable()));
    return rt;
  }

  private addResource(rt: ResourceTable, resource: string, pos: number, names: readonly string[] | null | undefined): void {
    this.size += 1 + (names?.length ?? 0);
    if (resource === '*') { rt.all = addGrant(rt.all, pos, names); return; }
    if (resource.length > 2 && resource.startsWith('*/')) {
      const wild = (rt.wildSub ??= new Map());
      wild.set(resource.slice(2), addGrant(wild.get(resource.slice(2)), pos, names));
    }
    const i = resource.indexOf('/');
    const head = i < 0 ? resource : resource.slice(0, i);
    let e = rt.exact.get(head);
    if (!e) rt.exact.set(head, (e = { self: undefined, subs: null }));
    if (i < 0) { e.self = addGrant(e.self, pos, names); return; }
    const sub = resource.slice(i + 1);
    const subs = (e.subs ??= new Map());
    subs.set(sub, addGrant(subs.get(sub), pos, names));
  }

  private addNonResource(vt: VerbTable, url: string, pos: number): void {
    this.size++;
    const t = (vt.nonRes ??= { all: -1, exact: null, prefixes: [], prefixPos: [] });
    if (url === '*') { if (t.all < 0) t.all = pos; return; }
    if (url.endsWith('*')) { t.prefixes.push(trimRightStars(url)); t.prefixPos.push(pos); return; }
    const exact = (t.exact ??= new Map());
    if (!exact.has(url)) exact.set(url, pos);
  }

  /** The position of a role granting the request, or -1. */
  probe(q: Query): number {
    const p = verbPos(this.verbs.get(q.verb), q);
    return p < 0 && this.anyVerb !== null ? verbPos(this.anyVerb, q) : p;
  }
}
