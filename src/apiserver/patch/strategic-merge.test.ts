// Tests for strategic merge patch on built-in kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { applyStrategicMergePatch, supportsStrategicMerge } from './strategic-merge.ts';

const POD = { group: '', kind: 'Pod' };
const DEPLOY = { group: 'apps', kind: 'Deployment' };
const ROLE = { group: 'rbac.authorization.k8s.io', kind: 'Role' };

const pod = (): KObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers: ['a', 'b'] },
  spec: {
    containers: [
      { name: 'c1', image: 'img:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
      { name: 'c2', image: 'other:1' },
    ],
    tolerations: [{ key: 't1', operator: 'Exists' }],
    volumes: [{ name: 'v', emptyDir: {} }],
  },
});
const containers = (o: KObject) => (o.spec as { containers: Array<Record<string, unknown>> }).containers;
const status = (fn: () => unknown): number => {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e.code; throw e; }
  return 0;
};

test('containers merge by name: changed fields update, others stay, new ones append', () => {
  const before = pod();
  const out = applyStrategicMergePatch(before, { spec: { containers: [{ name: 'c1', image: 'img:2' }, { name: 'c3', image: 'new' }] } }, POD);
  assert.deepEqual(containers(out).map((c) => [c.name, c.image]), [['c1', 'img:2'], ['c2', 'other:1'], ['c3', 'new']]);
  assert.deepEqual(containers(out)[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
  assert.deepEqual(before, pod(), 'input untouched');
});

test('env merges by name inside a Deployment pod template; null removes a field', () => {
  const dep: KObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, template: { spec: pod().spec } } };
  const out = applyStrategicMergePatch(dep, { spec: { replicas: null, template: { spec: { containers: [{ name: 'c1', env: [{ name: 'B', value: '3' }, { name: 'C', value: 'x' }] }] } } } }, DEPLOY);
  const c1 = containers((out.spec as { template: KObject }).template)[0];
  assert.deepEqual(c1.env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: 'x' }]);
  assert.equal(c1.image, 'img:1');
  assert.equal((out.spec as Record<string, unknown>).replicas, undefined);
});

test('lists without a merge key are replaced (tolerations, RBAC rules)', () => {
  const out = applyStrategicMergePatch(pod(), { spec: { tolerations: [{ key: 't2' }] } }, POD);
  assert.deepEqual((out.spec as Record<string, unknown>).tolerations, [{ key: 't2' }]);
});

test('finalizers: primitive merge list unions; $deleteFromPrimitiveList removes', () => {
  const out = applyStrategicMergePatch(pod(), { metadata: { finalizers: ['b', 'c'], '$deleteFromPrimitiveList/finalizers': ['a'] } }, POD);
  assert.deepEqual(out.metadata.finalizers, ['b', 'c']);
  assert.equal('$deleteFromPrimitiveList/finalizers' in out.metadata, false);
});

test('$patch directives: delete a list item, replace a list, replace and delete a map', () => {
  let out = applyStrategicMergePatch(pod(), { spec: { containers: [{ name: 'c2', $patch: 'delete' }] } }, POD);
  assert.deepEqual(containers(out).map((c) => c.name), ['c1']);
  out = applyStrategicMergePatch(pod(), { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } }, POD);
  assert.deepEqual(containers(out), [{ name: 'only', image: 'x' }]);
  out = applyStrategicMergePatch(pod(), { spec: { $patch: 'replace', containers: [{ name: 'z' }] } }, POD);
  assert.deepEqual(out.spec, { containers: [{ name: 'z' }] });
  out = applyStrategicMergePatch(pod(), { spec: { volumes: [{ name: 'v', emptyDir: { $patch: 'delete' }, hostPath: { path: '/x' } }] } }, POD);
  assert.deepEqual((out.spec as Record<string, unknown>).volumes, [{ name: 'v', hostPath: { path: '/x' } }]);
  assert.equal(status(() => applyStrategicMergePatch(pod(), { spec: { $patch: 'frob' } }, POD)), 400);
});

test('$setElementOrder orders the named items; server-only items keep their slots', () => {
  const live = pod();
  containers(live).push({ name: 'c3', image: 'three' });
  const out = applyStrategicMergePatch(live, {
    spec: { '$setElementOrder/containers': [{ name: 'c3' }, { name: 'c1' }], containers: [{ name: 'c3', image: 'three:2' }] },
  }, POD);
  assert.deepEqual(containers(out).map((c) => c.name), ['c3', 'c2', 'c1']);
  assert.equal(containers(out)[0].image, 'three:2');
  const fin = applyStrategicMergePatch(pod(), { metadata: { '$setElementOrder/finalizers': ['b', 'a'] } }, POD);
  assert.deepEqual(fin.metadata.finalizers, ['b', 'a']);
});

test('$retainKeys drops the keys of the map that are not listed', () => {
  const dep: KObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
  const out = applyStrategicMergePatch(dep, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, DEPLOY);
  assert.deepEqual((out.spec as Record<string, unknown>).strategy, { type: 'Recreate' });
});

test('kubectl client-side apply 3-way patch on a Role', () => {
  const role: KObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
    metadata: { name: 'r', namespace: 'ns', labels: { a: '1', keep: 'y' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":1}', other: 'o' } },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, { apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
  };
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":1}' }, labels: { a: null, b: '2' } },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
  };
  const out = applyStrategicMergePatch(role, patch, ROLE);
  assert.deepEqual(out.metadata.labels, { keep: 'y', b: '2' });
  assert.deepEqual(out.metadata.annotations, { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":1}', other: 'o' });
  assert.deepEqual(out.rules, patch.rules);
});

test('service ports merge by port; unmatched nulls are dropped', () => {
  const svc: KObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
  const out = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090, name: null }], extra: { gone: null, here: 1 } } }, { group: '', kind: 'Service' });
  assert.deepEqual(out.spec, { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }], extra: { here: 1 } });
});

test('an item without its merge key is a 400; unknown kinds are a 415', () => {
  assert.equal(status(() => applyStrategicMergePatch(pod(), { spec: { containers: [{ image: 'x' }] } }, POD)), 400);
  assert.equal(status(() => applyStrategicMergePatch(pod(), [], POD)), 400);
  assert.equal(status(() => applyStrategicMergePatch(pod(), {}, { group: 'example.com', kind: 'Widget' })), 415);
});

test('supportsStrategicMerge: built-in kinds yes, custom resources no', () => {
  for (const [g, k] of [['', 'Pod'], ['', 'ConfigMap'], ['apps', 'StatefulSet'], ['rbac.authorization.k8s.io', 'ClusterRoleBinding']]) {
    assert.equal(supportsStrategicMerge(g, k), true, `${g}/${k}`);
  }
  assert.equal(supportsStrategicMerge('example.com', 'Widget'), false);
  assert.equal(supportsStrategicMerge('', 'toString'), false);
});
