// metadata.managedFields: decoding/encoding the FieldsV1 entries, and the ownership bookkeeping of ordinary
// writes (operation Update): the writer takes the fields it changed, other managers lose them.
import { badRequest } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { isObject, jsonEqual } from './json-value.ts';
import { FieldSet } from './field-set.ts';
import { compareObjects, isSame, schemaOf, trackedView, type Comparison } from './field-walk.ts';
import type { KindSchema } from './patch-schema.ts';

export type Operation = 'Apply' | 'Update';

/** One decoded managedFields entry. */
export interface Manager {
  manager: string;
  operation: Operation;
  apiVersion?: string;
  time?: string;
  subresource?: string;
  fields: FieldSet;
}

/** Entries are one per (manager, operation, subresource) and, for Update, per apiVersion, as in Kubernetes. */
export const managerIdentity = (m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string =>
  JSON.stringify([m.manager, m.operation, m.operation === 'Update' ? m.apiVersion ?? '' : '', m.subresource ?? '']);

/** How conflict messages name a manager: `"kubectl"`, `"kubectl-client-side-apply" using rbac.authorization.k8s.io/v1`. */
export function describeManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion ?? ''}`;
  return s;
}

/**
 * Decodes metadata.managedFields. `strict` (client-supplied entries) throws a 400 on a malformed entry;
 * otherwise (stored objects) malformed entries are skipped. Duplicate identities are merged.
 */
export function decodeManagedFields(entries: unknown, strict: boolean): Manager[] {
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) {
    if (strict) throw badRequest('metadata.managedFields must be a list');
    return [];
  }
  const byId = new Map<string, Manager>();
  for (const e of entries) {
    try {
      if (!isObject(e)) throw badRequest('metadata.managedFields: entries must be objects');
      if (e.operation !== 'Apply' && e.operation !== 'Update') throw badRequest(`metadata.managedFields: invalid operation ${JSON.stringify(e.operation ?? '')}`);
      if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') throw badRequest(`metadata.managedFields: invalid fieldsType ${JSON.stringify(e.fieldsType)}`);
      const m: Manager = {
        manager: typeof e.manager === 'string' ? e.manager : '',
        operation: e.operation,
        fields: FieldSet.fromFieldsV1(e.fieldsV1 ?? {}),
      };
      if (typeof e.apiVersion === 'string') m.apiVersion = e.apiVersion;
      if (typeof e.time === 'string') m.time = e.time;
      if (typeof e.subresource === 'string' && e.subresource) m.subresource = e.subresource;
      const id = managerIdentity(m);
      const prev = byId.get(id);
      if (prev) prev.fields = prev.fields.union(m.fields);
      else byId.set(id, m);
    } catch (err) {
      if (strict) throw err;
    }
  }
  return [...byId.values()];
}

const seconds = (t: string | undefined) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Encodes managers as metadata.managedFields, in Kubernetes' order; managers owning nothing are left out. */
export function encodeManagedFields(managers: Manager[]): Array<Record<string, unknown>> {
  return managers
    .filter((m) => !m.fields.isEmpty())
    .sort((p, q) => cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) || cmp(p.manager, q.manager)
      || cmp(p.apiVersion ?? '', q.apiVersion ?? '') || cmp(p.subresource ?? '', q.subresource ?? ''))
    .map((m) => {
      const e: Record<string, unknown> = { manager: m.manager, operation: m.operation };
      if (m.apiVersion) e.apiVersion = m.apiVersion;
      if (m.time) e.time = m.time;
      e.fieldsType = 'FieldsV1';
      e.fieldsV1 = m.fields.toFieldsV1();
      if (m.subresource) e.subresource = m.subresource;
      return e;
    });
}

/** Sets metadata.managedFields of `obj` (in place), removing it when no manager owns anything. */
export function writeManagedFields(obj: KObject, managers: Manager[]): KObject {
  const entries = encodeManagedFields(managers);
  if (entries.length > 0) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
  return obj;
}

/**
 * The managers a write starts from: those of the new object when the client changed managedFields
 * (`[{}]` resets them to none), else those of the old object.
 */
export function baseManagers(old: KObject | undefined, updated: KObject): Manager[] {
  const given = updated.metadata?.managedFields as unknown;
  const prior = old?.metadata?.managedFields as unknown;
  if (Array.isArray(given) && given.length === 1 && isObject(given[0]) && Object.keys(given[0]).length === 0) return [];
  if (Array.isArray(given) && given.length > 0 && !jsonEqual(given, prior)) return decodeManagedFields(given, true);
  return decodeManagedFields(prior, false);
}

/** Other managers lose what changed (forced) and what was removed. */
export function takeFromOthers(managers: Manager[], self: Manager, c: Comparison): void {
  const lost = c.added.union(c.modified).union(c.removed);
  for (const m of managers) if (m !== self) m.fields = m.fields.difference(lost);
}

/**
 * Records an ordinary create/update/patch by `manager`: it takes ownership of the fields it added or changed,
 * other managers lose them, removed fields are owned by nobody. Returns a copy of `updated` with managedFields set.
 */
export function recordUpdate(old: KObject | undefined, updated: KObject, manager: string, operation: 'Update',
  apiVersion: string, now: string, subresource?: string, schema?: KindSchema): KObject {
  const out = structuredClone(updated);
  const managers = baseManagers(old, updated);
  const c = compareObjects(trackedView(old), trackedView(updated), schema ?? schemaOf(updated));
  if (isSame(c)) return writeManagedFields(out, managers);
  const id = managerIdentity({ manager, operation, apiVersion, subresource });
  let self = managers.find((m) => managerIdentity(m) === id);
  if (!self) {
    self = { manager, operation, apiVersion, fields: new FieldSet() };
    if (subresource) self.subresource = subresource;
    managers.push(self);
  }
  takeFromOthers(managers, self, c);
  self.fields = self.fields.union(c.added).union(c.modified).difference(c.removed);
  self.time = now;
  return writeManagedFields(out, managers);
}

/** A stored object without managedFields gets them on its first apply: everything belongs to "before-first-apply". */
export function beforeFirstApply(live: KObject, schema?: KindSchema): Manager | undefined {
  const c = compareObjects({}, trackedView(live), schema ?? schemaOf(live));
  const fields = c.added.union(c.modified);
  if (fields.isEmpty()) return undefined;
  return { manager: 'before-first-apply', operation: 'Update', apiVersion: live.apiVersion, fields };
}
