// End-to-end: every built-in kind of every group a Kubernetes 1.32 cluster serves is created, listed, watched and
// deleted by kubectl in a tenant cluster (table-driven, fixtures/builtin-kinds.ts); a multi-document manifest of
// everyday kinds applies cleanly, and applying it again changes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { stringify } from 'yaml';
import { startHarness, type Harness } from '../support/harness.ts';
import { KIND_CASES, NS, type KindCase } from './fixtures/builtin-kinds.ts';

const TENANT = 'kinds-tenant';
const BATCH = 12;

/** A kubectl watch printing "EVENT name" lines, as a user would run it. */
function watchKind(h: Harness, c: KindCase): { child: ChildProcess; lines: string[]; waitFor(line: string): Promise<void> } {
  const home = path.join(h.dir, 'home');
  const args = ['--kubeconfig', h.kubeconfig, '--context', TENANT, '--cache-dir', path.join(home, 'cache'), 'get', c.resource,
    ...(c.namespaced ? ['-n', NS] : []), '-w', '--output-watch-events', '-o', 'jsonpath={.type} {.object.metadata.name}{"\\n"}'];
  const child = spawn('kubectl', args, { env: { ...process.env, HOME: home } });
  const lines: string[] = [];
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => { lines.push(...d.toString().split('\n').filter(Boolean)); for (const w of waiters.splice(0)) w(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return {
    child, lines,
    waitFor: (line) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch of ${c.resource} never printed "${line}": ${lines.join(' | ')} ${stderr}`)), 30_000);
      const check = () => { if (lines.includes(line)) { clearTimeout(timer); resolve(); } else waiters.push(check); };
      check();
    }),
  };
}

const manifests = (cases: KindCase[]): string => cases.map((c) => stringify(c.manifest)).join('---\n');

describe('built-in kinds of Kubernetes 1.32 through kubectl', () => {
  let h: Harness;
  const k = (args: string[], input?: string) => h.kubectl(['--context', TENANT, ...args], { input });
  before(async () => {
    h = await startHarness();
    await h.kubectl(['apply', '-f', '-'], { input: `apiVersion: tenancy.portcullis.io/v1alpha1\nkind: LogicalCluster\nmetadata:\n  name: ${TENANT}\n` });
    await h.server.settle();
    await k(['create', 'namespace', NS]);
  });
  after(async () => { await h?.close(); });

  it('creates, lists, watches and deletes every kind', async () => {
    for (let i = 0; i < KIND_CASES.length; i += BATCH) {
      const batch = KIND_CASES.slice(i, i + BATCH);
      const created = await k(['create', '-f', '-'], manifests(batch));
      for (const c of batch) assert.match(created.stdout, new RegExp(`/${c.name.replace(/\./g, '\\.')} created`), c.resource);
      // Listed: each kind's collection shows the object.
      const ns = batch.filter((c) => c.namespaced), cluster = batch.filter((c) => !c.namespaced);
      const listed = [
        ...(ns.length ? (await k(['get', ns.map((c) => c.resource).join(','), '-n', NS, '-o', 'name'])).stdout.split('\n') : []),
        ...(cluster.length ? (await k(['get', cluster.map((c) => c.resource).join(','), '-o', 'name'])).stdout.split('\n') : []),
      ];
      for (const c of batch) assert.ok(listed.some((l) => l.endsWith(`/${c.name}`)), `${c.resource} ${c.name} listed: ${listed.join(' ')}`);
      // Watched: the watch shows it, then its deletion.
      const watches = batch.map((c) => ({ c, w: watchKind(h, c) }));
      try {
        await Promise.all(watches.map(({ c, w }) => w.waitFor(`ADDED ${c.name}`)));
        await k(['delete', '-f', '-', '--wait=false'], manifests(batch));
        await Promise.all(watches.map(({ c, w }) => w.waitFor(`DELETED ${c.name}`)));
      } finally {
        for (const { w } of watches) w.child.kill();
      }
    }
  });

  it('applies a manifest of everyday kinds cleanly; applying it again changes nothing', async () => {
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{ containerPort: 8080 }]
        resources: { requests: { cpu: 100m, memory: 64Mi } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${NS} }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: ${NS} }
spec:
  rules:
  - host: web.example.com
    http:
      paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: ${NS} }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 8080, protocol: TCP }] }]
---
apiVersion: batch/v1
kind: Job
metadata: { name: migrate, namespace: ${NS} }
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: migrate, image: busybox:1.36, command: [echo, migrated] }]
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: report, namespace: ${NS} }
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{ name: report, image: busybox:1.36 }]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: ${NS} }
spec:
  minAvailable: 1
  selector: { matchLabels: { app: web } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: ${NS} }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 2
  maxReplicas: 10
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 75 } } }]
`;
    const first = await k(['apply', '-f', '-'], manifest);
    for (const what of ['deployment.apps/web', 'service/web', 'ingress.networking.k8s.io/web', 'networkpolicy.networking.k8s.io/web',
      'job.batch/migrate', 'cronjob.batch/report', 'poddisruptionbudget.policy/web', 'horizontalpodautoscaler.autoscaling/web']) {
      assert.match(first.stdout, new RegExp(`${what.replace(/\./g, '\\.')} created`), what);
    }
    assert.equal(first.stderr, '', 'no warnings');
    const kinds = 'deploy,svc,ing,netpol,job,cj,pdb,hpa';
    const versions = async () => (await k(['get', kinds, '-n', NS, '-o', 'jsonpath={range .items[*]}{.kind}={.metadata.resourceVersion} {end}'])).stdout;
    const before = await versions();
    const again = await k(['apply', '-f', '-'], manifest);
    // kubectl always sends a PodDisruptionBudget's selector (patch strategy "replace"), as against any cluster: it
    // prints "configured", but the server changes nothing. Everything else is reported unchanged.
    const changed = again.stdout.trim().split('\n').filter((l) => !l.endsWith(' unchanged'));
    assert.deepEqual(changed, ['poddisruptionbudget.policy/web configured'], again.stdout);
    assert.equal(await versions(), before, 'applying again stored nothing');
    const ssa = await k(['apply', '--server-side', '-f', '-'], manifest);
    assert.equal(ssa.stdout.trim().split('\n').length, 8);
    // What the server stored reads back with Kubernetes' defaults.
    const dep = JSON.parse((await k(['get', 'deployment', 'web', '-n', NS, '-o', 'json'])).stdout);
    assert.equal(dep.spec.strategy.type, 'RollingUpdate');
    assert.equal(dep.spec.template.spec.containers[0].ports[0].protocol, 'TCP');
    const table = (await k(['get', kinds, '-n', NS])).stdout;
    assert.match(table, /horizontalpodautoscaler\.autoscaling\/web\s+Deployment\/web\s+cpu: <unknown>\/75%\s+2\s+10/);
    assert.match(table, /cronjob\.batch\/report\s+0 \* \* \* \*/);
  });
});
