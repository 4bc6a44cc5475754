// LIST pagination as Kubernetes serves it: limit/continue pages from one consistent snapshot (objects created,
// changed or deleted after the first page do not show), remainingItemCount, selectors, tokens that resume by
// key, bad tokens, and kubectl's own chunked lists (--chunk-size).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';

const NS = '/clusters/root/api/v1/namespaces/paging';
const CM = `${NS}/configmaps`;

describe('LIST pagination', () => {
  let h: Harness;
  const cm = (name: string, labels: Record<string, string> = {}, v = '1') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { v } });
  const list = async (query: string) => {
    const r = await h.request('GET', `${CM}?${query}`);
    assert.equal(r.status, 200, r.body);
    const j = r.json();
    return { names: (j.items as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name), meta: j.metadata, items: j.items };
  };

  before(async () => {
    h = await startHarness();
    assert.equal((await h.request('POST', '/clusters/root/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } } })).status, 201);
    for (let i = 0; i < 6; i++) {
      assert.equal((await h.request('POST', CM, { body: cm(`cm-${i}`, { parity: i % 2 ? 'odd' : 'even' }) })).status, 201);
    }
  });
  after(async () => { await h?.close(); });

  it('serves every page from the first page\'s snapshot', async () => {
    const p1 = await list('limit=2');
    assert.deepEqual(p1.names, ['cm-0', 'cm-1']);
    assert.equal(p1.meta.remainingItemCount, 4);
    const rv = p1.meta.resourceVersion;
    // Changes between pages: a new object that sorts inside the rest, a deletion, an update.
    assert.equal((await h.request('POST', CM, { body: cm('cm-2a') })).status, 201);
    assert.equal((await h.request('DELETE', `${CM}/cm-4`)).status, 200);
    const cur = (await h.request('GET', `${CM}/cm-3`)).json();
    assert.equal((await h.request('PUT', `${CM}/cm-3`, { body: { ...cur, data: { v: '2' } } })).status, 200);

    const p2 = await list(`limit=2&continue=${encodeURIComponent(p1.meta.continue)}`);
    assert.deepEqual(p2.names, ['cm-2', 'cm-3']);
    assert.equal(p2.items[1].data.v, '1', 'the object as it was when the first page was served');
    assert.equal(p2.meta.resourceVersion, rv);
    assert.equal(p2.meta.remainingItemCount, 2);
    const p3 = await list(`limit=2&continue=${encodeURIComponent(p2.meta.continue)}`);
    assert.deepEqual(p3.names, ['cm-4', 'cm-5'], 'cm-4 was deleted after the snapshot; cm-2a created after it');
    assert.equal(p3.meta.continue, undefined);
    assert.equal(p3.meta.remainingItemCount, undefined);

    const now = await list('');
    assert.deepEqual(now.names, ['cm-0', 'cm-1', 'cm-2', 'cm-2a', 'cm-3', 'cm-5']);
    assert.notEqual(now.meta.resourceVersion, rv);
  });

  it('pages through a label selector without remainingItemCount', async () => {
    const p1 = await list('limit=1&labelSelector=parity%3Dodd');
    assert.deepEqual(p1.names, ['cm-1']);
    assert.equal(p1.meta.remainingItemCount, undefined);
    const p2 = await list(`limit=1&labelSelector=parity%3Dodd&continue=${encodeURIComponent(p1.meta.continue)}`);
    assert.deepEqual(p2.names, ['cm-3']);
    // The same token with another selector resumes after its last key, in the current state.
    const other = await list(`limit=10&labelSelector=parity%3Deven&continue=${encodeURIComponent(p1.meta.continue)}`);
    assert.deepEqual(other.names, ['cm-2']);
  });

  it('resumes tokens issued elsewhere by key and rejects foreign ones with 400', async () => {
    const token = (t: object) => encodeURIComponent(Buffer.from(JSON.stringify(t)).toString('base64url'));
    // The key of cm-0, as a token of this server carries it.
    const key0 = JSON.parse(Buffer.from((await list('limit=1')).meta.continue, 'base64url').toString()).k as string;
    const resumed = await list(`limit=2&continue=${token({ k: key0 })}`);
    assert.deepEqual(resumed.names, ['cm-1', 'cm-2']);
    const elsewhere = await list(`limit=2&continue=${token({ k: key0, s: 'unknown', o: 3, p: 'another-replica' })}`);
    assert.deepEqual(elsewhere.names, ['cm-1', 'cm-2']);
    const bad = await h.request('GET', `${CM}?limit=2&continue=${token({ k: '/clusters/other/x' })}`);
    assert.equal(bad.status, 400);
    assert.match(bad.json().message, /continue key is not valid/);
  });

  it('lists everything through kubectl\'s chunked requests', async () => {
    const r = await h.kubectl(['-n', 'paging', 'get', 'configmaps', '--chunk-size=2', '-o', 'name']);
    const all = (await list('')).names;
    assert.ok(all.length > 4);
    assert.deepEqual(r.stdout.trim().split('\n'), all.map((n) => `configmap/${n}`));
  });
});
