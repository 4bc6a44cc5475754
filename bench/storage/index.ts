// Storage benchmark: creates/s, gets/s and watch fan-out latency (1,000 watchers) for SQLite, PostgreSQL with one
// replica and PostgreSQL with two replicas (two Storage stacks on one database), each behind the watch cache as the
// server runs it. Run: node --import tsx bench/storage/index.ts [--creates N] [--watchers N] [--events N]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { KObject, Storage } from '../../src/apiserver/storage/interface.ts';
import { openSqliteStorage } from '../../src/apiserver/storage/sqlite.ts';
import { openPostgresStorage } from '../../src/apiserver/storage/postgres.ts';
import { createCacher, type Cacher } from '../../src/apiserver/storage/cacher.ts';
import { createTestDatabase } from '../../src/apiserver/storage/postgres-test-support.ts';

const { values } = parseArgs({ options: {
  creates: { type: 'string', default: '2000' },
  concurrency: { type: 'string', default: '16' },
  watchers: { type: 'string', default: '1000' },
  events: { type: 'string', default: '200' },
} });
const CREATES = Number(values.creates);
const CONCURRENCY = Number(values.concurrency);
const WATCHERS = Number(values.watchers);
const EVENTS = Number(values.events);
const PAYLOAD = 'x'.repeat(1024);

interface Stack { backend: Storage; cache: Cacher }
interface Row { name: string; creates: number; cacheGets: number; backendGets: number; p50: number; p99: number; max: number; samples: number }

const obj = (name: string, extra: Record<string, string> = {}): KObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'bench' }, data: { payload: PAYLOAD, ...extra } });
const key = (prefix: string, i: number) => `/root/core/configmaps/bench/${prefix}-${String(i).padStart(6, '0')}`;
const now = () => performance.now();

/** Runs `count` operations with `concurrency` in flight, spread round-robin over the stacks; returns ops/s. */
async function throughput(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < count; i = next++) await op(i);
  }));
  return count / ((now() - start) / 1000);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Watchers are spread over the stacks; writes go through the first stack, one at a time. Latency = time from
 * issuing the write to the event reaching a watcher's callback (an upper bound of commit → event: it includes
 * the write's round trip). With two stacks, half the watchers see the event through the other replica.
 */
async function fanout(stacks: Stack[], tag: string): Promise<{ p50: number; p99: number; max: number; samples: number }> {
  const issued = new Map<string, number>();
  const latencies: number[] = [];
  const prefix = `/root/core/configmaps/bench/`;
  const watchers = [];
  let pending = 0;
  let wake: (() => void) | undefined;
  for (let w = 0; w < WATCHERS; w++) {
    const s = stacks[w % stacks.length];
    watchers.push(s.cache.watch(prefix, s.cache.currentRV(), (ev) => {
      const t = issued.get(ev.key);
      if (t === undefined) return;
      latencies.push(now() - t);
      if (--pending === 0) wake?.();
    }));
  }
  try {
    for (let i = 0; i < EVENTS; i++) {
      const k = key(`${tag}-fan`, i);
      const delivered = new Promise<void>((r) => { wake = r; });
      pending = WATCHERS;
      issued.set(k, now());
      await stacks[0].cache.create(k, obj(k));
      await delivered;
    }
  } finally {
    for (const w of watchers) w.stop();
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1], samples: latencies.length };
}

async function measure(name: string, stacks: Stack[]): Promise<Row> {
  const tag = name.replace(/\W+/g, '').toLowerCase();
  const creates = await throughput(CREATES, CONCURRENCY, (i) => stacks[i % stacks.length].cache.create(key(tag, i), obj(key(tag, i))));
  const cacheGets = await throughput(CREATES * 10, CONCURRENCY, (i) => stacks[i % stacks.length].cache.get(key(tag, i % CREATES)));
  const backendGets = await throughput(CREATES, CONCURRENCY, (i) => stacks[i % stacks.length].backend.get(key(tag, i)));
  const fan = await fanout(stacks, tag);
  return { name, creates, cacheGets, backendGets, ...fan };
}

async function stack(backend: Storage): Promise<Stack> {
  return { backend, cache: await createCacher(backend) };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-'));
  try {
    const sqlite = await stack(openSqliteStorage({ path: path.join(dir, 'bench.db') }));
    rows.push(await measure('SQLite', [sqlite]));
    await sqlite.cache.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  for (const replicas of [1, 2]) {
    const db = await createTestDatabase();
    try {
      const stacks: Stack[] = [];
      for (let r = 0; r < replicas; r++) stacks.push(await stack(await openPostgresStorage({ connectionString: db.url() })));
      rows.push(await measure(`PostgreSQL, ${replicas} replica${replicas > 1 ? 's' : ''}`, stacks));
      for (const s of stacks) await s.cache.close();
    } finally {
      await db.drop();
    }
  }

  const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(`\n${CREATES} creates (${CONCURRENCY} in flight, 1 KiB objects); gets of those keys; fan-out: ${EVENTS} sequential writes to ${WATCHERS} watchers`);
  console.log('latency = write issued → event in watcher callback (includes the write round trip), in ms\n');
  const header = ['store', 'creates/s', 'gets/s (cache)', 'gets/s (backend)', 'fan-out p50', 'fan-out p99', 'max', 'samples'];
  const table = rows.map((r) => [r.name, fmt(r.creates), fmt(r.cacheGets), fmt(r.backendGets), fmt(r.p50, 2), fmt(r.p99, 2), fmt(r.max, 2), fmt(r.samples)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const t of table) console.log(line(t));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
