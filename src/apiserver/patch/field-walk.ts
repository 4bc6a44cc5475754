// Walks objects the way structured-merge-diff does for managedFields: the field set an applied configuration
// specifies, and the added/modified/removed field paths between two versions of an object.
import { isObject, jsonEqual, type JsonObject } from './json-value.ts';
import { FieldSet, fieldElement, keyElement, valueElement, type FieldPath } from './field-set.ts';
import { alwaysPresent, childPath, elementPath, fieldMeta, patchSchema, type KindSchema } from './patch-schema.ts';

/** How a node is tracked: one field (leaf), per key (struct/map), per keyed item (assoc), per value (set). */
export type Shape = 'leaf' | 'struct' | 'assoc' | 'set';

export function shapeOf(v: unknown, spath: string, s: KindSchema): Shape {
  const meta = fieldMeta(s, spath);
  if (isObject(v)) return meta?.atomic ? 'leaf' : 'struct';
  if (!Array.isArray(v)) return 'leaf';
  if (meta?.list?.listType === 'map' && meta.list.listMapKeys && v.every(isObject)) return 'assoc';
  if (meta?.list?.listType === 'set' && !v.some((x) => isObject(x) || Array.isArray(x))) return 'set';
  return 'leaf';
}

/** The path element identifying an item of the list at `spath` (its shape must be assoc or set). */
export function itemElement(item: unknown, spath: string, s: KindSchema, shape: 'assoc' | 'set'): string {
  return shape === 'set' ? valueElement(item) : keyElement(item as JsonObject, fieldMeta(s, spath)!.list!.listMapKeys!);
}

/** The patch schema of an object, from its apiVersion and kind. */
export function schemaOf(obj: { apiVersion?: unknown; kind?: unknown }): KindSchema {
  const av = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const group = av.includes('/') ? av.slice(0, av.indexOf('/')) : '';
  return patchSchema(group, typeof obj.kind === 'string' ? obj.kind : '');
}

/** Metadata fields that are never managed. */
const UNMANAGED_META = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'managedFields', 'selfLink', 'clusterName'];

/** The part of an object whose fields are tracked: no apiVersion/kind, no status, no system metadata. */
export function trackedView(obj: JsonObject | undefined): JsonObject {
  if (!obj) return {};
  const { apiVersion: _a, kind: _k, status: _s, metadata, ...rest } = obj;
  if (!isObject(metadata)) return rest;
  const meta = { ...metadata };
  for (const k of UNMANAGED_META) delete meta[k];
  return { ...rest, metadata: meta };
}

/** The fields an applied configuration specifies (structured-merge-diff's ToFieldSet). */
export function appliedFieldSet(config: JsonObject, s: KindSchema): FieldSet {
  const set = new FieldSet();
  const visit = (v: unknown, path: FieldPath, spath: string) => {
    const shape = shapeOf(v, spath, s);
    if (shape === 'leaf') { set.insert(path); return; }
    if (shape === 'struct') {
      const entries = Object.entries(v as JsonObject);
      if (entries.length === 0 && path.length > 0 && spath !== 'metadata') set.insert(path);
      for (const [k, child] of entries) visit(child, [...path, fieldElement(k)], childPath(spath, k));
      return;
    }
    for (const item of v as unknown[]) {
      const ip = [...path, itemElement(item, spath, s, shape)];
      set.insert(ip);
      if (shape === 'assoc') visit(item, ip, elementPath(spath));
    }
  };
  visit(config, [], '');
  return set;
}

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }
export const isSame = (c: Comparison): boolean => c.added.isEmpty() && c.modified.isEmpty() && c.removed.isEmpty();

const isEmptyContainer = (v: unknown) =>
  v === undefined || (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

/** Field paths added, modified (leaves only) and removed from `lhs` to `rhs` (structured-merge-diff's Compare). */
export function compareObjects(lhs: JsonObject, rhs: JsonObject, s: KindSchema): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const leaf = (l: unknown, r: unknown, path: FieldPath) => {
    if (path.length === 1 && path[0] === 'f:metadata') return;
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!jsonEqual(l, r)) c.modified.insert(path);
  };
  const visit = (l: unknown, r: unknown, path: FieldPath, spath: string) => {
    const sl = l === undefined ? undefined : shapeOf(l, spath, s);
    const sr = r === undefined ? undefined : shapeOf(r, spath, s);
    const shape = sl && sr && sl !== sr ? 'leaf' : (sl ?? sr)!;
    if (shape === 'leaf' || (isEmptyContainer(l) && isEmptyContainer(r))) { leaf(l, r, path); return; }
    if (shape === 'struct') {
      const lo = (l ?? {}) as JsonObject, ro = (r ?? {}) as JsonObject;
      for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
        visit(lo[k], ro[k], [...path, fieldElement(k)], childPath(spath, k));
      }
    } else {
      const index = (list: unknown) => new Map(((list ?? []) as unknown[]).map((item) => [itemElement(item, spath, s, shape), item]));
      const li = index(l), ri = index(r);
      for (const pe of new Set([...li.keys(), ...ri.keys()])) {
        const ip = [...path, pe];
        if (shape === 'set') leaf(li.get(pe), ri.get(pe), ip);
        else visit(li.get(pe), ri.get(pe), ip, elementPath(spath));
      }
    }
    if (path.length === 0 || spath === 'metadata' || (s.builtin && alwaysPresent(spath))) return;
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
  };
  visit(lhs, rhs, [], '');
  return c;
}
