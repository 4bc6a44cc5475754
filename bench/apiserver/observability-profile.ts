// bench/apiserver/observability-profile.ts: which share of a GET-serving server's CPU goes to observability, from
// CPU profiles of the load alone, with metrics and JSON logging on (the defaults) and off (--no-metrics --log-level
// silent). Req/s on a machine shared with other work moves by tens of percent between consecutive runs; the share of
// the server's own samples spent in observability code barely does, so this is the measure to compare changes with.
// Each sample goes to the nearest frame that has a source file (built-ins such as Map#get or performance.now count
// for their caller): src/observability/, prom-client and pino are "observability".
// Run: node --import tsx bench/apiserver/observability-profile.ts [--seconds 8]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChildServer } from '../../test/support/child-server.ts';
import { load, machine, printTable } from '../support/load.ts';
import { adminTls } from '../support/reference.ts';

const seconds = process.argv.includes('--seconds') ? Number(process.argv[process.argv.indexOf('--seconds') + 1]) : 8;
const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-profile-'));
const preload = path.resolve(import.meta.dirname, '../support/cpu-profile.mjs');
const ns = '/clusters/root/api/v1/namespaces/default/configmaps';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Profile { nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>; samples: number[]; timeDeltas: number[] }
const CATEGORIES: Array<[string, RegExp]> = [['src/observability', /\/src\/observability\//], ['prom-client', /node_modules\/prom-client\//],
  ['pino', /node_modules\/(pino|sonic-boom|thread-stream)/]];

/** Busy microseconds per category (plus garbage collection), and the top observability functions. */
function attribute(p: Profile): { busy: number; gc: number; by: Map<string, number>; top: Array<[string, number]> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const by = new Map<string, number>(CATEGORIES.map(([c]) => [c, 0]));
  const fns = new Map<string, number>();
  let busy = 0;
  let gc = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === '(idle)') return;
    busy += dt;
    if (leaf.callFrame.functionName === '(garbage collector)') gc += dt;
    let at: number | undefined = id;
    while (at !== undefined && !byId.get(at)!.callFrame.url) at = parent.get(at);
    const frame = at === undefined ? undefined : byId.get(at)!.callFrame;
    const cat = frame && CATEGORIES.find(([, re]) => re.test(frame.url))?.[0];
    if (!cat || !frame) return;
    by.set(cat, by.get(cat)! + dt);
    const k = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(src|node_modules)\//, '')}`;
    fns.set(k, (fns.get(k) ?? 0) + dt);
  });
  return { busy, gc, by, top: [...fns].sort((a, b) => b[1] - a[1]).slice(0, 8) };
}

const rows: Array<Record<string, string | number>> = [];
try {
  for (const side of ['on', 'off'] as const) {
    const out = path.join(dir, `${side}.cpuprofile`);
    const s = await startChildServer(['--data-dir', path.join(dir, side), '--listen', '127.0.0.1:0', ...(side === 'off' ? ['--no-metrics', '--log-level', 'silent'] : [])],
      { env: { NODE_OPTIONS: `--import=${preload}`, CPU_PROFILE_OUT: out } });
    try {
      for (let i = 0; i < 100; i++) await s.request('POST', ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { k: 'v' } });
      const url = `${s.url}${ns}/cm-50`;
      await load('warm-up', url, adminTls(s.kubeconfig), { seconds: 3 });
      s.proc.kill('SIGUSR2');
      await sleep(100);
      const r = await load(`get ${side}`, url, adminTls(s.kubeconfig), { seconds });
      s.proc.kill('SIGUSR2');
      for (let i = 0; i < 100 && !readable(out); i++) await sleep(50);
      const a = attribute(JSON.parse(readFileSync(out, 'utf8')) as Profile);
      const pct = (v: number) => `${((v / a.busy) * 100).toFixed(2)}%`;
      const obs = [...a.by.values()].reduce((x, y) => x + y, 0);
      rows.push({ side, 'req/s': r.rps.toFixed(0), 'busy CPU µs/req': (a.busy / r.total).toFixed(0), observability: pct(obs),
        ...Object.fromEntries([...a.by].map(([c, v]) => [c, pct(v)])), 'garbage collection': pct(a.gc), errors: r.errors + r.non2xx });
      if (side === 'on') {
        console.log('\nobservability functions, share of busy samples ("on"):');
        for (const [k, v] of a.top) console.log(`  ${pct(v).padStart(6)}  ${k}`);
      }
    } finally {
      await s.kill('SIGTERM');
    }
  }
  printTable(`bench/apiserver/observability-profile — ${new Date().toISOString().slice(0, 10)} — ${machine()} — ${os.cpus().length} cores, ${seconds}s GET load each, 10 connections, mTLS`, rows);
  console.log('\nobservability: share of the server\'s busy CPU samples in src/observability, prom-client and pino (target for the whole cost: <= 5%).');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function readable(f: string): boolean {
  try { return readFileSync(f).length > 0; } catch { return false; }
}
