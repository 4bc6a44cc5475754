// Tests for managedFields bookkeeping of ordinary writes (operation Update) and the FieldsV1 entry format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { decodeManagedFields, encodeManagedFields, recordUpdate } from './managed-fields.ts';

const T1 = '2025-01-01T00:00:00Z';
const T2 = '2025-01-02T00:00:00Z';
const cm = (labels: Record<string, string> | undefined, data: Record<string, string>): KObject => ({
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'ns', uid: 'u', resourceVersion: '1', creationTimestamp: T1, ...(labels ? { labels } : {}) },
  data,
});
const entry = (o: KObject, manager: string) => o.metadata.managedFields?.find((e) => e.manager === manager);

test('create: the creator owns every field it set, maps it created included ("."), system metadata excluded', () => {
  const out = recordUpdate(undefined, cm({ app: 'x' }, { key: 'v' }), 'kubectl-create', 'Update', 'v1', T1);
  assert.deepEqual(out.metadata.managedFields, [{
    manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: T1, fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': { '.': {}, 'f:key': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
  }]);
});

test('a Deployment create does not claim always-present structs but does claim new lists and items', () => {
  const dep: KObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'E', value: '1' }] }] } } } };
  const out = recordUpdate(undefined, dep, 'kubectl-create', 'Update', 'apps/v1', T1);
  assert.deepEqual(entry(out, 'kubectl-create')?.fieldsV1, { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': {
    'k:{"name":"c"}': { '.': {}, 'f:env': { '.': {}, 'k:{"name":"E"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:image': {}, 'f:name': {} },
  } } } } });
});

test('update: the writer takes the fields it changed, others lose them, removed fields leave every set', () => {
  const created = recordUpdate(undefined, cm({ a: '1', b: '1' }, { k: 'v' }), 'creator', 'Update', 'v1', T1);
  const labelled = recordUpdate(created, { ...created, metadata: { ...created.metadata, labels: { a: '2', c: '3' } } }, 'kubectl-label', 'Update', 'v1', T2);
  assert.deepEqual(entry(labelled, 'kubectl-label')?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:a': {}, 'f:c': {} } } });
  assert.deepEqual(entry(labelled, 'creator')?.fieldsV1, { 'f:data': { '.': {}, 'f:k': {} }, 'f:metadata': { 'f:labels': {} } });
  assert.deepEqual(labelled.metadata.managedFields?.map((e) => e.manager), ['creator', 'kubectl-label'], 'sorted by time');
  assert.equal(entry(labelled, 'creator')?.time, T1);
});

test('a write that changes nothing tracked adds no entry', () => {
  const created = recordUpdate(undefined, cm(undefined, { k: 'v' }), 'creator', 'Update', 'v1', T1);
  const same = recordUpdate(created, { ...created, metadata: { ...created.metadata, resourceVersion: '2' } }, 'other', 'Update', 'v1', T2);
  assert.deepEqual(same.metadata.managedFields, created.metadata.managedFields);
});

test('a manager losing every field disappears; [{}] resets managedFields', () => {
  const created = recordUpdate(undefined, cm(undefined, { k: 'v' }), 'creator', 'Update', 'v1', T1);
  const taken = recordUpdate(created, { ...created, data: { k: 'w' } }, 'editor', 'Update', 'v1', T2);
  assert.deepEqual(taken.metadata.managedFields?.map((e) => e.manager), ['creator', 'editor']);
  const { data: _dropped, ...withoutData } = taken;
  const gone = recordUpdate(taken, withoutData as KObject, 'editor', 'Update', 'v1', T2);
  assert.equal(gone.metadata.managedFields, undefined, 'nobody owns anything any more');
  const reset = recordUpdate(created, { ...created, metadata: { ...created.metadata, managedFields: [{}] } }, 'x', 'Update', 'v1', T2);
  assert.equal(reset.metadata.managedFields, undefined);
});

test('client-supplied malformed managedFields are a 400; stored malformed entries are skipped', () => {
  const created = recordUpdate(undefined, cm(undefined, { k: 'v' }), 'creator', 'Update', 'v1', T1);
  assert.throws(() => recordUpdate(created, { ...created, metadata: { ...created.metadata, managedFields: [{ manager: 'm', operation: 'Frob' }] } }, 'x', 'Update', 'v1', T2),
    (e: unknown) => e instanceof StatusError && e.code === 400);
  assert.deepEqual(decodeManagedFields([{ manager: 'm', operation: 'Frob' }, 7], false), []);
});

test('entries sort Apply before Update, then by time and manager, and round-trip', () => {
  const raw = [
    { manager: 'z', operation: 'Update', apiVersion: 'v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } },
    { manager: 'b', operation: 'Apply', apiVersion: 'v1', time: T2, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:b': {} } } },
    { manager: 'a', operation: 'Apply', apiVersion: 'v1', time: T2, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:c': {} } } },
  ];
  const out = encodeManagedFields(decodeManagedFields(raw, true));
  assert.deepEqual(out.map((e) => e.manager), ['a', 'b', 'z']);
  assert.deepEqual(out[2], raw[0]);
});
