// Server-side apply (application/apply-patch+yaml): merge the applied configuration into the live object, remove
// fields the applier dropped from its configuration, detect conflicts with other managers, record ownership.
import { badRequest, StatusError, type StatusCause } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { isObject, type JsonObject } from './json-value.ts';
import { FieldSet, pathString, type FieldPath } from './field-set.ts';
import { appliedFieldSet, compareObjects, isSame, itemElement, schemaOf, shapeOf, trackedView } from './field-walk.ts';
import { beforeFirstApply, decodeManagedFields, describeManager, managerIdentity, takeFromOthers, writeManagedFields, type Manager } from './managed-fields.ts';
import { childPath, elementPath, fieldMeta, type KindSchema } from './patch-schema.ts';

export interface ApplyOptions { force: boolean; now: string; /** The kind's list/map types (custom resources: from the CRD schema). */ schema?: KindSchema }

/**
 * Applies `applied` for `manager` onto `live` (undefined = create). The manager then owns exactly the fields of its
 * configuration. Throws a 409 Conflict (causes: FieldManagerConflict) when, without `force`, a field owned by another
 * manager would change value; with `force`, the applier takes those fields.
 */
export function serverSideApply(live: KObject | undefined, applied: KObject, manager: string, opts: ApplyOptions): { object: KObject } {
  if (!isObject(applied)) throw badRequest('the applied configuration must be an object');
  if (applied.metadata !== undefined && !isObject(applied.metadata)) throw badRequest('metadata must be an object');
  const mf = applied.metadata?.managedFields;
  if (mf !== undefined && mf !== null && !(Array.isArray(mf) && mf.length === 0)) throw badRequest('metadata.managedFields must be nil');
  const s = opts.schema ?? schemaOf({ apiVersion: applied.apiVersion ?? live?.apiVersion, kind: applied.kind ?? live?.kind });

  const managers = live ? decodeManagedFields(live.metadata?.managedFields, false) : [];
  if (live && managers.length === 0) {
    const bfa = beforeFirstApply(live, s);
    if (bfa) managers.push(bfa);
  }
  const id = managerIdentity({ manager, operation: 'Apply' });
  let self = managers.find((m) => managerIdentity(m) === id);
  const lastSet = self?.fields ?? new FieldSet();
  const newSet = appliedFieldSet(trackedView(applied), s);
  if (!self) { self = { manager, operation: 'Apply', fields: newSet }; managers.push(self); }
  self.fields = newSet;
  const av = applied.apiVersion ?? live?.apiVersion;
  if (typeof av === 'string') self.apiVersion = av;

  const merged = mergeValue(live ? structuredClone(live) : undefined, applied, '', s) as KObject;
  if (!isObject(merged.metadata)) merged.metadata = {};
  prune(merged, lastSet.difference(newSet), managers, s);

  const c = compareObjects(trackedView(live), trackedView(merged), s);
  const changed = c.added.union(c.modified);
  const conflicts: Array<{ by: Manager; path: FieldPath }> = [];
  for (const m of managers) {
    if (m === self) continue;
    for (const path of m.fields.intersection(changed).paths()) conflicts.push({ by: m, path });
  }
  if (conflicts.length > 0 && !opts.force) throw conflictError(conflicts);
  takeFromOthers(managers, self, c);
  if (!live || !isSame(c) || !lastSet.equals(newSet) || !self.time) self.time = opts.now;
  return { object: writeManagedFields(merged, managers) };
}

/** The 409 Kubernetes returns for apply conflicts. */
function conflictError(conflicts: Array<{ by: Manager; path: FieldPath }>): StatusError {
  conflicts.sort((a, b) => (a.by.manager < b.by.manager ? -1 : a.by.manager > b.by.manager ? 1 : 0));
  const causes: StatusCause[] = conflicts.map((x) =>
    ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(x.by)}`, field: pathString(x.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0].by)}: ${pathString(conflicts[0].path)}`;
  } else {
    const lines: string[] = [];
    let last = '';
    for (const x of conflicts) {
      const who = describeManager(x.by);
      if (who !== last) { lines.push(`conflicts with ${who}:`); last = who; }
      lines.push(`- ${pathString(x.path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

/** Structured merge of an applied value into a live one: structs per key, associative lists per key, sets per value. */
function mergeValue(l: unknown, a: unknown, spath: string, s: KindSchema): unknown {
  const shape = shapeOf(a, spath, s);
  if (shape === 'leaf') return structuredClone(a);
  if (shape === 'struct') {
    const out: JsonObject = isObject(l) ? l : {};
    for (const [k, v] of Object.entries(a as JsonObject)) {
      if (v === null) delete out[k];
      else out[k] = mergeValue(out[k], v, childPath(spath, k), s);
    }
    return out;
  }
  const elem = elementPath(spath);
  const idOf = (item: unknown) => itemElement(item, spath, s, shape);
  const liveItems = Array.isArray(l) && shapeOf(l, spath, s) === shape ? l : [];
  const appliedIds = new Set<string>();
  for (const item of a as unknown[]) {
    const k = idOf(item);
    if (appliedIds.has(k)) throw badRequest(`${spath}: duplicate entries for key ${pathString([k])}`);
    appliedIds.add(k);
  }
  const liveById = new Map(liveItems.map((item) => [idOf(item), item]));
  const mergeItem = (l: unknown, item: unknown) => (shape === 'set' ? item : mergeValue(l, item, elem, s));
  // Two-pointer merge as structured-merge-diff does it: live-only items keep their place, shared items follow
  // the applied order, applied-only items come where the configuration puts them.
  const applied = a as unknown[];
  const shared = applied.map(idOf).filter((k) => liveById.has(k));
  let nextShared = 0;
  const advance = (k: string) => { if (shared[nextShared] === k) nextShared++; };
  const merged = new Set<string>();
  const out: unknown[] = [];
  let li = 0, ri = 0;
  while (li < liveItems.length || ri < applied.length) {
    const lk = li < liveItems.length ? idOf(liveItems[li]) : undefined;
    if (lk !== undefined && ri < applied.length) {
      if (lk === idOf(applied[ri])) {
        out.push(mergeItem(liveItems[li], applied[ri]));
        merged.add(lk); advance(lk); li++; ri++;
        continue;
      }
      if (appliedIds.has(lk) && nextShared < shared.length && shared[nextShared] !== lk) { li++; continue; }
    }
    if (lk !== undefined && (!appliedIds.has(lk) || merged.has(lk) || ri >= applied.length)) {
      if (!appliedIds.has(lk)) out.push(liveItems[li]);
      li++;
      continue;
    }
    const rk = idOf(applied[ri]);
    merged.add(rk);
    out.push(mergeItem(liveById.get(rk), applied[ri]));
    advance(rk);
    ri++;
  }
  return out;
}

/**
 * Removes from `obj` the fields the applier owned before but no longer applies, unless another manager (or the new
 * configuration) owns them or something below them. Containers left empty by a removal go too.
 */
function prune(obj: KObject, dropped: FieldSet, managers: Manager[], s: KindSchema): void {
  const kept = managers.reduce((acc, m) => acc.union(m.fields), new FieldSet());
  const index: ListIndex = new Map();
  const gone: Removed = new Map();
  for (const path of dropped.paths()) {
    if (!kept.hasAtOrBelow(path)) removePath(obj, path, kept, s, index, gone);
  }
  // List items are dropped in one pass per list at the end (one splice each would be quadratic).
  for (const [list, items] of gone) {
    const left = list.filter((item) => !items.has(item));
    list.length = 0;
    list.push(...left);
  }
}

interface Step { path: FieldPath; value: unknown; remove: () => void }
/** Items of each list by path element, built once per list: finding an item is then O(1), not a scan. */
type ListIndex = Map<unknown[], Map<string, unknown>>;
/** Items removed from each list, not yet taken out of it. */
type Removed = Map<unknown[], Set<unknown>>;

const isEmptyContainer = (v: unknown, gone: Removed) =>
  (Array.isArray(v) ? v.length === (gone.get(v)?.size ?? 0) : isObject(v) && Object.keys(v).length === 0);

function removePath(obj: KObject, path: FieldPath, kept: FieldSet, s: KindSchema, index: ListIndex, gone: Removed): void {
  const steps: Step[] = [];
  let node: unknown = obj;
  let spath = '';
  let keyFields: readonly string[] = [];
  for (let i = 0; i < path.length; i++) {
    const pe = path[i];
    const here = path.slice(0, i + 1);
    if (pe.startsWith('f:') && isObject(node)) {
      const name = pe.slice(2);
      if (!(name in node)) return;
      if (i === path.length - 1 && keyFields.includes(name)) return; // never strip the key of a kept list item
      const container = node;
      node = container[name];
      steps.push({ path: here, value: node, remove: () => { delete container[name]; } });
      spath = childPath(spath, name);
      keyFields = [];
    } else if ((pe.startsWith('k:') || pe.startsWith('v:')) && Array.isArray(node)) {
      const shape = pe.startsWith('k:') ? 'assoc' : 'set';
      if (shapeOf(node, spath, s) !== shape) return;
      const list: unknown[] = node;
      let items = index.get(list);
      if (!items) {
        items = new Map();
        for (const item of list) { const e = itemElement(item, spath, s, shape); if (!items.has(e)) items.set(e, item); }
        index.set(list, items);
      }
      if (!items.has(pe)) return;
      keyFields = fieldMeta(s, spath)?.list?.listMapKeys ?? [];
      const item = items.get(pe);
      const byElement = items;
      node = item;
      steps.push({ path: here, value: item, remove: () => {
        let removed = gone.get(list);
        if (!removed) { removed = new Set(); gone.set(list, removed); }
        removed.add(item);
        byElement.delete(pe);
      } });
      spath = elementPath(spath);
    } else {
      return;
    }
  }
  steps[steps.length - 1].remove();
  for (let i = steps.length - 2; i >= 0; i--) {
    const st = steps[i];
    if (!isEmptyContainer(st.value, gone) || kept.has(st.path) || (st.path.length === 1 && st.path[0] === 'f:metadata')) break;
    st.remove();
  }
}
