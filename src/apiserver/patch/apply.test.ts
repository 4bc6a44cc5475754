// Tests for server-side apply: ownership, pruning, conflicts, force, shared ownership, managedFields format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { serverSideApply } from './apply.ts';
import { recordUpdate } from './managed-fields.ts';
import { customPatchSchema } from './patch-schema.ts';

const T1 = '2025-01-01T00:00:00Z';
const T2 = '2025-01-02T00:00:00Z';
const RBAC = 'rbac.authorization.k8s.io/v1';
const role = (labels: Record<string, string>, verbs = ['get']): KObject => ({
  apiVersion: RBAC, kind: 'Role', metadata: { name: 'r', namespace: 'ns', labels },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});
const apply = (live: KObject | undefined, cfg: KObject, manager: string, force = false, now = T2) =>
  serverSideApply(live, cfg, manager, { force, now }).object;
function conflict(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e; throw e; }
  assert.fail('expected a conflict');
}
const fieldsOf = (o: KObject, manager: string) =>
  o.metadata.managedFields?.find((e) => e.manager === manager)?.fieldsV1;

test('create if absent: the applier owns exactly its fields, in FieldsV1 format', () => {
  const out = apply(undefined, role({ a: '1' }), 'kubectl', false, T1);
  assert.deepEqual(out.metadata.labels, { a: '1' });
  assert.deepEqual(out.rules, role({}).rules);
  assert.deepEqual(out.metadata.managedFields, [{
    manager: 'kubectl', operation: 'Apply', apiVersion: RBAC, time: T1, fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': { 'f:a': {} } }, 'f:rules': {} },
  }]);
});

test('re-applying without a field removes it; a no-op apply keeps the time', () => {
  const first = apply(undefined, role({ a: '1', b: '2' }), 'kubectl', false, T1);
  assert.deepEqual(apply(first, role({ a: '1', b: '2' }), 'kubectl').metadata.managedFields?.[0].time, T1);
  const second = apply(first, role({ b: '2' }), 'kubectl');
  assert.deepEqual(second.metadata.labels, { b: '2' });
  assert.deepEqual(fieldsOf(second, 'kubectl'), { 'f:metadata': { 'f:labels': { 'f:b': {} } }, 'f:rules': {} });
  assert.equal(second.metadata.managedFields?.[0].time, T2);
  const third = apply(second, { apiVersion: RBAC, kind: 'Role', metadata: { name: 'r', namespace: 'ns' }, rules: role({}).rules }, 'kubectl');
  assert.equal(third.metadata.labels, undefined, 'emptied labels map is dropped');
});

test('conflict with a client-side-apply Update manager: 409 with Kubernetes message and causes', () => {
  const created = recordUpdate(undefined, role({ a: '1' }), 'kubectl-client-side-apply', 'Update', RBAC, T1);
  const err = conflict(() => apply(created, role({ a: '1' }, ['get', 'list']), 'kubectl'));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using rbac.authorization.k8s.io/v1: .rules');
  assert.deepEqual(err.status.details, { causes: [{ reason: 'FieldManagerConflict',
    message: 'conflict with "kubectl-client-side-apply" using rbac.authorization.k8s.io/v1', field: '.rules' }] });
});

test('several conflicts between appliers are listed per manager', () => {
  const a = apply(undefined, role({ x: '1', y: '1' }), 'alice', false, T1);
  const err = conflict(() => apply(a, role({ x: '2', y: '2' }), 'bob'));
  assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "alice":\n- .metadata.labels.x\n- .metadata.labels.y');
  assert.deepEqual(err.status.details?.causes?.map((c) => c.field), ['.metadata.labels.x', '.metadata.labels.y']);
  assert.equal(err.status.details?.causes?.[0].message, 'conflict with "alice"');
});

test('force takes ownership from the other manager', () => {
  const a = apply(undefined, role({ x: '1', y: '1' }), 'alice', false, T1);
  const out = apply(a, role({ x: '2' }), 'bob', true);
  assert.deepEqual(out.metadata.labels, { x: '2', y: '1' });
  assert.deepEqual(fieldsOf(out, 'alice'), { 'f:metadata': { 'f:labels': { 'f:y': {} } }, 'f:rules': {} }, 'alice lost x; rules are shared');
  assert.deepEqual(fieldsOf(out, 'bob'), { 'f:metadata': { 'f:labels': { 'f:x': {} } }, 'f:rules': {} });
  // alice dropping x from her config no longer removes it: she does not own it.
  const again = apply(out, { apiVersion: RBAC, kind: 'Role', metadata: { name: 'r', namespace: 'ns', labels: { y: '1' } } }, 'alice');
  assert.equal(again.metadata.labels?.x, '2');
});

test('shared ownership: the same value applied by two managers stays until both drop it', () => {
  const a = apply(undefined, role({ s: 'same' }), 'alice', false, T1);
  const both = apply(a, role({ s: 'same' }), 'bob');
  assert.ok(fieldsOf(both, 'alice') && fieldsOf(both, 'bob'));
  const noLabels = { apiVersion: RBAC, kind: 'Role', metadata: { name: 'r', namespace: 'ns' }, rules: role({}).rules };
  const aliceDropped = apply(both, noLabels, 'alice');
  assert.deepEqual(aliceDropped.metadata.labels, { s: 'same' });
  const bobDropped = apply(aliceDropped, noLabels, 'bob');
  assert.equal(bobDropped.metadata.labels, undefined);
});

test('associative lists are owned per element; conflicts name the element', () => {
  const dep = (containers: unknown[]): KObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { template: { spec: { containers } } } });
  const a = apply(undefined, dep([{ name: 'c1', image: 'one:1' }]), 'alice', false, T1);
  assert.deepEqual(fieldsOf(a, 'alice'), { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': {
    'k:{"name":"c1"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } });
  const b = apply(a, dep([{ name: 'c2', image: 'two:1', env: [{ name: 'E', value: 'v' }] }]), 'bob');
  const names = (o: KObject) => ((o.spec as { template: { spec: { containers: Array<{ name: string }> } } }).template.spec.containers).map((c) => c.name);
  assert.deepEqual(names(b), ['c1', 'c2']);
  const err = conflict(() => apply(b, dep([{ name: 'c1', image: 'one:2' }]), 'bob'));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.template.spec.containers[name="c1"].image');
  // bob drops c2: it goes, c1 (alice's) stays.
  const c = apply(b, dep([]), 'bob');
  assert.deepEqual(names(c), ['c1']);
});

test('finalizers are a set: owned per value', () => {
  const cm = (finalizers: string[]): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers } });
  const a = apply(undefined, cm(['x/a']), 'alice', false, T1);
  const b = apply(a, cm(['x/b']), 'bob');
  assert.deepEqual(b.metadata.finalizers, ['x/a', 'x/b']);
  assert.deepEqual(fieldsOf(b, 'bob'), { 'f:metadata': { 'f:finalizers': { 'v:"x/b"': {} } } });
});

test('an object without managedFields belongs to before-first-apply', () => {
  const live: KObject = { ...role({ a: '1' }), metadata: { ...role({ a: '1' }).metadata, uid: 'u', resourceVersion: '5' } };
  const err = conflict(() => apply(live, role({ a: '2' }), 'kubectl'));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using rbac.authorization.k8s.io/v1: .metadata.labels.a');
  const same = apply(live, role({ a: '1' }), 'kubectl');
  assert.deepEqual(same.metadata.managedFields?.map((e) => [e.manager, e.operation]), [['kubectl', 'Apply'], ['before-first-apply', 'Update']]);
  assert.equal(same.metadata.uid, 'u');
});

test('applied managedFields are refused', () => {
  const cfg = role({});
  cfg.metadata.managedFields = [{ manager: 'x' }];
  assert.equal(conflict(() => apply(undefined, cfg, 'kubectl')).code, 400);
});

test('custom resources: objects are per field, lists atomic', () => {
  const cr = (list: number[], size: string): KObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { list, size } });
  const a = apply(undefined, cr([1, 2], 's'), 'alice', false, T1);
  assert.deepEqual(fieldsOf(a, 'alice'), { 'f:spec': { 'f:list': {}, 'f:size': {} } });
  const err = conflict(() => apply(a, cr([1, 2, 3], 's'), 'bob'));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.list');
  assert.deepEqual(apply(a, cr([3], 's'), 'bob', true).spec, { list: [3], size: 's' });
});

test('custom resources: x-kubernetes-list-type map and set from the CRD schema merge per item', () => {
  const schema = customPatchSchema({ type: 'object', properties: { spec: { type: 'object', properties: {
    ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object' } },
    tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
  } } } });
  const cr = (ports: Array<{ name: string; port: number }>, tags: string[]): KObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { ports, tags } });
  const a = serverSideApply(undefined, cr([{ name: 'http', port: 80 }], ['a']), 'alice', { force: false, now: T1, schema }).object;
  const b = serverSideApply(a, cr([{ name: 'https', port: 443 }], ['b']), 'bob', { force: false, now: T2, schema }).object;
  assert.deepEqual(b.spec, { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }], tags: ['a', 'b'] });
});
