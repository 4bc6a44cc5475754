// Decodes every protobuf body captured from the real kubectl 1.32 (fixtures/, see fixtures/manifest.json and
// test/tools/capture-kubectl-protobuf.ts) and compares it with the JSON Kubernetes would produce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeProtobuf } from './protobuf.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): Buffer => readFileSync(join(dir, `${name}.pb`));

const RBAC = 'rbac.authorization.k8s.io/v1';
const AUTHZ = 'authorization.k8s.io/v1';
const ns = { namespace: 'team-a' };
const userSubject = (name: string) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });
const groupSubject = (name: string) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name });
const ssar = (resourceAttributes: Record<string, string>) =>
  ({ apiVersion: AUTHZ, kind: 'SelfSubjectAccessReview', metadata: {}, spec: { resourceAttributes } });
const deployment = (name: string, replicas: number, containers: unknown[]) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, ...ns, labels: { app: name } },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers } },
  },
});
const service = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, ...ns, labels: { app: name } },
  spec: { ...spec, selector: { app: name } },
});
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

const expected: Record<string, unknown> = {
  'role': {
    apiVersion: RBAC, kind: 'Role', metadata: { name: 'pod-reader', ...ns },
    rules: [
      { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] },
      { verbs: ['get', 'list', 'watch'], apiGroups: ['apps'], resources: ['deployments'] },
    ],
  },
  'role-resource-names': {
    apiVersion: RBAC, kind: 'Role', metadata: { name: 'cm-editor', ...ns },
    rules: [{ verbs: ['get', 'update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config', 'feature-flags'] }],
  },
  'clusterrole': {
    apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'node-reader' },
    rules: [
      { verbs: ['get'], apiGroups: [''], resources: ['nodes'] },
      { verbs: ['get'], nonResourceURLs: ['/healthz', '/metrics/*'] },
    ],
  },
  'clusterrole-aggregation': {
    apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'monitoring' },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }] },
  },
  'rolebinding': {
    apiVersion: RBAC, kind: 'RoleBinding', metadata: { name: 'readers', ...ns },
    subjects: [userSubject('alice'), groupSubject('devs'), { kind: 'ServiceAccount', name: 'builder', namespace: 'team-a' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
  },
  'clusterrolebinding': {
    apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'viewers' },
    subjects: [userSubject('bob'), groupSubject('ops')],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
  },
  'namespace': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
  'serviceaccount': { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', ...ns } },
  'configmap': {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', ...ns },
    data: { empty: '', mode: 'fast' }, binaryData: { 'blob.bin': b64(Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x01])) },
  },
  'secret-generic': {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-creds', ...ns },
    data: { password: b64('s3cr3t!'), username: b64('admin') },
  },
  'secret-docker-registry': {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred', ...ns }, type: 'kubernetes.io/dockerconfigjson',
    data: {
      '.dockerconfigjson': b64(JSON.stringify({
        auths: { 'registry.example.com': { username: 'robot', password: 'hunter2', email: 'robot@example.com', auth: b64('robot:hunter2') } },
      })),
    },
  },
  'deployment': deployment('web', 3, [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }]),
  'deployment-zero-replicas': deployment('idle', 0, [{ name: 'nginx', image: 'nginx:1.27' }]),
  'deployment-multi': deployment('cache', 1, [{ name: 'redis', image: 'redis:7' }, { name: 'nginx', image: 'nginx:1.27' }]),
  'deployment-command': deployment('sleeper', 1, [{ name: 'busybox', image: 'busybox:1.36', command: ['sleep', '3600'] }]),
  'service-clusterip': service('web', {
    ports: [
      { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
      { name: '443-https', protocol: 'TCP', port: 443, targetPort: 'https' },
    ],
    type: 'ClusterIP',
  }),
  'service-nodeport': service('web-np', {
    ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }], type: 'NodePort',
  }),
  'service-externalname': service('ext', { type: 'ExternalName', externalName: 'db.example.com' }),
  'job': {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', ...ns },
    spec: { template: { spec: { containers: [{ name: 'once', image: 'busybox:1.36', command: ['echo', 'hi'] }], restartPolicy: 'Never' } } },
  },
  'cronjob': {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', ...ns },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: {
        metadata: { name: 'tick' },
        spec: { template: { spec: { containers: [{ name: 'tick', image: 'busybox:1.36', command: ['date'] }], restartPolicy: 'OnFailure' } } },
      },
    },
  },
  'ingress': {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', ...ns },
    spec: {
      ingressClassName: 'nginx', defaultBackend: { service: { name: 'defsvc', port: { number: 80 } } },
      tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }],
      rules: [
        { host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] } },
        { host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc2', port: { name: 'http' } } } }] } },
      ],
    },
  },
  'pdb': {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-pdb', ...ns },
    spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } },
  },
  'pdb-max-unavailable': {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db-pdb', ...ns },
    spec: { selector: { matchLabels: { app: 'db' } }, maxUnavailable: 1 },
  },
  'priorityclass': {
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' },
    value: 1000, description: 'important', preemptionPolicy: 'Never',
  },
  // value has no omitempty in Go: an explicit 0 stays.
  'priorityclass-zero': {
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'zero' }, value: 0,
    preemptionPolicy: 'PreemptLowerPriority',
  },
  'quota': {
    apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', ...ns },
    spec: { hard: { 'pods': '10', 'requests.cpu': '2', 'requests.memory': '1Gi' }, scopes: ['NotTerminating'] },
  },
  'token': {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {},
    spec: { audiences: ['https://api.example.com', 'vault'], expirationSeconds: 600 },
  },
  'can-i': ssar({ namespace: 'team-a', verb: 'get', resource: 'pods' }),
  'can-i-name': ssar({ namespace: 'team-a', verb: 'delete', resource: 'pods', name: 'shell' }),
  'can-i-log': ssar({ namespace: 'team-a', verb: 'get', resource: 'pods', subresource: 'log' }),
  'can-i-group-subresource': ssar({
    namespace: 'team-a', verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale', name: 'web',
  }),
  'can-i-nonresource': {
    apiVersion: AUTHZ, kind: 'SelfSubjectAccessReview', metadata: {},
    spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } },
  },
  'can-i-list': { apiVersion: AUTHZ, kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'team-a' } },
  'whoami': { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} },
};

test('every captured fixture has an expectation and vice versa', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.pb')).map((f) => f.slice(0, -3)).sort();
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { fixtures: Record<string, unknown> };
  assert.deepEqual(files, Object.keys(expected).sort());
  assert.deepEqual(Object.keys(manifest.fixtures).sort(), files);
});

for (const [name, want] of Object.entries(expected)) {
  test(`decodes kubectl's ${name} body`, () => {
    assert.deepStrictEqual(decodeProtobuf(fixture(name)), want);
  });
}

test('the fixtures really carry the empty strings, zeros and empty times kubectl sends', () => {
  // ObjectMeta of the Role: name, generateName "", namespace, selfLink "", uid "", resourceVersion "", generation 0,
  // creationTimestamp {} - all but name/namespace must vanish in the decoded object.
  const body = fixture('role');
  assert.ok(body.includes(Buffer.from([0x12, 0x00, 0x1a, 0x06])), 'generateName "" followed by namespace');
  assert.ok(body.includes(Buffer.from([0x38, 0x00, 0x42, 0x00])), 'generation 0 and an empty creationTimestamp');
  assert.deepEqual(Object.keys(decodeProtobuf(body).metadata), ['name', 'namespace']);
});
