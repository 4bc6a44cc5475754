// End-to-end: a restart with stored tenant clusters serves at once. The start-up resync runs in the background at
// low priority: /readyz answers and a new tenant becomes Ready while the stored tenants' reconciles are held by a
// gate (an admission plugin), and the resync converges once the gate opens. No timings: ordering only.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness.ts';
import { defaultModules } from '../../src/server/modules.ts';
import { gateModule, until } from '../support/startup-gate.ts';

const N = 6;
const API = '/apis/management.portcullis.io/v1';
const tenant = (name: string) => ({ apiVersion: 'management.portcullis.io/v1', kind: 'TenantCluster', metadata: { name }, spec: { project: 'p' } });
type Tenant = { metadata: { name: string }; status?: { phase?: string; conditions?: Array<{ type: string; status: string; reason: string }> } };

async function depth(h: Harness, queue: string): Promise<number> {
  const text = (await h.request('GET', '/metrics')).body;
  const m = new RegExp(`^workqueue_depth\\{name="${queue}"\\} (\\d+)$`, 'm').exec(text);
  assert.ok(m, `workqueue_depth{name="${queue}"} is exported`);
  return Number(m[1]);
}

describe('platform: start-up with stored tenant clusters', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-startup-'));
  const dataDir = path.join(dir, 'data');
  let h: Harness | undefined;
  after(async () => { await h?.close(); rmSync(dir, { recursive: true, force: true }); });

  it('is ready and provisions a new tenant before the resync of the stored ones finishes', { timeout: 120_000 }, async () => {
    const h1 = await startHarness({ dataDir });
    h = h1;
    const project = await h1.request('POST', `${API}/projects`, { body: { apiVersion: 'management.portcullis.io/v1', kind: 'Project', metadata: { name: 'p' }, spec: {} } });
    assert.equal(project.status, 201, project.body);
    for (let i = 0; i < N; i++) { const r = await h1.request('POST', `${API}/tenantclusters`, { body: tenant(`t-${i}`) }); assert.equal(r.status, 201, r.body); }
    await h1.server.settle();
    const stored = (await h1.request('GET', `${API}/tenantclusters`)).json().items as Tenant[];
    assert.deepEqual(stored.map((t) => t.status?.phase), Array(N).fill('Ready'));
    await h1.close();
    h = undefined;

    const gate = gateModule();
    h = await startHarness({ dataDir, modules: [...defaultModules(), gate.module] });
    const h2 = h;
    assert.equal((await h2.request('GET', '/readyz', { anonymous: true })).status, 200);
    // The stored tenants are replayed at low priority: half the workers (two of four) take them and are held at the gate.
    await until(async () => (gate.held() >= 2 ? true : undefined));
    assert.ok(await depth(h2, 'tenantcluster') > 0, 'resync keys still queued');

    // A new tenant is normal-priority work: it takes the worker the resync leaves free.
    assert.equal((await h2.request('POST', `${API}/tenantclusters`, { body: tenant('fresh') })).status, 201);
    const fresh = await until(async () => {
      const t = (await h2.request('GET', `${API}/tenantclusters/fresh`)).json() as Tenant;
      return t.status?.phase === 'Ready' ? t : undefined;
    });
    const ready = fresh.status?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason], ['True', 'Ready']);
    assert.ok(await depth(h2, 'tenantcluster') > 0, 'the fresh tenant was Ready while the resync was still queued');
    assert.equal(gate.held(), 2, 'no resync key got past the gate');
    const table = await h2.kubectl(['get', 'tenantclusters', 'fresh']);
    assert.match(table.stdout, /^NAME\s+PROJECT\s+PHASE\s+REASON\s+AGE\nfresh\s+p\s+Ready\s+Ready\s+/, table.stdout);

    gate.open();
    await h2.server.settle();
    const items = (await h2.request('GET', `${API}/tenantclusters`)).json().items as Tenant[];
    assert.equal(items.length, N + 1);
    for (const t of items) assert.equal(t.status?.phase, 'Ready', t.metadata.name);
    assert.equal(await depth(h2, 'tenantcluster'), 0);
    assert.ok(gate.held() >= N, 'every stored tenant was reconciled by the resync');
  });
});
