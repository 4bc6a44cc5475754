// Built-in kinds behave as in Kubernetes: defaults, required fields, immutable fields, the server's status on
// create, JSON type errors worded as Go's decoder words them, and autoscaling v1 <-> v2 conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../storage/interface.ts';
import type { ResourceType } from './types.ts';
import { builtinTypes } from './builtins.ts';
import { hpaToV1, hpaToV2 } from './hpa-conversion.ts';
import { builtinSchema } from '../schema/builtin-index.ts';
import { firstTypeError, missingRequired } from '../schema/builtin-check.ts';
import { findUnknownFields } from '../schema/unknown-fields.ts';

const types = new Map(builtinTypes().map((t) => [`${t.group}/${t.version}/${t.resource}`, t]));
const type = (key: string): ResourceType => types.get(key)!;
const created = (key: string, obj: Record<string, unknown>): KObject => {
  const o = structuredClone({ metadata: { name: 'x' }, ...obj }) as KObject;
  type(key).strategy.prepareForCreate!(o);
  return o;
};

test('Deployment defaults: replicas, strategy, history, deadline, and the pod template\'s', () => {
  const d = created('apps/v1/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', spec: {
    selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } } } });
  const spec = d.spec as Record<string, any>;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  const pod = spec.template.spec;
  assert.equal(pod.restartPolicy, 'Always');
  assert.equal(pod.dnsPolicy, 'ClusterFirst');
  assert.equal(pod.terminationGracePeriodSeconds, 30);
  assert.equal(pod.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(pod.containers[0].ports[0].protocol, 'TCP');
  const latest = created('apps/v1/deployments', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } });
  assert.equal((latest.spec as any).template.spec.containers[0].imagePullPolicy, 'Always');
  const zero = created('apps/v1/deployments', { spec: { replicas: 0 } });
  assert.equal((zero.spec as any).replicas, 0, 'an explicit zero is kept');
});

test('Service, Job, CronJob, NetworkPolicy defaults', () => {
  const svc = created('/v1/services', { spec: { ports: [{ port: 80 }] } });
  assert.deepEqual((svc.spec as any).ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.equal((svc.spec as any).type, 'ClusterIP');
  const job = created('batch/v1/jobs', { spec: { template: { spec: { containers: [], restartPolicy: 'Never' } } } });
  assert.deepEqual([(job.spec as any).completions, (job.spec as any).parallelism, (job.spec as any).backoffLimit], [1, 1, 6]);
  assert.equal((job.spec as any).template.spec.restartPolicy, 'Never');
  const cj = created('batch/v1/cronjobs', { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: {} } } } } });
  assert.deepEqual([(cj.spec as any).concurrencyPolicy, (cj.spec as any).successfulJobsHistoryLimit], ['Allow', 3]);
  const np = created('networking.k8s.io/v1/networkpolicies', { spec: { podSelector: {}, egress: [{}] } });
  assert.deepEqual((np.spec as any).policyTypes, ['Ingress', 'Egress']);
});

test('a new object\'s status is the server\'s: a CSR cannot be created already approved and issued', () => {
  const csr = created('certificates.k8s.io/v1/certificatesigningrequests', {
    spec: { request: 'Zm9v', signerName: 'kubernetes.io/kube-apiserver-client' },
    status: { certificate: 'Zm9yZ2Vk', conditions: [{ type: 'Approved', status: 'True' }] },
  });
  assert.equal(csr.status, undefined);
  const pod = created('/v1/pods', { spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running', podIP: '1.2.3.4' } });
  assert.deepEqual(pod.status, { phase: 'Pending' });
});

test('a CSR\'s spec cannot be re-aimed by an update (kept, as PrepareForUpdate does)', () => {
  const t = type('certificates.k8s.io/v1/certificatesigningrequests');
  const old = { metadata: { name: 'c' }, spec: { request: 'b2xk', signerName: 'example.com/a', usages: ['client auth'] } } as KObject;
  const next = { metadata: { name: 'c' }, spec: { request: 'bmV3', signerName: 'kubernetes.io/kube-apiserver-client' } } as KObject;
  t.strategy.prepareForUpdate!(next, old);
  assert.deepEqual(next.spec, old.spec);
});

test('immutable fields: selectors, roleRef, Job templates, PriorityClass values, pod specs', () => {
  const cause = (key: string, old: Record<string, unknown>, next: Record<string, unknown>) =>
    type(key).strategy.validateUpdate!({ metadata: { name: 'x' }, ...next } as KObject, { metadata: { name: 'x' }, ...old } as KObject)
      .map((c) => `${c.field}: ${c.message}`);
  const sel = (app: string) => ({ spec: { selector: { matchLabels: { app } }, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } });
  assert.deepEqual(cause('apps/v1/deployments', sel('a'), sel('b')),
    ['spec.selector: Invalid value: {"matchLabels":{"app":"b"}}: field is immutable']);
  assert.deepEqual(cause('apps/v1/deployments', sel('a'), sel('a')), []);
  assert.deepEqual(cause('scheduling.k8s.io/v1/priorityclasses', { value: 1 }, { value: 2 }),
    ['value: Forbidden: may not be changed in an update.']);
  const pod = (sa: string, image: string) => ({ spec: { serviceAccountName: sa, containers: [{ name: 'c', image }] } });
  assert.deepEqual(cause('/v1/pods', pod('a', 'i1'), pod('a', 'i2')), [], 'images may change');
  assert.match(cause('/v1/pods', pod('a', 'i1'), pod('admin', 'i1'))[0], /^spec: Forbidden: pod updates may not change fields/);
  const rb = (name: string) => ({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [] });
  assert.ok(cause('rbac.authorization.k8s.io/v1/rolebindings', rb('view'), rb('admin')).some((c) => c.startsWith('roleRef')));
});

test('required fields from the schema; lists, numbers and status are left to kind validation', () => {
  const dep = builtinSchema('apps', 'v1', 'Deployment')!;
  assert.deepEqual(missingRequired(dep, { metadata: {}, spec: { template: { spec: { containers: [{ image: 'x' }] } } } })
    .map((c) => `${c.field}: ${c.message}`), ['spec.selector: Required value', 'spec.template.spec.containers[0].name: Required value']);
  assert.deepEqual(missingRequired(builtinSchema('discovery.k8s.io', 'v1', 'EndpointSlice')!, { addressType: 'IPv4' }), []);
  assert.deepEqual(missingRequired(builtinSchema('rbac.authorization.k8s.io', 'v1', 'RoleBinding')!, { metadata: {} })
    .map((c) => c.field), ['roleRef']);
});

test('JSON types are checked as Go decodes them; the first mismatch is reported', () => {
  const dep = builtinSchema('apps', 'v1', 'Deployment')!;
  assert.equal(firstTypeError(dep, 'Deployment', { spec: { replicas: 'three' } }),
    'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(firstTypeError(dep, 'Deployment', { spec: { template: { spec: { containers: [{ name: 'c', image: 5 }] } } } }),
    'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string');
  assert.equal(firstTypeError(dep, 'Deployment', { metadata: { labels: { a: 1 } } }),
    'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  assert.equal(firstTypeError(dep, 'Deployment', { spec: { replicas: 2 ** 31 } }),
    'json: cannot unmarshal number into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(firstTypeError(dep, 'Deployment', { spec: 'x' }),
    'json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec');
  assert.equal(firstTypeError(dep, 'Deployment', { spec: { replicas: null, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 0.5, memory: '1Gi' } } }] } } } }), undefined);
});

test('pruning removes what the schema does not define, at any depth', () => {
  const role = { metadata: { name: 'r', labelz: 1 }, rules: [{ verbs: ['get'], verbz: ['*'] }], extra: { a: 1 } };
  const found = findUnknownFields(builtinSchema('rbac.authorization.k8s.io', 'v1', 'Role')!, role, { prune: true });
  assert.deepEqual(found, ['metadata.labelz', 'rules[0].verbz', 'extra']);
  assert.deepEqual(role, { metadata: { name: 'r' }, rules: [{ verbs: ['get'] }] });
});

test('autoscaling/v1 is a view of v2: the CPU target maps to a metric, other metrics ride in annotations', () => {
  const v2 = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: {
    scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }] } } as KObject;
  const v1 = hpaToV1(v2);
  assert.equal(v1.apiVersion, 'autoscaling/v1');
  assert.equal((v1.spec as any).targetCPUUtilizationPercentage, 70);
  assert.equal((v1.spec as any).metrics, undefined);
  assert.ok(v1.metadata.annotations?.['autoscaling.alpha.kubernetes.io/metrics']);
  assert.deepEqual(hpaToV2(v1), v2, 'round trip');
});
