// Decoding of kinds and fields kubectl's create commands never send (SubjectAccessReview, LocalSubjectAccessReview,
// TokenReview, Pod, full ObjectMeta, Deployment strategy), from bodies written by field number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobuf } from './protobuf.ts';
import { body, entry, type WireField } from './protobuf-test-support.ts';

const resourceAttributes: WireField[] = [[1, 'team-a'], [2, 'list'], [3, 'apps'], [4, 'v1'], [5, 'deployments'], [6, ''], [7, '']];
const sarSpec: WireField[] = [
  [1, resourceAttributes], [3, 'alice'], [4, 'devs'], [4, 'system:authenticated'],
  entry(5, 'scopes', [[1, 'a'], [1, 'b']]), entry(5, 'empty', []), [6, 'uid-1'],
];

test('SubjectAccessReview: user, groups, uid and extra (ExtraValue maps become string lists)', () => {
  const got = decodeProtobuf(body('authorization.k8s.io/v1', 'SubjectAccessReview', [[1, []], [2, sarSpec], [3, [[1, true]]]]));
  assert.deepStrictEqual(got, {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {},
    spec: {
      resourceAttributes: { namespace: 'team-a', verb: 'list', group: 'apps', version: 'v1', resource: 'deployments' },
      user: 'alice', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a', 'b'], empty: [] }, uid: 'uid-1',
    },
  });
});

test('LocalSubjectAccessReview keeps its namespace metadata; status sent by a client is ignored', () => {
  const got = decodeProtobuf(body('authorization.k8s.io/v1', 'LocalSubjectAccessReview', [
    [1, [[3, 'team-a']]], [2, [[2, [[1, '/logs'], [2, 'get']]], [3, 'bob']]], [3, [[1, true], [2, 'forged']]],
  ]));
  assert.deepStrictEqual(got, {
    apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: { namespace: 'team-a' },
    spec: { nonResourceAttributes: { path: '/logs', verb: 'get' }, user: 'bob' },
  });
});

test('TokenReview: token and audiences', () => {
  const got = decodeProtobuf(body('authentication.k8s.io/v1', 'TokenReview', [[2, [[1, 'abc.def'], [2, 'api'], [2, 'vault']]]]));
  assert.deepStrictEqual(got, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {},
    spec: { token: 'abc.def', audiences: ['api', 'vault'] },
  });
});

test('TokenRequest bound to a pod: BoundObjectReference uses JSON names apiVersion and uid', () => {
  const got = decodeProtobuf(body('authentication.k8s.io/v1', 'TokenRequest', [
    [2, [[1, 'api'], [3, [[1, 'Pod'], [2, 'v1'], [3, 'web-0'], [4, 'u-1']]], [4, 0]]],
  ]));
  assert.deepStrictEqual(got.spec, {
    audiences: ['api'], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', uid: 'u-1' }, expirationSeconds: 0,
  });
});

test('ObjectMeta: times, maps, owner references, finalizers, managed fields', () => {
  const meta: WireField[] = [
    [1, 'web'], [2, ''], [3, 'team-a'], [5, 'uid-9'], [6, '42'], [7, 3],
    [8, [[1, 1700000000], [2, 500]]], [9, [[1, -62135596800]]], [10, 0],
    entry(11, 'app', 'web'), entry(12, 'note', ''),
    [13, [[1, 'ReplicaSet'], [3, 'web-abc'], [4, 'rs-uid'], [5, 'apps/v1'], [6, true], [7, false]]],
    [14, 'example.com/cleanup'],
    [17, [[1, 'kubectl'], [2, 'Update'], [3, 'v1'], [4, [[1, 1700000001]]], [6, 'FieldsV1'], [7, [[1, '{"f:spec":{}}']]]]],
  ];
  const got = decodeProtobuf(body('v1', 'ServiceAccount', [[1, meta], [4, false]]));
  assert.deepStrictEqual(got, {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: {
      name: 'web', namespace: 'team-a', uid: 'uid-9', resourceVersion: '42', generation: 3,
      creationTimestamp: '2023-11-14T22:13:20Z', deletionGracePeriodSeconds: 0,
      labels: { app: 'web' }, annotations: { note: '' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true, blockOwnerDeletion: false }],
      finalizers: ['example.com/cleanup'],
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2023-11-14T22:13:21Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
    },
    automountServiceAccountToken: false,
  });
});

test('Pod: containers, env sources, resources, probes, volumes, security contexts, tolerations', () => {
  const container: WireField[] = [
    [1, 'app'], [2, 'nginx'], [3, 'nginx'], [4, '-g'], [5, ''],
    [6, [[1, 'http'], [2, 0], [3, 80], [4, 'TCP'], [5, '']]],
    [7, [[1, 'MODE'], [2, 'fast']]],
    [7, [[1, 'PASSWORD'], [3, [[4, [[1, [[1, 'db']]], [2, 'password'], [3, true]]]]]]],
    [7, [[1, 'NODE'], [3, [[1, [[1, 'v1'], [2, 'spec.nodeName']]]]]]],
    [19, [[2, [[1, [[1, 'settings']]]]]]],
    [8, [entry(1, 'cpu', [[1, '500m']]), entry(2, 'memory', [[1, '128Mi']])]],
    [9, [[1, 'cache'], [2, true], [3, '/cache']]],
    [10, [[1, [[2, [[1, '/healthz'], [2, [[1, 1], [3, 'http']]]]]]], [2, 5], [4, 10]]],
    [11, [[1, [[3, [[1, [[1, 0], [2, 8080]]]]]]]]],
    [15, [[1, [[2, 'ALL']]], [4, 0], [5, true], [7, false]]],
    [16, false], [18, false],
  ];
  const spec: WireField[] = [
    [1, [[1, 'cache'], [2, [[2, []]]]]],
    [1, [[1, 'cfg'], [2, [[19, [[1, [[1, 'settings']]], [3, 420]]]]]]],
    [2, container], [3, 'Always'], [4, 30], [6, 'ClusterFirst'], entry(7, 'disk', 'ssd'), [8, 'builder'],
    [14, [[2, 1000], [5, 2000]]],
    [22, [[1, 'node.kubernetes.io/not-ready'], [2, 'Exists'], [4, 'NoExecute'], [5, 300]]],
  ];
  const got = decodeProtobuf(body('v1', 'Pod', [[1, [[1, 'web-0'], [3, 'team-a']]], [2, spec], [3, [[1, 'Running']]]]));
  assert.deepStrictEqual(got, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'team-a' },
    spec: {
      volumes: [{ name: 'cache', emptyDir: {} }, { name: 'cfg', configMap: { name: 'settings', defaultMode: 420 } }],
      containers: [{
        name: 'app', image: 'nginx', command: ['nginx'], args: ['-g'],
        ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
        envFrom: [{ configMapRef: { name: 'settings' } }],
        env: [
          { name: 'MODE', value: 'fast' },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: true } } },
          { name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
        ],
        resources: { limits: { cpu: '500m' }, requests: { memory: '128Mi' } },
        volumeMounts: [{ name: 'cache', readOnly: true, mountPath: '/cache' }],
        livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5, periodSeconds: 10 },
        readinessProbe: { tcpSocket: { port: 8080 } },
        securityContext: { capabilities: { drop: ['ALL'] }, runAsUser: 0, runAsNonRoot: true, allowPrivilegeEscalation: false },
      }],
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', nodeSelector: { disk: 'ssd' },
      serviceAccountName: 'builder', securityContext: { runAsUser: 1000, fsGroup: 2000 },
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
  });
});

test('Deployment strategy: int-or-string pointers keep 0 and percentages', () => {
  const strategy: WireField[] = [[1, 'RollingUpdate'], [2, [[1, [[1, 0], [2, 0]]], [2, [[1, 1], [3, '25%']]]]]];
  const got = decodeProtobuf(body('apps/v1', 'Deployment', [[1, [[1, 'web']]], [2, [[4, strategy], [6, 5], [7, true]]]]));
  assert.deepStrictEqual(got.spec, {
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
    revisionHistoryLimit: 5, paused: true,
  });
});
