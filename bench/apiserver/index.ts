// bench/apiserver: GET and LIST (1k objects in one namespace) req/s and p99 through the whole Portcullis
// chain (mTLS client cert, authn, RBAC, watch cache), beside a no-op Node HTTPS server answering the same bytes; then
// GET req/s with and without the credential-chain check (a second server with PORTCULLIS_BENCH_NO_CHAIN_CHECK=1, same
// run), with the admin client certificate and with an access key (whose chain is the key and its owner User); then
// GET with metrics and JSON logging on (the defaults) vs off (--no-metrics --log-level silent), same run.
// Run: node --import tsx bench/apiserver/index.ts [--seconds 5] [--rounds 3] [--chain-only (the chain-check comparison alone, with an A/A control)]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChildServer } from '../../test/support/child-server.ts';
import { load, machine, printTable, type LoadResult } from '../support/load.ts';
import { adminTls, startReference } from '../support/reference.ts';

const arg = (flag: string, dflt: number) => (process.argv.includes(flag) ? Number(process.argv[process.argv.indexOf(flag) + 1]) : dflt);
const seconds = arg('--seconds', 5);
const rounds = arg('--rounds', 3);
const chainOnly = process.argv.includes('--chain-only');
const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-'));
const server = await startChildServer(['--data-dir', path.join(dir, 'data'), '--listen', '127.0.0.1:0']);
const unchecked = await startChildServer(['--data-dir', path.join(dir, 'data-unchecked'), '--listen', '127.0.0.1:0'],
  { env: { PORTCULLIS_BENCH_NO_CHAIN_CHECK: '1' } });
const quiet = await startChildServer(['--data-dir', path.join(dir, 'quiet'), '--listen', '127.0.0.1:0', '--no-metrics', '--log-level', 'silent']);
// The comparisons' "with" side: a server with the defaults like `server`, but with the same history as the servers it is
// compared with (the same 1,000 ConfigMaps, no LIST load before), so that only the switch differs.
const twin = await startChildServer(['--data-dir', path.join(dir, 'twin'), '--listen', '127.0.0.1:0']);
const ns = '/clusters/root/api/v1/namespaces/default/configmaps';
async function populate(s: typeof server): Promise<void> {
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < 1000; i++) {
    batch.push(s.request('POST', ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(4, '0')}`, labels: { app: 'bench' } }, data: { key: `value-${i}`, other: 'x'.repeat(64) } }));
    if (batch.length === 50) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}
try {
  for (const s of [server, unchecked, quiet, twin]) await populate(s);
  const getPath = `${ns}/cm-0500`;
  if (chainOnly) {
    await chainCost(getPath, true);
  } else {
    await fullRun(getPath);
  }
} finally {
  await twin.kill('SIGTERM');
  await quiet.kill('SIGTERM');
  await unchecked.kill('SIGTERM');
  await server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

/** GET and LIST vs the no-op server, then the chain check and observability comparisons. */
async function fullRun(getPath: string): Promise<void> {
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
  await chainCost(getPath);
  await observabilityCost(getPath);
}

/** CPU time (user + system, ms) the server process has used so far, from the kernel's accounting (Linux only). */
function serverCpuMs(s: typeof server): number | undefined {
  try {
    const stat = readFileSync(`/proc/${s.proc.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime, stime in clock ticks of 10 ms (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/**
 * GET req/s with the credential-chain check (twin) and without it (unchecked), alternating rounds, same run; with
 * `control`, also twin against `server` (both with the check, same history in --chain-only runs): the difference
 * two identical server processes show, against which the check's cost is read.
 */
async function chainCost(getPath: string, control = false): Promise<void> {
  const keyOf = async (s: typeof server): Promise<string> => {
    const r = await s.request('POST', '/clusters/root/apis/management.portcullis.io/v1/accesskeys',
      { apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: 'bench-' }, spec: { user: 'admin', displayName: 'bench' } });
    if (r.status !== 201) throw new Error(`access key: ${r.status} ${r.body}`);
    return r.json().status.key as string;
  };
  const keys = new Map<typeof server, string>();
  for (const s of control ? [twin, unchecked, server] : [twin, unchecked]) keys.set(s, await keyOf(s));
  const median = (rs: LoadResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)];
  const mid = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const rows: Array<Record<string, string | number>> = [];
  const pairs: Array<[string, typeof server]> = [['check on vs off', unchecked], ...(control ? [['control: on vs on', server] as [string, typeof server]] : [])];
  for (const via of ['client certificate', 'access key'] as const) {
    for (const [what, other] of pairs) {
      const cpu = new Map<typeof server, number[]>([[twin, []], [other, []]]);
      const run = async (s: typeof server, secs: number, record: boolean) => {
        const cpu0 = serverCpuMs(s);
        const r = await load(via, `${s.url}${getPath}`, via === 'client certificate' ? adminTls(s.kubeconfig) : {},
          { seconds: secs, ...(via === 'access key' ? { headers: { authorization: `Bearer ${keys.get(s)}` } } : {}) });
        const cpu1 = serverCpuMs(s);
        if (record && cpu0 !== undefined && cpu1 !== undefined && r.rps > 0) cpu.get(s)!.push(((cpu1 - cpu0) * 1000) / (r.rps * secs));
        return r;
      };
      await run(twin, 2, false);
      await run(other, 2, false);
      const on: LoadResult[] = [];
      const off: LoadResult[] = [];
      for (let round = 0; round < rounds; round++) {
        on.push(await run(twin, seconds, true));
        off.push(await run(other, seconds, true));
      }
      const [a, b] = [median(on), median(off)];
      // each round's two runs are back to back: the median of the rounds' own costs is less exposed to drifting load
      const paired = on.map((r, i) => (off[i].rps - r.rps) / off[i].rps).sort((x, y) => x - y);
      const [cpuA, cpuB] = [mid(cpu.get(twin)!), mid(cpu.get(other)!)];
      rows.push({ 'get 1 object via': via, compared: what, 'first req/s': a.rps.toFixed(0), 'second req/s': b.rps.toFixed(0),
        'first p99 ms': a.p99, 'second p99 ms': b.p99, cost: `${(((b.rps - a.rps) / b.rps) * 100).toFixed(1)}%`,
        'median round cost': `${(paired[Math.floor(paired.length / 2)] * 100).toFixed(1)}%`,
        'round costs min..max': `${(paired[0] * 100).toFixed(0)}..${(paired[paired.length - 1] * 100).toFixed(0)}%`,
        'server CPU µs/req first': cpuA?.toFixed(0) ?? 'n/a', second: cpuB?.toFixed(0) ?? 'n/a',
        'CPU cost': cpuA === undefined ? 'n/a' : `${(((cpuA - cpuB) / cpuB) * 100).toFixed(1)}%`,
        errors: a.errors + a.non2xx + b.errors + b.non2xx });
    }
  }
  printTable(`bench/apiserver — credential-chain check — median of ${rounds} alternating ${seconds}s runs, 10 connections`, rows);
  console.log('\nTarget: the chain check costs <= 3% of GET req/s. Server CPU per request (user + system time of the server\n' +
    'process over each run / requests served; Linux only) is less exposed to other load on the machine than req/s.');
}

/** GET req/s with metrics and JSON logging on (server, the defaults) and off (quiet), alternating rounds, same run. */
async function observabilityCost(getPath: string): Promise<void> {
  const median = (rs: LoadResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)];
  const run = (s: typeof server, secs: number) => load(s === quiet ? 'quiet get' : 'observed get', `${s.url}${getPath}`, adminTls(s.kubeconfig),
    { seconds: secs });
  await run(twin, 2);
  await run(quiet, 2);
  const on: LoadResult[] = [];
  const off: LoadResult[] = [];
  for (let round = 0; round < rounds; round++) {
    on.push(await run(twin, seconds));
    off.push(await run(quiet, seconds));
  }
  const [a, b] = [median(on), median(off)];
  printTable(`bench/apiserver — metrics + JSON logs — median of ${rounds} alternating ${seconds}s runs, 10 connections`, [{
    request: 'get 1 object', 'on req/s': a.rps.toFixed(0), 'on p99 ms': a.p99, 'off req/s': b.rps.toFixed(0), 'off p99 ms': b.p99,
    cost: `${(((b.rps - a.rps) / b.rps) * 100).toFixed(1)}%`, errors: a.errors + a.non2xx + b.errors + b.non2xx,
  }]);
  console.log('\non: defaults (/metrics, --log-level info, JSON lines); off: --no-metrics --log-level silent. Target: cost <= 5%.');
}
