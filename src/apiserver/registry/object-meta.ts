// Server-side metadata on create and update: names from generateName, uid, timestamps, kind checks.
import { randomUUID, randomInt } from 'node:crypto';
import { badRequest, invalid } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import type { ResourceType } from './types.ts';
import { groupVersion } from './types.ts';

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export function nowTimestamp(now = new Date()): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

function generatedName(base: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_CHARS[randomInt(NAME_CHARS.length)];
  return `${base.slice(0, 58)}${suffix}`;
}

/** Checks apiVersion/kind of a body against the URL's type; fills them in when absent. */
export function checkTypeMeta(t: ResourceType, obj: KObject): void {
  const gv = groupVersion(t);
  if (obj.apiVersion && obj.apiVersion !== gv) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`);
  }
  if (obj.kind && obj.kind !== t.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${t.kind})`);
  }
  obj.apiVersion = gv;
  obj.kind = t.kind;
}

/** Sets namespace from the URL; a different namespace in the body is a 400. */
export function checkNamespace(t: ResourceType, obj: KObject, namespace: string): void {
  if (!t.namespaced) { delete obj.metadata.namespace; return; }
  if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = namespace;
}

export function validateName(t: ResourceType, name: string | undefined, group = t.group): void {
  if (!name) throw invalid(t.kind, group, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }]);
  const errs = (t.strategy.validateName ?? (() => []))(name);
  if (errs.length) throw invalid(t.kind, group, name, errs.map((m) => ({ field: 'metadata.name', message: `Invalid value: "${name}": ${m}` })));
}

/** Prepares a new object's metadata. */
export function initMetadata(t: ResourceType, obj: KObject, namespace: string, now: Date): void {
  if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {};
  checkTypeMeta(t, obj);
  checkNamespace(t, obj, namespace);
  const meta = obj.metadata;
  if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName);
  validateName(t, meta.name);
  if (meta.resourceVersion) {
    throw invalid(t.kind, t.group, meta.name!, [{ field: 'metadata.resourceVersion', message: 'Invalid value: must be empty on create (resourceVersion should not be set on objects to be created)' }]);
  }
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp(now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (meta.finalizers && meta.finalizers.length === 0) delete meta.finalizers;
}

/** Carries over immutable metadata from the stored object onto an update. */
export function carryMetadata(obj: KObject, old: KObject): void {
  const m = obj.metadata; const o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.generation = o.generation;
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp; else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  if (m.finalizers && m.finalizers.length === 0) delete m.finalizers;
  if (m.generateName === undefined && o.generateName) m.generateName = o.generateName;
}
