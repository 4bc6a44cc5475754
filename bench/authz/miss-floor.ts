// Issue 17's floor: what k dependent reads of one tenant's own heap objects cost when calls are drawn uniformly over
// 100 tenants vs over N (10,000), in one process, with nothing else differing. A request path that touches k
// per-tenant objects cannot be cheaper at N than the k-chain here, however its code is arranged; the difference
// (N minus 100) is what its CPU-cache and TLB misses cost on this machine, to set against the 20% budget.
// Shapes: a Map keyed by tenant name looked up with a fresh string (as a request's parsed path gives it) or with the
// map's own key (an interned handle), then k objects, each reached from the previous one (dependent loads); and the
// real nesting of the RBAC decision (cluster map -> user map -> record -> view array). Per-tenant objects are
// allocated in separate passes with ballast between, so one tenant's objects are as scattered as in the server
// (37 KB of heap per loaded tenant there).
// Run: node --import tsx bench/authz/miss-floor.ts [--tenants 10000] [--calls 200000] [--runs 5] [--ballast-kb 16]
//        [--churn-bytes 1024]
import os from 'node:os';
import { machine, printTable } from '../support/load.ts';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const N = arg('tenants', 10_000);
const CALLS = arg('calls', 200_000);
const RUNS = arg('runs', 5);
const BALLAST_KB = arg('ballast-kb', 16);
/** Bytes allocated per call besides the reads (the server's request path allocates its context, attributes, promises). */
const CHURN = arg('churn-bytes', 1024);

/** One per-tenant object: a few fields, as the server's records (the chain's next link in `next`). */
class Obj { a = 1; b = 'x'; c: unknown = null; constructor(public next: Obj | null, public v: number) {} }

const name = (i: number) => `tc-${String(i).padStart(5, '0')}`;
const ballast: unknown[] = [];
const spread = () => { if (BALLAST_KB > 0) ballast.push(new Array((BALLAST_KB * 1024) / 8 / 4).fill(0.5)); };
// (ballast: BALLAST_KB per 4 objects of a pass, so 10,000 tenants' objects spread over pages as the server's do)

// DEPTH passes, one object per tenant each (the deepest first, so each can point at the next), ballast between.
const DEPTH = 8;
const chain: Obj[][] = Array.from({ length: DEPTH }, () => []);
for (let d = DEPTH - 1; d >= 0; d--) {
  for (let i = 0; i < N; i++) { chain[d]!.push(new Obj(d < DEPTH - 1 ? chain[d + 1]![i]! : null, i)); if (i % 4 === 0) spread(); }
}
const byName = new Map<string, Obj>();
const keys: string[] = [];
for (let i = 0; i < N; i++) { const k = name(i); keys.push(k); byName.set(k, chain[0]![i]!); spread(); }
// The RBAC shape: cluster -> (username -> record -> view array), 25 users per cluster.
const users = (i: number) => Array.from({ length: 25 }, (_, j) => `u${String((i + j * 7) % 2000).padStart(4, '0')}`);
const rbac = new Map<string, Map<string, { epoch: number; top: unknown[] }>>();
for (let i = 0; i < N; i++) {
  const m = new Map<string, { epoch: number; top: unknown[] }>();
  for (const u of users(i)) m.set(u, { epoch: 3, top: [false, 1, 7, 9, i] });
  rbac.set(name(i), m);
  if (i % 2 === 0) spread();
}

type Req = { cluster: string; interned: string; user: string; head: Obj };
const uniform = (size: number) => (k: number) => (k * 7919 + ((k * 2654435761) >>> 20)) % size;
function requests(size: number): Req[] {
  const pick = uniform(size);
  const out: Req[] = [];
  for (let k = 0; k < CALLS; k++) {
    const t = pick(k);
    // a fresh string per request, as the URL parser makes it; the first user of the tenant's RBAC map
    out.push({ cluster: `tc-${String(t).padStart(5, '0')}`, interned: keys[t]!, user: users(t)[0]!, head: chain[0]![t]! });
  }
  return out;
}

let sink = 0;
const churn = (d: number): number[] => (CHURN > 0 ? new Array<number>(CHURN / 8).fill(d) : []);
const deref = (o: Obj | null | undefined, k: number): number => { let x = o; for (let j = 1; j < k; j++) x = x!.next; return x!.v; };
const cases: Array<[string, (r: Req) => number]> = [
  ['loop only (no per-tenant read)', (r) => r.cluster.length],
  ['k=1: object in hand (handle), read it', (r) => r.head.v],
  ['k=2: handle -> 1 object', (r) => deref(r.head, 2)],
  ['k=3: handle -> 2 objects', (r) => deref(r.head, 3)],
  ['k=4: handle -> 3 objects', (r) => deref(r.head, 4)],
  ['k=6: handle -> 5 objects', (r) => deref(r.head, 6)],
  ['k=8: handle -> 7 objects', (r) => deref(r.head, 8)],
  ['Map.get(fresh name) -> object', (r) => byName.get(r.cluster)!.v],
  ['Map.get(interned name) -> object', (r) => byName.get(r.interned)!.v],
  ['Map.get(fresh name) -> 2 objects', (r) => deref(byName.get(r.cluster), 2)],
  ['Map.get(fresh name) -> 4 objects', (r) => deref(byName.get(r.cluster), 4)],
  ['RBAC shape: cluster map -> user map -> record -> view', (r) => { const u = rbac.get(r.cluster)!.get(r.user)!; return u.epoch + (u.top[4] as number); }],
];

/**
 * ns per call: batches of 64, p50 over batches. Each call's request depends on the previous call's result (`dep` is
 * always 0, which the compiler cannot know): calls do not overlap their misses, as in the server, where each request
 * runs a microsecond of other instructions between them (the CPU overlaps only what is close in the stream).
 */
function time(reqs: Req[], f: (r: Req) => number): number {
  for (let k = 0; k < CALLS; k++) sink += f(reqs[k]!); // warm (and the same draw's lines where they were)
  const per: number[] = [];
  let dep = 0;
  for (let k = 0; k + 64 <= CALLS; k += 64) {
    const s = process.hrtime.bigint();
    for (let j = k; j < k + 64; j++) {
      const x = f(reqs[j + dep]!);
      sink += x + churn(dep).length;
      dep = x >>> 31;
    }
    per.push(Number(process.hrtime.bigint() - s) / 64);
  }
  per.sort((x, y) => x - y);
  return per[per.length >> 1]!;
}

const small = requests(100);
const large = requests(N);
const res = new Map<string, { s: number[]; l: number[] }>();
for (let r = 0; r < RUNS; r++) {
  for (const [c, f] of cases) {
    const e = res.get(c) ?? { s: [], l: [] };
    e.s.push(time(small, f));
    e.l.push(time(large, f));
    res.set(c, e);
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const base = res.get(cases[0]![0])!;
const rows = cases.map(([c]) => {
  const e = res.get(c)!;
  const s = med(e.s) - med(base.s), l = med(e.l) - med(base.l);
  return { case: c, '100: ns': s.toFixed(0), [`${N}: ns`]: l.toFixed(0), 'N − 100: ns': (l - s).toFixed(0), ratio: c === cases[0]![0] ? '' : `${(l / Math.max(s, 1)).toFixed(1)}×` };
});
printTable(`bench/authz/miss-floor — ${new Date().toISOString().slice(0, 16)} — ${machine()} — load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} — ${N} tenants, ballast ${BALLAST_KB} KB per 4 objects, ${CHURN} B allocated per call, ${CALLS} calls per case, p50 of batches of 64, medians of ${RUNS} runs; rows other than the first net of the loop`, rows);
if (sink === -1) console.log(ballast.length);
