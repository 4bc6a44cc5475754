// End-to-end: /metrics after a known mix of requests — request counters and histogram counts by verb, resource,
// scope and code, kube-apiserver's buckets, in-flight watches, authentication and authorization counts — parsed
// with a Prometheus text-format parser; controller work queues (workqueue_*); who may scrape (system:monitoring), and that clients cannot grow series.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { startHarness, type Harness } from '../support/harness.ts';
import { REQUEST_DURATION_BUCKETS } from '../../src/observability/metrics.ts';

const NS = '/api/v1/namespaces/metrics/configmaps';

type Labels = Record<string, string>;
const matches = (have: Labels | undefined, want: Labels) => Object.entries(want).every(([k, v]) => (have ?? {})[k] === v);

/**
 * Parses the exposition (the parser throws on malformed text) and keeps each family's declared type; the parser
 * folds labelled histogram series together, so their _bucket/_count/_sum samples are read from a second pass in
 * which histograms are declared untyped.
 */
function parseExposition(text: string): Scrape {
  const typed = parsePrometheusTextFormat(text);
  const flat = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'));
  return new Scrape(typed, flat);
}

class Scrape {
  constructor(readonly typed: ParsedFamily[], readonly families: ParsedFamily[]) {}
  type(name: string): string | undefined { return this.typed.find((x) => x.name === name)?.type; }
  /** Every sample of a name (the untyped pass yields one family per histogram series). */
  family(name: string): { metrics: ParsedFamily['metrics'] } {
    const fs = this.families.filter((x) => x.name === name);
    assert.ok(fs.length > 0, `metric ${name} is exported`);
    return { metrics: fs.flatMap((f) => f.metrics) };
  }
  /** Sum of the samples of a counter or gauge whose labels include `want`. */
  value(name: string, want: Labels = {}): number {
    return this.family(name).metrics.filter((m) => matches(m.labels, want)).reduce((a, m) => a + Number(m.value), 0);
  }
  /** Sum of the _count of a histogram's series whose labels include `want`. */
  count(name: string, want: Labels = {}): number { return this.value(`${name}_count`, want); }
  /** The `le` bounds of one histogram series. */
  buckets(name: string, want: Labels): number[] {
    return this.family(`${name}_bucket`).metrics.filter((m) => matches(m.labels, want)).map((m) => (m.labels!.le === '+Inf' ? Infinity : Number(m.labels!.le)));
  }
  /** The cumulative bucket counts of one histogram series, in `le` order (+Inf last). */
  bucketCounts(name: string, want: Labels): number[] {
    return this.family(`${name}_bucket`).metrics.filter((m) => matches(m.labels, want)).map((m) => Number(m.value));
  }
  series(name: string): number { return this.family(name).metrics.length; }
}

describe('/metrics', () => {
  let h: Harness;
  const scrape = async (headers: Record<string, string> = {}): Promise<Scrape> => {
    const r = await h.request('GET', '/metrics', { headers });
    assert.equal(r.status, 200, r.body);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return parseExposition(r.body);
  };

  before(async () => {
    h = await startHarness();
    assert.equal((await h.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metrics' } } })).status, 201);
  });
  after(async () => { await h?.close(); });

  it('counts a known mix of requests by verb, resource, scope and code, with kube-apiserver buckets', async () => {
    const before = await scrape();
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } };
    assert.equal((await h.request('POST', NS, { body: cm })).status, 201);
    assert.equal((await h.request('POST', NS, { body: { ...cm, metadata: { name: 'Not_Valid' } } })).status, 422);
    for (let i = 0; i < 3; i++) assert.equal((await h.request('GET', `${NS}/a`)).status, 200);
    assert.equal((await h.request('GET', `${NS}/missing`)).status, 404);
    for (let i = 0; i < 2; i++) assert.equal((await h.request('GET', NS)).status, 200);
    assert.equal((await h.request('GET', NS, { anonymous: true, headers: { authorization: 'Bearer not-a-real-token' } })).status, 401);
    assert.equal((await h.request('GET', NS, { headers: { 'Impersonate-User': 'nobody' } })).status, 403);
    const after = await scrape();

    const d = (name: string, want: Labels) => after.value(name, want) - before.value(name, want);
    const dc = (name: string, want: Labels) => after.count(name, want) - before.count(name, want);
    const cms = { group: '', version: 'v1', resource: 'configmaps', component: 'apiserver' };
    assert.equal(d('apiserver_request_total', { ...cms, verb: 'POST', scope: 'resource', code: '201' }), 1);
    assert.equal(d('apiserver_request_total', { ...cms, verb: 'POST', scope: 'resource', code: '422' }), 1);
    assert.equal(d('apiserver_request_total', { ...cms, verb: 'GET', scope: 'resource', code: '200' }), 3);
    assert.equal(d('apiserver_request_total', { ...cms, verb: 'GET', scope: 'resource', code: '404' }), 1);
    assert.equal(d('apiserver_request_total', { ...cms, verb: 'LIST', scope: 'namespace', code: '200' }), 2);
    assert.equal(d('apiserver_request_total', { ...cms, verb: 'LIST', scope: 'namespace', code: '401' }), 1);
    assert.equal(d('apiserver_request_total', { ...cms, verb: 'LIST', scope: 'namespace', code: '403' }), 1);
    assert.equal(d('apiserver_request_total', { verb: 'GET', resource: '', code: '200' }), 1, 'the first scrape itself');
    // The histogram has one observation per request (no code label), in kube-apiserver's buckets.
    assert.equal(dc('apiserver_request_duration_seconds', { ...cms, verb: 'GET', scope: 'resource' }), 4);
    assert.equal(dc('apiserver_request_duration_seconds', { ...cms, verb: 'LIST', scope: 'namespace' }), 4);
    const les = after.buckets('apiserver_request_duration_seconds', { ...cms, verb: 'GET', scope: 'resource' });
    assert.deepEqual(les, [...REQUEST_DURATION_BUCKETS, Infinity]);
    // Every observation lands in exactly one bucket: cumulative counts never fall, and +Inf is the count.
    for (const want of [{ ...cms, verb: 'GET', scope: 'resource' }, { ...cms, verb: 'LIST', scope: 'namespace' }, { ...cms, verb: 'POST', scope: 'resource' }]) {
      const counts = after.bucketCounts('apiserver_request_duration_seconds', want);
      assert.equal(counts.length, REQUEST_DURATION_BUCKETS.length + 1);
      counts.forEach((c, i) => assert.ok(i === 0 || c >= counts[i - 1], `buckets of ${JSON.stringify(want)} are cumulative`));
      assert.equal(counts.at(-1), after.count('apiserver_request_duration_seconds', want));
      assert.equal(counts.at(-2), counts.at(-1), 'each request is in a bucket below +Inf (all finished within 60 s)');
      assert.ok(after.value('apiserver_request_duration_seconds_sum', want) > before.value('apiserver_request_duration_seconds_sum', want));
    }
    assert.equal(dc('apiserver_request_duration_seconds', { ...cms, verb: 'POST', scope: 'resource' }), 2);
    assert.equal(after.type('apiserver_request_duration_seconds'), 'HISTOGRAM');
    assert.equal(after.type('apiserver_request_total'), 'COUNTER');

    assert.equal(d('authentication_attempts', { result: 'error' }), 1);
    assert.equal(d('authentication_attempts', { result: 'success' }), 10, '9 requests with the admin certificate and the first scrape');
    assert.equal(d('portcullis_credential_authentications_total', { kind: 'certificate', result: 'success' }), 10);
    assert.equal(d('portcullis_credential_authentications_total', { kind: 'other', result: 'failure' }), 1);
    assert.equal(dc('authentication_duration_seconds', { result: 'failure' }), 1);
    assert.equal(dc('authentication_duration_seconds', { result: 'success' }), 10);
    assert.equal(dc('portcullis_authenticator_duration_seconds', { authenticator: 'x509', result: 'success' }), 10);
    assert.equal(d('apiserver_authorization_decisions_total', { decision: 'denied' }), 1);
    assert.equal(d('apiserver_authorization_decisions_total', { decision: 'allowed' }), 9);
    assert.ok(after.value('apiserver_storage_objects', { resource: 'configmaps' }) >= 1);
    assert.ok(after.value('apiserver_storage_objects', { resource: 'namespaces' }) >= 5);
    assert.ok(after.value('apiserver_audit_event_total') > before.value('apiserver_audit_event_total'));
    assert.equal(after.value('portcullis_controller_leader'), 1);
    // root's RBAC is held (this request was authorized in it); every logical cluster is loaded or idle
    assert.ok(after.value('portcullis_logical_clusters', { state: 'loaded' }) >= 1);
    assert.equal(after.value('portcullis_logical_clusters', { state: 'loaded' }) + after.value('portcullis_logical_clusters', { state: 'idle' }),
      h.server.clusters.names().length);
    assert.equal(d('portcullis_admission_rejections_total', { operation: 'CREATE' }), 1);
    assert.ok(after.count('portcullis_store_operation_duration_seconds', { operation: 'create', backend: 'sqlite', result: 'success' }) >= 1);
    assert.equal(after.value('apiserver_current_inflight_requests', { request_kind: 'mutating' }), 0);
    assert.equal(after.value('apiserver_current_inflight_requests', { request_kind: 'readOnly' }), 1, 'the scrape in flight');
  });

  it('shows open watches as long-running requests and registered watchers, and forgets them when they end', async () => {
    const url = new URL(`${h.server.url}${NS}?watch=1`);
    const kc = await import('node:fs').then((fs) => fs.readFileSync(h.kubeconfig, 'utf8'));
    const b64 = (k: string) => Buffer.from(new RegExp(`${k}: (\\S+)`).exec(kc)![1], 'base64');
    const req = https.request(url, { ca: h.server.pki.caCertPem, cert: b64('client-certificate-data'), key: b64('client-key-data') });
    const started = new Promise<void>((resolve) => req.on('response', (res) => { res.resume(); resolve(); }));
    req.on('error', () => undefined);
    req.end();
    await started;
    const open = await scrape();
    const want = { verb: 'WATCH', resource: 'configmaps', scope: 'namespace' };
    assert.equal(open.value('apiserver_longrunning_requests', want), 1);
    assert.equal(open.value('apiserver_registered_watchers', { group: '', version: 'v1', kind: 'ConfigMap' }), 1);
    req.destroy();
    for (let i = 0; i < 100; i++) {
      const s = await scrape();
      if (s.value('apiserver_longrunning_requests', want) === 0) {
        assert.equal(s.value('apiserver_registered_watchers', { kind: 'ConfigMap' }), 0);
        assert.equal(s.value('apiserver_request_total', { ...want, code: '200' }), 1);
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail('the watch was still counted after it ended');
  });

  it('exports controller queues under workqueue_* names, one series per named queue', async () => {
    const before = await scrape();
    assert.equal(before.type('workqueue_queue_duration_seconds'), 'HISTOGRAM');
    assert.equal(before.type('workqueue_adds_total'), 'COUNTER');
    assert.equal(before.type('workqueue_depth'), 'GAUGE');
    const names = before.family('workqueue_depth').metrics.map((m) => m.labels!.name).sort();
    for (const n of ['garbagecollector', 'logicalcluster', 'namespace']) assert.ok(names.includes(n), `queue ${n} in ${names.join(',')}`);
    assert.equal(new Set(names).size, names.length, 'one depth series per queue');
    const base = { name: 'namespace' };
    const adds = before.value('workqueue_adds_total', base);
    const done = before.count('workqueue_work_duration_seconds', base);
    assert.equal((await h.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } } })).status, 201);
    assert.equal((await h.request('DELETE', '/api/v1/namespaces/gone')).status, 200);
    await h.server.settle();
    const after = await scrape();
    assert.ok(after.value('workqueue_adds_total', base) > adds, 'deleting a namespace queues it');
    assert.ok(after.count('workqueue_work_duration_seconds', base) > done, 'and its reconcile is timed');
    assert.equal(after.count('workqueue_queue_duration_seconds', base), after.count('workqueue_work_duration_seconds', base));
    assert.equal(after.value('workqueue_depth', base), 0);
    assert.deepEqual(after.buckets('workqueue_work_duration_seconds', base).at(-1), Infinity);
    assert.equal(after.value('workqueue_longest_running_processor_seconds', base), 0);
  });

  it('is served to system:monitoring and to nobody else, and only at the top level', async () => {
    assert.equal((await h.request('GET', '/metrics', { anonymous: true })).status, 401);
    const stranger = await h.request('GET', '/metrics', { headers: { 'Impersonate-User': 'prometheus' } });
    assert.equal(stranger.status, 403);
    assert.match(stranger.json().message, /cannot get path "\/metrics"/);
    await scrape({ 'Impersonate-User': 'prometheus', 'Impersonate-Group': 'system:monitoring' });
    // A tenant cluster's own RBAC (its admins hold nonResourceURLs "*" there) never exposes the server's numbers.
    assert.equal((await h.request('GET', '/clusters/root/metrics')).status, 200);
    const lc = { apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name: 'metrics-tenant' } };
    assert.equal((await h.request('POST', '/apis/tenancy.portcullis.io/v1alpha1/logicalclusters', { body: lc })).status, 201);
    await h.server.settle();
    assert.equal((await h.request('GET', '/clusters/metrics-tenant/api/v1/namespaces/default')).status, 200);
    assert.equal((await h.request('GET', '/clusters/metrics-tenant/metrics')).status, 404);
  });

  it('writes controller log lines with the name of their component', async () => {
    const lc = { apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name: 'metrics-logs' } };
    assert.equal((await h.request('POST', '/apis/tenancy.portcullis.io/v1alpha1/logicalclusters', { body: lc })).status, 201);
    await h.server.settle();
    const from = h.logs.length;
    assert.equal((await h.request('DELETE', '/apis/tenancy.portcullis.io/v1alpha1/logicalclusters/metrics-logs')).status, 200);
    await h.server.settle();
    const lines = h.logs.slice(from).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { component?: string; msg?: string });
    const purged = lines.find((l) => /logical cluster "metrics-logs" purged/.test(l.msg ?? ''));
    assert.ok(purged, `the purge is logged:\n${h.logs.slice(from).join('\n')}`);
    assert.equal(purged.component, 'logical-cluster-controller');

    // A feature module's controller: an identity provider whose issuer refuses connections is logged as such.
    const idp = { apiVersion: 'management.portcullis.io/v1', kind: 'IdentityProvider', metadata: { name: 'metrics-idp' },
      spec: { oidc: { issuer: 'https://127.0.0.1:9/', clientID: 'metrics', usernamePrefix: 'm:' } } };
    assert.equal((await h.request('POST', '/apis/management.portcullis.io/v1/identityproviders', { body: idp })).status, 201);
    const parsed = () => h.logs.slice(from).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { component?: string; msg?: string });
    for (let i = 0; i < 200 && !parsed().some((l) => l.msg?.startsWith('identity provider metrics-idp:')); i++) await new Promise((r) => setTimeout(r, 25));
    const failed = parsed().find((l) => l.msg?.startsWith('identity provider metrics-idp:'));
    assert.ok(failed, `the failed discovery is logged:\n${h.logs.slice(from).join('\n')}`);
    assert.equal(failed.component, 'identity-provider-controller');
  });

  it('keeps label values bounded whatever paths, subresources and methods clients send', async () => {
    const before = await scrape();
    for (let i = 0; i < 20; i++) {
      await h.request('GET', `/api/v1/namespaces/metrics/madeup${i}/x`);
      await h.request('GET', `${NS}/a/sub${i}`);
      await h.request('GET', `/apis/group${i}.example.com/v1/things`);
      await h.request('GET', `/nonresource/path${i}`);
      await h.request('GET', `${NS}/a`, { headers: { 'User-Agent': `agent-${i}`, 'Impersonate-User': `user-${i}` } });
    }
    const after = await scrape();
    const grown = after.series('apiserver_request_total') - before.series('apiserver_request_total');
    assert.ok(grown <= 6, `${grown} new series for 100 requests with distinct paths, users and agents`);
    for (const m of after.family('apiserver_request_total').metrics) {
      const text = JSON.stringify(m.labels);
      assert.doesNotMatch(text, /madeup|sub\d|group\d|path\d|agent-|user-/);
    }
  });
});

describe('/metrics: clusters the watch cache holds compressed', () => {
  let h: Harness;
  before(async () => { h = await startHarness({ config: { watchCacheIdleSweepSeconds: 0.2 } }); });
  after(async () => { await h?.close(); });
  const cold = async (): Promise<{ cold: number; warm: number }> => {
    const r = await h.request('GET', '/metrics');
    assert.equal(r.status, 200, r.body);
    const s = parseExposition(r.body);
    return { cold: s.value('portcullis_watch_cache_clusters', { state: 'cold' }), warm: s.value('portcullis_watch_cache_clusters', { state: 'warm' }) };
  };

  it('counts an idle cluster as cold, restores it intact on its next read and counts it warm again', async () => {
    const lc = { apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name: 'metrics-cold' } };
    assert.equal((await h.request('POST', '/apis/tenancy.portcullis.io/v1alpha1/logicalclusters', { body: lc })).status, 201);
    await h.server.settle();
    const cms = '/clusters/metrics-cold/api/v1/namespaces/default/configmaps';
    for (let i = 0; i < 10; i++) {
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { i: String(i) } };
      assert.equal((await h.request('POST', cms, { body: cm })).status, 201);
    }
    // Nothing else uses the server: wait until every idle cluster is cold and the count holds over two sweeps.
    let last = await cold();
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await cold();
      if (now.cold >= 1 && now.cold === last.cold) break;
      last = now;
    }
    assert.ok(last.cold >= 1, 'the idle tenant cluster went cold');
    assert.equal(last.cold + last.warm, h.server.clusters.names().length);
    const list = await h.request('GET', cms);
    assert.equal(list.status, 200, list.body);
    const items = (list.json() as { items: Array<{ metadata: { name: string }; data: { i: string } }> }).items;
    assert.deepEqual(items.map((x) => `${x.metadata.name}=${x.data.i}`).sort(), [...Array(10).keys()].map((i) => `cm-${i}=${i}`).sort());
    assert.equal((await cold()).cold, last.cold - 1, 'the read restored it');
  });
});
