// bench/apiserver: GET and LIST (1k objects in one namespace) req/s and p99 through the whole Portcullis
// chain (mTLS client cert, authn, RBAC, watch cache), beside a no-op Node HTTPS server answering the same bytes; then
// GET req/s with and without the credential-chain check (a second server with PORTCULLIS_BENCH_NO_CHAIN_CHECK=1, same
// run), with the admin client certificate and with an access key (whose chain is the key and its owner User). First of
// all, GET with metrics and JSON logging on (the defaults) vs off (--no-metrics --log-level silent), same run, with
// each server's CPU time per request; bench/apiserver/observability-profile.ts measures the same cost from profiles.
// --only chain: the chain-check comparison alone, beside an A/A control (two servers that both have the check).
// Run: node --import tsx bench/apiserver/index.ts [--seconds 5] [--rounds 3] [--only observability|chain]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChildServer } from '../../test/support/child-server.ts';
import { cpuSeconds, load, machine, printTable, type LoadResult } from '../support/load.ts';
import { adminTls, startReference } from '../support/reference.ts';

const arg = (flag: string, dflt: number) => (process.argv.includes(flag) ? Number(process.argv[process.argv.indexOf(flag) + 1]) : dflt);
const seconds = arg('--seconds', 5);
const rounds = arg('--rounds', 3);
// --only observability: just the metrics/logging on-vs-off comparison (two servers, nothing else loaded);
// --only chain: just the chain-check comparison and its A/A control (three servers with the same history).
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && only !== 'observability' && only !== 'chain') {
  throw new Error(`--only ${only}: the subsets are "observability" and "chain"`);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-'));
const server = only === 'observability' ? undefined : await startChildServer(['--data-dir', path.join(dir, 'data'), '--listen', '127.0.0.1:0']);
const unchecked = only === 'observability' ? undefined : await startChildServer(['--data-dir', path.join(dir, 'data-unchecked'), '--listen', '127.0.0.1:0'],
  { env: { PORTCULLIS_BENCH_NO_CHAIN_CHECK: '1' } });
const quiet = only === 'chain' ? undefined
  : await startChildServer(['--data-dir', path.join(dir, 'quiet'), '--listen', '127.0.0.1:0', '--no-metrics', '--log-level', 'silent']);
// The comparisons' "with" side: a server with the defaults like `server`, but with the same history as the servers it is
// compared with (the same 1,000 ConfigMaps, no LIST load before), so that only the switch differs. The metrics/logging
// comparison runs first, while twin and quiet have the same history (the chain comparison adds an access key and its
// load to twin only).
const twin = await startChildServer(['--data-dir', path.join(dir, 'twin'), '--listen', '127.0.0.1:0']);
const ns = '/clusters/root/api/v1/namespaces/default/configmaps';
type Server = typeof twin;
async function populate(s: Server): Promise<void> {
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < 1000; i++) {
    batch.push(s.request('POST', ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(4, '0')}`, labels: { app: 'bench' } }, data: { key: `value-${i}`, other: 'x'.repeat(64) } }));
    if (batch.length === 50) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}
const getPath = `${ns}/cm-0500`;
try {
  for (const s of [server, unchecked, quiet, twin]) if (s) await populate(s);
  if (only === 'chain' && server && unchecked) await chainCost(getPath, unchecked, server);
  else {
    if (quiet) await observabilityCost(getPath, quiet);
    if (server && unchecked) await chainAndNoop(server, unchecked);
  }
} finally {
  await twin.kill('SIGTERM');
  await quiet?.kill('SIGTERM');
  await unchecked?.kill('SIGTERM');
  await server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

async function chainAndNoop(server: Server, unchecked: Server): Promise<void> {
  const listPath = ns;
  const tls = adminTls(server.kubeconfig);
  const get = await server.request('GET', getPath);
  const list = await server.request('GET', listPath);

  const noop = await startReference(path.join(dir, 'data', 'pki'), path.join(dir, 'noop.json'), {
    [getPath]: { contentType: 'application/json', body: get.body }, [listPath]: { contentType: 'application/json', body: list.body },
  });
  const noopUrl = noop.url;

  // Alternate the two servers over several rounds and keep the median round of each, so a burst of other
  // activity on the machine does not land on one side only.
  const median = (rs: LoadResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)];
  const results: Array<[string, LoadResult, LoadResult]> = [];
  for (const [name, p] of [['get 1 object', getPath], ['list 1k objects', listPath]] as const) {
    const ours: LoadResult[] = [];
    const base: LoadResult[] = [];
    // Warm-up (JIT, caches), not recorded.
    await load(`portcullis ${name}`, `${server.url}${p}`, tls, { seconds: 2 });
    await load(`no-op ${name}`, `${noopUrl}${p}`, tls, { seconds: 2 });
    for (let round = 0; round < rounds; round++) {
      ours.push(await load(`portcullis ${name}`, `${server.url}${p}`, tls, { seconds }));
      base.push(await load(`no-op ${name}`, `${noopUrl}${p}`, tls, { seconds }));
    }
    results.push([name, median(ours), median(base)]);
  }
  noop.proc.kill();
  printTable(`bench/apiserver — ${new Date().toISOString().slice(0, 10)} — ${machine()} — ${os.cpus().length} cores, median of ${rounds} alternating ${seconds}s runs, 10 connections, mTLS`, results.map(([name, ours, base]) => ({
    request: name, 'portcullis req/s': ours.rps.toFixed(0), 'portcullis p50 ms': ours.p50, 'portcullis p99 ms': ours.p99,
    'no-op req/s': base.rps.toFixed(0), 'no-op p99 ms': base.p99, 'ratio': `${((ours.rps / base.rps) * 100).toFixed(0)}%`,
    errors: ours.errors + ours.non2xx + base.errors + base.non2xx,
  })));
  console.log(`\nresponse sizes: get ${get.body.length} bytes, list ${list.body.length} bytes. Target: get >= 50% of the no-op server.`);
  await chainCost(getPath, unchecked);
}

/**
 * GET req/s with the credential-chain check (twin) and without it (unchecked), alternating rounds, same run, with each
 * server's CPU time per request; with `control` (a server with the check and the same history, --only chain), also
 * twin against it: the difference two identical server processes show, against which the check's cost is read.
 */
async function chainCost(getPath: string, unchecked: Server, control?: Server): Promise<void> {
  const keyOf = async (s: Server): Promise<string> => {
    const r = await s.request('POST', '/clusters/root/apis/management.portcullis.io/v1/accesskeys',
      { apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: 'bench-' }, spec: { user: 'admin', displayName: 'bench' } });
    if (r.status !== 201) throw new Error(`access key: ${r.status} ${r.body}`);
    return r.json().status.key as string;
  };
  const keys = new Map<Server, string>();
  for (const s of control ? [twin, unchecked, control] : [twin, unchecked]) keys.set(s, await keyOf(s));
  const median = (rs: LoadResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)];
  const mid = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows: Array<Record<string, string | number>> = [];
  const pairs: Array<[string, Server]> = [['check on vs off', unchecked], ...(control ? [['control: on vs on', control] as [string, Server]] : [])];
  for (const via of ['client certificate', 'access key'] as const) {
    for (const [what, other] of pairs) {
      const run = async (s: Server, secs: number) => {
        const cpu0 = cpuSeconds(s.proc.pid);
        const r = await load(via, `${s.url}${getPath}`, via === 'client certificate' ? adminTls(s.kubeconfig) : {},
          { seconds: secs, ...(via === 'access key' ? { headers: { authorization: `Bearer ${keys.get(s)}` } } : {}) });
        const cpu1 = cpuSeconds(s.proc.pid);
        return { ...r, cpuUs: cpu0 === undefined || cpu1 === undefined ? NaN : ((cpu1 - cpu0) / r.total) * 1e6 };
      };
      await run(twin, 2);
      await run(other, 2);
      const on: Array<Awaited<ReturnType<typeof run>>> = [];
      const off: typeof on = [];
      for (let round = 0; round < rounds; round++) {
        if (round % 2 === 0) { on.push(await run(twin, seconds)); off.push(await run(other, seconds)); }
        else { off.push(await run(other, seconds)); on.push(await run(twin, seconds)); }
      }
      const [a, b] = [median(on), median(off)];
      // each round's two runs are back to back: the median of the rounds' own costs is less exposed to drifting load
      const paired = on.map((r, i) => (off[i].rps - r.rps) / off[i].rps).sort((x, y) => x - y);
      const [cpuA, cpuB] = [mid(on.map((r) => r.cpuUs)), mid(off.map((r) => r.cpuUs))];
      rows.push({ 'get 1 object via': via, compared: what, 'first req/s': a.rps.toFixed(0), 'second req/s': b.rps.toFixed(0),
        'first p99 ms': a.p99, 'second p99 ms': b.p99, cost: pct((b.rps - a.rps) / b.rps),
        'median round cost': pct(paired[Math.floor(paired.length / 2)]),
        'round costs min..max': `${(paired[0] * 100).toFixed(0)}..${(paired[paired.length - 1] * 100).toFixed(0)}%`,
        'CPU µs/req first': cpuA.toFixed(0), second: cpuB.toFixed(0), 'CPU cost': pct((cpuA - cpuB) / cpuB),
        errors: a.errors + a.non2xx + b.errors + b.non2xx });
    }
  }
  printTable(`bench/apiserver — credential-chain check — median of ${rounds} alternating ${seconds}s runs, 10 connections`, rows);
  console.log('\nTarget: the chain check costs <= 3% of GET req/s. "first" has the check; CPU µs/req is each server\'s CPU time\n' +
    'per request (from /proc), which follows other load on the machine less than req/s does.');
}

/**
 * GET req/s with metrics and JSON logging on (twin, the defaults) and off (quiet), same run, same history: rounds
 * alternate which server goes first (on-off, off-on, ...), so neither side always runs on a machine warmed by the other.
 * Beside req/s, each server's CPU time per request (from /proc): on a shared machine req/s follows whatever else runs,
 * CPU per request much less.
 */
async function observabilityCost(getPath: string, quiet: Server): Promise<void> {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const run = async (s: Server, secs: number) => {
    const cpu0 = cpuSeconds(s.proc.pid);
    const r = await load(s === quiet ? 'quiet get' : 'observed get', `${s.url}${getPath}`, adminTls(s.kubeconfig), { seconds: secs });
    const cpu1 = cpuSeconds(s.proc.pid);
    return { ...r, cpuUs: cpu0 === undefined || cpu1 === undefined ? NaN : ((cpu1 - cpu0) / r.total) * 1e6 };
  };
  await run(twin, 2);
  await run(quiet, 2);
  const on: Array<Awaited<ReturnType<typeof run>>> = [];
  const off: typeof on = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) { on.push(await run(twin, seconds)); off.push(await run(quiet, seconds)); }
    else { off.push(await run(quiet, seconds)); on.push(await run(twin, seconds)); }
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const [rpsOn, rpsOff] = [median(on.map((r) => r.rps)), median(off.map((r) => r.rps))];
  const [cpuOn, cpuOff] = [median(on.map((r) => r.cpuUs)), median(off.map((r) => r.cpuUs))];
  const errors = [...on, ...off].reduce((a, r) => a + r.errors + r.non2xx, 0);
  printTable(`bench/apiserver — metrics + JSON logs — median of ${rounds} alternating ${seconds}s runs, 10 connections`, [{
    request: 'get 1 object', 'on req/s': rpsOn.toFixed(0), 'off req/s': rpsOff.toFixed(0), 'cost (req/s)': pct((rpsOff - rpsOn) / rpsOff),
    'on CPU µs/req': cpuOn.toFixed(0), 'off CPU µs/req': cpuOff.toFixed(0), 'cost (CPU/req)': pct((cpuOn - cpuOff) / cpuOn), errors,
  }]);
  console.log(`per-round cost (req/s): ${on.map((r, i) => pct((off[i].rps - r.rps) / off[i].rps)).join(', ')}`);
  console.log(`per-round cost (CPU/req): ${on.map((r, i) => pct((r.cpuUs - off[i].cpuUs) / r.cpuUs)).join(', ')}`);
  console.log('\non: defaults (/metrics, --log-level info, JSON lines); off: --no-metrics --log-level silent. Target: cost <= 5%.');
  console.log('cost (CPU/req): the share of the "on" server\'s CPU per request that the "off" server does not spend.');
}
