// A set of field paths in the FieldsV1 shape of metadata.managedFields: path elements "f:<name>", "k:<json key>",
// "v:<json value>", "i:<index>"; a node is a member when the field itself is owned ("." when it also has children).
import { badRequest } from '../errors.ts';
import { isObject } from './json-value.ts';

export type FieldPath = readonly string[];

const RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };
function compareElements(a: string, b: string): number {
  const r = (RANK[a[0]] ?? 9) - (RANK[b[0]] ?? 9);
  return r !== 0 ? r : a < b ? -1 : a > b ? 1 : 0;
}

/** The path element of an associative-list item: `k:{"name":"c1"}` with key fields sorted by name. */
export function keyElement(item: Record<string, unknown>, keys: readonly string[]): string {
  const fields = [...keys].filter((k) => item[k] !== undefined).sort();
  return `k:${JSON.stringify(Object.fromEntries(fields.map((k) => [k, item[k]])))}`;
}
export const valueElement = (v: unknown): string => `v:${JSON.stringify(v)}`;
export const fieldElement = (name: string): string => `f:${name}`;

/** Kubernetes' printed form of a path (conflict messages): `.spec.containers[name="c1"].image`, `[="x"]`. */
export function pathString(path: FieldPath): string {
  return path.map((pe) => {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f': return `.${body}`;
      case 'v': return `[=${body}]`;
      case 'i': return `[${body}]`;
      case 'k': {
        const key = JSON.parse(body) as Record<string, unknown>;
        return `[${Object.keys(key).sort().map((k) => `${k}=${JSON.stringify(key[k])}`).join(',')}]`;
      }
      default: return pe;
    }
  }).join('');
}

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static of(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Parses a FieldsV1 object; throws a 400 on a malformed one. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    const walk = (node: unknown, into: FieldSet) => {
      if (!isObject(node)) throw badRequest('metadata.managedFields: fieldsV1 must be an object');
      for (const [k, child] of Object.entries(node)) {
        if (k === '.') { into.member = true; continue; }
        if (!/^[fkvi]:/.test(k)) throw badRequest(`metadata.managedFields: invalid fieldsV1 key ${JSON.stringify(k)}`);
        const sub = new FieldSet();
        into.children.set(k, sub);
        walk(child, sub);
        if (sub.children.size === 0) sub.member = true;
      }
    };
    walk(v, s);
    return s;
  }

  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    for (const k of [...this.children.keys()].sort(compareElements)) {
      const child = this.children.get(k)!;
      if (!child.isEmpty()) out[k] = child.toFieldsV1();
    }
    return out;
  }

  insert(path: FieldPath): void {
    let node: FieldSet = this;
    for (const pe of path) {
      let next = node.children.get(pe);
      if (!next) { next = new FieldSet(); node.children.set(pe, next); }
      node = next;
    }
    node.member = true;
  }

  private node(path: FieldPath): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const pe of path) node = node?.children.get(pe);
    return node;
  }

  has(path: FieldPath): boolean { return this.node(path)?.member === true; }

  /** Whether the set has a member at `path` or below it. */
  hasAtOrBelow(path: FieldPath): boolean {
    const n = this.node(path);
    return !!n && !n.isEmpty();
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Every member path, parents before children, siblings in FieldsV1 order. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (n: FieldSet, prefix: string[]) => {
      if (n.member && prefix.length > 0) out.push([...prefix]);
      for (const k of [...n.children.keys()].sort(compareElements)) walk(n.children.get(k)!, [...prefix, k]);
    };
    walk(this, []);
    return out;
  }

  union(o: FieldSet): FieldSet { return FieldSet.of([...this.paths(), ...o.paths()]); }
  difference(o: FieldSet): FieldSet { return FieldSet.of(this.paths().filter((p) => !o.has(p))); }
  intersection(o: FieldSet): FieldSet { return FieldSet.of(this.paths().filter((p) => o.has(p))); }
  /** Members not equal to or under any member of `prefixes`. */
  without(prefixes: FieldSet): FieldSet {
    return FieldSet.of(this.paths().filter((p) => !p.some((_, i) => prefixes.has(p.slice(0, i + 1)))));
  }
  equals(o: FieldSet): boolean {
    const a = this.paths(), b = o.paths();
    return a.length === b.length && a.every((p, i) => p.join('\u0000') === b[i].join('\u0000'));
  }
}
