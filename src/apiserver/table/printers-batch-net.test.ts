// Columns and cells of the printers of batch, networking, policy, autoscaling, scheduling and storage kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTable } from './table.ts';
import type { TableObject } from './table-types.ts';
import type { KObject } from '../storage/interface.ts';

const now = new Date('2024-05-01T12:00:00Z');
const meta = (name: string, extra: Record<string, unknown> = {}) =>
  ({ name, namespace: 'default', creationTimestamp: '2024-05-01T11:56:40Z', ...extra });
const table = (group: string, kind: string, obj: Record<string, unknown>): TableObject =>
  toTable({ group, version: 'v1', kind, resource: `${kind.toLowerCase()}s`, namespaced: true }, [obj as KObject],
    { includeObject: 'None', now });
const headers = (t: TableObject): string[] => t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase());
const row = (t: TableObject): unknown[] => t.rows[0].cells.slice(0, headers(t).length);

test('Job: status from conditions, completions, duration', () => {
  const t = table('batch', 'Job', { metadata: meta('j'), spec: { completions: 3, parallelism: 1, template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    status: { succeeded: 3, startTime: '2024-05-01T11:57:00Z', completionTime: '2024-05-01T11:58:30Z',
      conditions: [{ type: 'Complete', status: 'True' }] } });
  assert.deepEqual(headers(t), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
  assert.deepEqual(row(t), ['j', 'Complete', '3/3', '90s', '3m20s']);
  const running = table('batch', 'Job', { metadata: meta('r'), spec: { parallelism: 2 }, status: {} });
  assert.deepEqual(row(running), ['r', 'Running', '0/1 of 2', '', '3m20s']);
});

test('CronJob: schedule, timezone, suspend, active, last schedule', () => {
  const t = table('batch', 'CronJob', { metadata: meta('c'), spec: { schedule: '*/5 * * * *', jobTemplate: { spec: {} } }, status: {} });
  assert.deepEqual(headers(t), ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
  assert.deepEqual(row(t), ['c', '*/5 * * * *', '<none>', 'False', 0, '<none>', '3m20s']);
});

test('Ingress, NetworkPolicy, PodDisruptionBudget, HorizontalPodAutoscaler, PriorityClass, StorageClass', () => {
  const ing = table('networking.k8s.io', 'Ingress', { metadata: meta('web'), spec: { ingressClassName: 'nginx',
    rules: [{ host: 'a.example.com' }, {}], tls: [{ hosts: ['a.example.com'] }] },
  status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } });
  assert.deepEqual(headers(ing), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
  assert.deepEqual(row(ing), ['web', 'nginx', 'a.example.com,*', '10.0.0.1', '80, 443', '3m20s']);
  const np = table('networking.k8s.io', 'NetworkPolicy', { metadata: meta('np'), spec: { podSelector: { matchLabels: { app: 'x' } } } });
  assert.deepEqual(row(np), ['np', 'app=x', '3m20s']);
  assert.deepEqual(row(table('networking.k8s.io', 'NetworkPolicy', { metadata: meta('all'), spec: { podSelector: {} } })),
    ['all', '<none>', '3m20s']);
  const pdb = table('policy', 'PodDisruptionBudget', { metadata: meta('p'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } });
  assert.deepEqual(row(pdb), ['p', '50%', 'N/A', 1, '3m20s']);
  const hpa = table('autoscaling', 'HorizontalPodAutoscaler', { metadata: meta('h'), spec: {
    scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] },
  status: { currentReplicas: 2 } });
  assert.deepEqual(headers(hpa), ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
  assert.deepEqual(row(hpa), ['h', 'Deployment/web', 'cpu: <unknown>/80%', 2, 5, 2, '3m20s']);
  const pc = table('scheduling.k8s.io', 'PriorityClass', { metadata: meta('high'), value: 1000, preemptionPolicy: 'Never' });
  assert.deepEqual(row(pc), ['high', 1000, false, '3m20s', 'Never']);
  const sc = table('storage.k8s.io', 'StorageClass', { metadata: meta('fast', {
    annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }), provisioner: 'csi.example.com' });
  assert.deepEqual(row(sc), ['fast (default)', 'csi.example.com', 'Delete', 'Immediate', false, '3m20s']);
});
