// Permission ids: every (verb, apiGroup, resource) a compiled role grants, as written in its rules (`*`
// forms included), gets a small integer; a request is turned once into the ids of the grants that match it.
import type { RuleRequest } from './rule-match.ts';

/** Rule resources sharing the part before their first '/': the bare resource and its subresources. */
class ResourceNode {
  self = -1;
  subs: Map<string, number> | null = null;
}

class GroupNode {
  /** Rule resource `*`. */
  all = -1;
  readonly exact = new Map<string, ResourceNode>();
  /** Rule resources `*\/<sub>`, keyed by <sub>. */
  wildSub: Map<string, number> | null = null;
}

/** One verb's groups; the group `*` also kept aside (looked up by every request). */
class VerbNode {
  readonly groups = new Map<string, GroupNode>();
  any: GroupNode | null = null;
}

/** The most ids one request can match: verb × {verb, *}, group × {group, *}, resource × {exact, *, *\/sub}. */
const MAX_CANDIDATES = 12;

/**
 * verb -> apiGroup -> resource -> id over every grant of every compiled role of one index. Ids are never
 * reused (a role compiled later may grant the same triple); the registry grows with distinct triples only.
 */
export class PermIds {
  private readonly verbs = new Map<string, VerbNode>();
  /** The verb `*` (looked up by every request). */
  private anyVerb: VerbNode | null = null;
  private next = 0;

  get size(): number { return this.next; }

  /** The id of the rule triple (verb, group, resource), registered on first use. */
  id(verb: string, group: string, resource: string): number {
    let v = this.verbs.get(verb);
    if (v === undefined) {
      this.verbs.set(verb, (v = new VerbNode()));
      if (verb === '*') this.anyVerb = v;
    }
    let g = v.groups.get(group);
    if (g === undefined) {
      v.groups.set(group, (g = new GroupNode()));
      if (group === '*') v.any = g;
    }
    if (resource === '*') return g.all >= 0 ? g.all : (g.all = this.next++);
    if (resource.length > 2 && resource.startsWith('*/')) {
      // Also a literal resource named `*` with that subresource (rule-match.ts compares whole strings).
      const sub = resource.slice(2);
      const wild = (g.wildSub ??= new Map());
      let id = wild.get(sub);
      if (id === undefined) wild.set(sub, (id = this.next++));
      this.literal(g, resource, id);
      return id;
    }
    const known = this.lookupLiteral(g, resource);
    return known >= 0 ? known : this.literal(g, resource, this.next++);
  }

  private lookupLiteral(g: GroupNode, resource: string): number {
    const i = resource.indexOf('/');
    const node = g.exact.get(i < 0 ? resource : resource.slice(0, i));
    if (node === undefined) return -1;
    if (i < 0) return node.self;
    return node.subs?.get(resource.slice(i + 1)) ?? -1;
  }

  private literal(g: GroupNode, resource: string, id: number): number {
    const i = resource.indexOf('/');
    const head = i < 0 ? resource : resource.slice(0, i);
    let node = g.exact.get(head);
    if (node === undefined) g.exact.set(head, (node = new ResourceNode()));
    if (i < 0) { if (node.self < 0) node.self = id; return node.self; }
    const subs = (node.subs ??= new Map());
    const sub = resource.slice(i + 1);
    const cur = subs.get(sub);
    if (cur !== undefined) return cur;
    subs.set(sub, id);
    return id;
  }

  /** Fills `q.ids` with the ids of every registered rule triple matching the request (rule-match.ts semantics). */
  candidates(q: Query): void {
    q.n = 0;
    const exact = this.verbs.get(q.verb);
    if (exact !== undefined) this.fromVerb(exact, q);
    const any = this.anyVerb;
    if (any !== null && q.verb !== '*') this.fromVerb(any, q);
  }

  private fromVerb(v: VerbNode, q: Query): void {
    const g = v.groups.get(q.group);
    if (g !== undefined) fromGroup(g, q);
    if (v.any !== null && q.group !== '*') fromGroup(v.any, q);
  }
}

function fromGroup(g: GroupNode, q: Query): void {
  if (g.all >= 0) q.ids[q.n++] = g.all;
  const node = g.exact.get(q.head);
  if (node !== undefined) {
    const id = q.rest === null ? node.self : (node.subs?.get(q.rest) ?? -1);
    if (id >= 0) q.ids[q.n++] = id;
  }
  if (g.wildSub !== null && q.subresource !== '') {
    const id = g.wildSub.get(q.subresource);
    if (id !== undefined && !q.has(id)) q.ids[q.n++] = id;
  }
}

/** One request, prepared once per decision into a reused object. */
export class Query {
  attrs: RuleRequest | null = null;
  verb = '';
  group = '';
  /** `resource[/subresource]` split at its first '/': the head, and the rest (null: no '/'). */
  head = '';
  rest: string | null = null;
  subresource = '';
  name = '';
  isResource = false;
  path = '';
  /** Ids of the registered grants the request matches (the first `n`). */
  readonly ids = new Int32Array(MAX_CANDIDATES);
  n = 0;
  /** Bit `id & 31` of each of the ids (compiled-role.ts masks). */
  mask = 0;

  set(a: RuleRequest, ids: PermIds): void {
    this.attrs = a;
    this.verb = a.verb;
    this.group = a.apiGroup;
    this.name = a.name;
    this.isResource = a.isResourceRequest;
    this.path = a.path;
    this.subresource = a.subresource;
    if (!a.resource.includes('/')) {
      this.head = a.resource;
      this.rest = a.subresource === '' ? null : a.subresource;
    } else {
      const combined = a.subresource === '' ? a.resource : a.resource + '/' + a.subresource;
      const i = combined.indexOf('/');
      this.head = combined.slice(0, i);
      this.rest = combined.slice(i + 1);
    }
    this.mask = 0;
    if (this.isResource) {
      ids.candidates(this);
      for (let k = 0; k < this.n; k++) this.mask |= 1 << (this.ids[k]! & 31);
    } else this.n = 0;
  }

  has(id: number): boolean {
    for (let k = 0; k < this.n; k++) if (this.ids[k] === id) return true;
    return false;
  }
}
