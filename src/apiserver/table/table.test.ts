// Tests of toTable: the columns and cells of the built-in printers, custom resources, and row objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTable } from './table.ts';
import type { KindDescriptor, TableObject } from './table-types.ts';
import type { KObject } from '../storage/interface.ts';

const now = new Date('2024-05-01T12:00:00Z');
const created = '2024-05-01T11:56:40Z'; // 3m20s before now
const meta = (name: string, extra: Record<string, unknown> = {}) =>
  ({ name, namespace: 'default', creationTimestamp: created, uid: `uid-${name}`, resourceVersion: '7', ...extra });
const d = (group: string, kind: string, resource: string, namespaced = true, version = 'v1'): KindDescriptor =>
  ({ group, version, kind, resource, namespaced });
const table = (desc: KindDescriptor, objs: unknown[], includeObject: 'Object' | 'Metadata' | 'None' = 'None'): TableObject =>
  toTable(desc, objs as KObject[], { includeObject, now });
const headers = (t: TableObject, all = false): string[] =>
  t.columnDefinitions.filter((c) => all || c.priority === 0).map((c) => c.name.toUpperCase());

test('pods: READY, STATUS, RESTARTS with last restart, wide IP and NODE', () => {
  const running = {
    metadata: meta('web'), spec: { nodeName: 'n1', containers: [{ name: 'a' }, { name: 'b' }] },
    status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }], conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 2, state: { running: {} },
          lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:55:00Z' } } },
        { name: 'b', ready: false, restartCount: 0, state: { waiting: { reason: 'CrashLoopBackOff' } } },
      ] },
  };
  const initPod = { metadata: meta('init'), spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] },
    status: { phase: 'Pending', initContainerStatuses: [
      { name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { running: {} } }] } };
  const done = { metadata: meta('job'), spec: { containers: [{ name: 'a' }] },
    status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } };
  const bare = { metadata: meta('new'), spec: { containers: [{ name: 'a' }] } };
  const t = table(d('', 'Pod', 'pods'), [running, initPod, done, bare]);
  assert.deepEqual(headers(t), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  assert.deepEqual(headers(t, true).slice(5), ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
  assert.deepEqual(t.rows[0].cells, ['web', '1/2', 'CrashLoopBackOff', '2 (5m ago)', '3m20s', '10.0.0.5', 'n1', '<none>', '<none>']);
  assert.deepEqual(t.rows[1].cells.slice(0, 4), ['init', '0/1', 'Init:1/2', '0']);
  assert.deepEqual(t.rows[2].cells.slice(0, 3), ['job', '0/1', 'Completed']);
  assert.deepEqual(t.rows[2].conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  assert.deepEqual(t.rows[3].cells, ['new', '0/1', '', '0', '3m20s', '<none>', '<none>', '<none>', '<none>']);
  const deleting = table(d('', 'Pod', 'pods'), [{ ...running, metadata: meta('web', { deletionTimestamp: created }) }]);
  assert.equal(deleting.rows[0].cells[2], 'Terminating');
});

test('deployments, statefulsets, daemonsets, replicasets', () => {
  const template = { spec: { containers: [{ name: 'nginx', image: 'nginx:1' }, { name: 'side', image: 'busybox' }] } };
  const dep = { metadata: meta('web'), spec: { replicas: 3, selector: { matchLabels: { app: 'web', tier: 'fe' },
    matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] }, template },
  status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
  const t = table(d('apps', 'Deployment', 'deployments'), [dep]);
  assert.deepEqual(headers(t), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
  assert.deepEqual(headers(t, true).slice(5), ['CONTAINERS', 'IMAGES', 'SELECTOR']);
  assert.deepEqual(t.rows[0].cells, ['web', '2/3', 3, 2, '3m20s', 'nginx,side', 'nginx:1,busybox', 'app=web,env in (dev,prod),tier=fe']);
  const sts = table(d('apps', 'StatefulSet', 'statefulsets'), [{ metadata: meta('db'), spec: { template }, status: {} }]);
  assert.deepEqual(headers(sts), ['NAME', 'READY', 'AGE']);
  assert.deepEqual(sts.rows[0].cells.slice(0, 3), ['db', '0/1', '3m20s']);
  const ds = table(d('apps', 'DaemonSet', 'daemonsets'), [{ metadata: meta('agent'),
    spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { nodeSelector: { os: 'linux' }, containers: [] } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 } }]);
  assert.deepEqual(headers(ds), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
  assert.deepEqual(ds.rows[0].cells.slice(0, 8), ['agent', 3, 3, 2, 3, 2, 'os=linux', '3m20s']);
  const rs = table(d('apps', 'ReplicaSet', 'replicasets'), [{ metadata: meta('web-1'), spec: { replicas: 2, template },
    status: { replicas: 2, readyReplicas: 1 } }]);
  assert.deepEqual(headers(rs), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
  assert.deepEqual(rs.rows[0].cells.slice(0, 5), ['web-1', 2, 2, 1, '3m20s']);
  assert.equal(rs.rows[0].cells[7], '<none>');
});

test('services, configmaps, secrets, serviceaccounts, namespaces', () => {
  const svc = table(d('', 'Service', 'services'), [
    { metadata: meta('api'), spec: { type: 'NodePort', clusterIPs: ['10.96.0.10'], selector: { app: 'api' },
      ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] } },
    { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [] } },
  ]);
  assert.deepEqual(headers(svc), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  assert.deepEqual(svc.rows[0].cells, ['api', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,53/UDP', '3m20s', 'app=api']);
  assert.deepEqual(svc.rows[1].cells, ['lb', 'LoadBalancer', '10.96.0.11', '<pending>', '<none>', '3m20s', '<none>']);
  const cm = table(d('', 'ConfigMap', 'configmaps'), [{ metadata: meta('c'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }]);
  assert.deepEqual(headers(cm), ['NAME', 'DATA', 'AGE']);
  assert.deepEqual(cm.rows[0].cells, ['c', 3, '3m20s']);
  const sec = table(d('', 'Secret', 'secrets'), [{ metadata: meta('s'), type: 'Opaque', data: { k: 'dg==' } }]);
  assert.deepEqual(headers(sec), ['NAME', 'TYPE', 'DATA', 'AGE']);
  assert.deepEqual(sec.rows[0].cells, ['s', 'Opaque', 1, '3m20s']);
  const sa = table(d('', 'ServiceAccount', 'serviceaccounts'), [{ metadata: meta('default') }]);
  assert.deepEqual(headers(sa), ['NAME', 'SECRETS', 'AGE']);
  assert.deepEqual(sa.rows[0].cells, ['default', 0, '3m20s']);
  const ns = table(d('', 'Namespace', 'namespaces', false), [{ metadata: meta('prod'), status: { phase: 'Active' } }]);
  assert.deepEqual(headers(ns), ['NAME', 'STATUS', 'AGE']);
  assert.deepEqual(ns.rows[0].cells, ['prod', 'Active', '3m20s']);
});

test('events (core and events.k8s.io), nodes, PVCs', () => {
  const ev = table(d('', 'Event', 'events'), [{ metadata: meta('e1'), type: 'Warning', reason: 'BackOff',
    involvedObject: { kind: 'Pod', name: 'web' }, message: ' Back-off restarting \n', lastTimestamp: created,
    firstTimestamp: '2024-05-01T11:00:00Z', count: 4, source: { component: 'kubelet', host: 'n1' } }]);
  assert.deepEqual(headers(ev), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
  assert.deepEqual(ev.rows[0].cells, ['3m20s', 'Warning', 'BackOff', 'pod/web', '', 'kubelet, n1', 'Back-off restarting', '60m', 4, 'e1']);
  const ev2 = table(d('events.k8s.io', 'Event', 'events'), [{ metadata: meta('e2'), type: 'Normal', reason: 'Created',
    regarding: { kind: 'Deployment', name: 'web' }, note: 'made it', eventTime: created, reportingController: 'ctl' }]);
  assert.deepEqual(ev2.rows[0].cells, ['3m20s', 'Normal', 'Created', 'deployment/web', '', 'ctl', 'made it', '3m20s', 1, 'e2']);
  const nodes = table(d('', 'Node', 'nodes', false), [{ metadata: meta('n1', { labels: {
    'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } }), spec: { unschedulable: true },
    status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0' },
      addresses: [{ type: 'InternalIP', address: '192.168.0.2' }] } }]);
  assert.deepEqual(headers(nodes), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
  assert.deepEqual(nodes.rows[0].cells.slice(0, 7),
    ['n1', 'Ready,SchedulingDisabled', 'control-plane,worker', '3m20s', 'v1.32.0', '192.168.0.2', '<none>']);
  const pvc = table(d('', 'PersistentVolumeClaim', 'persistentvolumeclaims'), [
    { metadata: meta('data'), spec: { volumeName: 'pv-1', storageClassName: 'fast' },
      status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'] } },
    { metadata: meta('pending'), spec: {}, status: { phase: 'Pending' } },
  ]);
  assert.deepEqual(headers(pvc), ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE']);
  assert.deepEqual(pvc.rows[0].cells.slice(0, 6), ['data', 'Bound', 'pv-1', '10Gi', 'RWO,RWX', 'fast']);
  assert.deepEqual(pvc.rows[1].cells.slice(0, 6), ['pending', 'Pending', '', '', '', '<unset>']);
});

test('RBAC: roles and CRDs show CREATED AT, bindings ROLE and wide subjects', () => {
  const role = table(d('rbac.authorization.k8s.io', 'Role', 'roles'), [{ metadata: meta('r'), rules: [] }]);
  assert.deepEqual(headers(role), ['NAME', 'CREATED AT']);
  assert.deepEqual(role.rows[0].cells, ['r', '2024-05-01T11:56:40Z']);
  const crd = table(d('apiextensions.k8s.io', 'CustomResourceDefinition', 'customresourcedefinitions', false),
    [{ metadata: meta('widgets.example.com') }]);
  assert.deepEqual(headers(crd), ['NAME', 'CREATED AT']);
  const rb = table(d('rbac.authorization.k8s.io', 'ClusterRoleBinding', 'clusterrolebindings', false), [{
    metadata: meta('b'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', name: 'alice' }, { kind: 'User', name: 'bob' }, { kind: 'Group', name: 'devs' },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'tools' }] }]);
  assert.deepEqual(headers(rb), ['NAME', 'ROLE', 'AGE']);
  assert.deepEqual(headers(rb, true).slice(3), ['USERS', 'GROUPS', 'SERVICEACCOUNTS']);
  assert.deepEqual(rb.rows[0].cells, ['b', 'ClusterRole/view', '3m20s', 'alice, bob', 'devs', 'tools/ci']);
});

test('custom resources use CRD columns; unknown built-ins get NAME AGE', () => {
  const widgets: KindDescriptor = { ...d('example.com', 'Widget', 'widgets'), custom: true,
    printerColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }] };
  const cr = table(widgets, [{ metadata: meta('w'), spec: { size: 2 } }]);
  assert.deepEqual(headers(cr), ['NAME', 'SIZE']);
  assert.deepEqual(cr.rows[0].cells, ['w', 2]);
  const plain = table({ ...d('example.com', 'Gadget', 'gadgets'), custom: true }, [{ metadata: meta('g') }]);
  assert.deepEqual(headers(plain), ['NAME', 'AGE']);
  assert.equal(plain.columnDefinitions[1].type, 'date');
  const other = table(d('flowcontrol.apiserver.k8s.io', 'FlowSchema', 'flowschemas'), [{ metadata: meta('p') }]);
  assert.deepEqual(headers(other), ['NAME', 'AGE']);
  assert.deepEqual(other.rows[0].cells, ['p', '3m20s']);
});

test('row objects: PartialObjectMetadata, full object, or none', () => {
  const cm = { metadata: meta('c'), data: {} };
  const md = table(d('', 'ConfigMap', 'configmaps'), [cm], 'Metadata');
  assert.deepEqual(md.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata });
  const full = table(d('', 'ConfigMap', 'configmaps'), [cm], 'Object');
  assert.deepEqual(full.rows[0].object, { apiVersion: 'v1', kind: 'ConfigMap', ...cm });
  const none = table(d('', 'ConfigMap', 'configmaps'), [cm], 'None');
  assert.equal('object' in none.rows[0], false);
  assert.equal(md.kind, 'Table');
  assert.equal(md.apiVersion, 'meta.k8s.io/v1');
  const withMeta = toTable(d('', 'ConfigMap', 'configmaps'), [cm as KObject],
    { includeObject: 'None', now, listMeta: { resourceVersion: '9', continue: 'abc' } });
  assert.deepEqual(withMeta.metadata, { resourceVersion: '9', continue: 'abc' });
});
