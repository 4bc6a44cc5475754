// End-to-end: two replicas on one PostgreSQL database restarted one after the other (SIGTERM, graceful) under a
// steady write and watch load, behind a load balancer that follows /readyz (as Kubernetes endpoints do): no
// acknowledged write is lost, the watch (resumed from its last resourceVersion after each clean close) sees every
// write exactly once, every replica exits 0, and clients see no error but retried connection refusals.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../src/apiserver/storage/postgres-test-support.ts';
import { startReplica, eventually, type Replica } from '../support/replicas.ts';

const NS = 'rolling';
const CMS = `/clusters/root/api/v1/namespaces/${NS}/configmaps`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SHUTDOWN_ARGS = ['--shutdown-delay-seconds', '0.5', '--shutdown-timeout-seconds', '10'];

/** Routes each request to a replica whose /readyz answered 200 at the last poll (every 50 ms). */
class Balancer {
  readonly ready = new Set<Replica>();
  refused = 0;
  private timer?: NodeJS.Timeout;
  constructor(readonly replicas: Replica[]) {}
  start(): void {
    const poll = () => {
      for (const r of this.replicas) {
        r.request('GET', '/readyz').then((res) => { if (res.status === 200) this.ready.add(r); else this.ready.delete(r); },
          () => this.ready.delete(r));
      }
      this.timer = setTimeout(poll, 50);
    };
    poll();
  }
  stop(): void { clearTimeout(this.timer); }
  replace(old: Replica, now: Replica): void {
    this.ready.delete(old);
    this.replicas[this.replicas.indexOf(old)] = now;
  }
  async pick(): Promise<Replica> {
    for (;;) {
      const live = [...this.ready];
      if (live.length > 0) return live[Math.floor(Math.random() * live.length)];
      await sleep(10);
    }
  }
  /** A request; a connection refused (the replica stopped listening) or a 429/503 is retried elsewhere. */
  async request(method: string, p: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    for (;;) {
      const r = await this.pick();
      try {
        const res = await r.request(method, p, body);
        if (res.status !== 429 && res.status !== 503) return res;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw e;
      }
      this.refused++;
      this.ready.delete(r);
    }
  }
}

/** A watch that resumes from its last resourceVersion (bookmarks included) on a ready replica after a clean end. */
class ResumingWatch {
  readonly added = new Map<string, number>();
  rv: string;
  errors: string[] = [];
  ends = 0;
  private stopped = false;
  private current?: ReturnType<typeof https.request>;
  constructor(private readonly lb: Balancer, rv: string) { this.rv = rv; }
  async run(): Promise<void> {
    while (!this.stopped) {
      const r = await this.lb.pick();
      const url = new URL(`${r.url}${CMS}?watch=1&allowWatchBookmarks=true&resourceVersion=${this.rv}`);
      await new Promise<void>((resolve) => {
        let buf = '';
        const req = https.request(url, { ...r.creds, agent: false }, (res) => {
          if (res.statusCode !== 200) { this.errors.push(`watch answered ${res.statusCode}`); res.resume(); resolve(); return; }
          res.on('data', (c: Buffer) => {
            buf += String(c);
            for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
              const ev = JSON.parse(buf.slice(0, i)) as { type: string; object: { metadata: { name: string; resourceVersion: string } } };
              buf = buf.slice(i + 1);
              if (ev.type === 'ERROR') { this.errors.push(`watch error event: ${JSON.stringify(ev.object)}`); continue; }
              if (ev.type === 'ADDED') this.added.set(ev.object.metadata.name, (this.added.get(ev.object.metadata.name) ?? 0) + 1);
              this.rv = ev.object.metadata.resourceVersion;
            }
          });
          res.on('end', () => { this.ends++; resolve(); });
          res.on('aborted', () => { if (!this.stopped) this.errors.push('watch stream cut'); resolve(); });
          res.on('error', () => resolve());
        });
        req.on('error', (e: NodeJS.ErrnoException) => {
          if (!this.stopped && e.code !== 'ECONNREFUSED') this.errors.push(`watch: ${e.message}`);
          resolve();
        });
        this.current = req;
        req.end();
      });
    }
  }
  stop(): void { this.stopped = true; this.current?.destroy(); }
}

describe('rolling restart of two replicas on PostgreSQL', () => {
  let db: TestDatabase;
  let dir: string;
  const running: Replica[] = [];
  const start = async (name: string) => {
    const r = await startReplica({ name, store: db.url(), dataDir: path.join(dir, name), home: path.join(dir, 'home'), args: SHUTDOWN_ARGS });
    running.push(r);
    return r;
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-rolling-'));
    db = await createTestDatabase();
  });
  after(async () => {
    await Promise.all(running.map((r) => r.stop('SIGKILL')));
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged write and no watch event', { timeout: 180_000 }, async () => {
    const a = await start('a');
    const b = await start('b');
    const lb = new Balancer([a, b]);
    lb.start();
    await eventually(() => lb.ready.size === 2, 'both replicas ready');
    assert.equal((await lb.request('POST', '/clusters/root/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201);
    const listed = await lb.request('GET', CMS);
    const watch = new ResumingWatch(lb, String((listed.body.metadata as { resourceVersion: string }).resourceVersion));
    const watching = watch.run();

    const acked: string[] = [];
    const failures: string[] = [];
    let writing = true;
    const writer = async (w: number) => {
      for (let i = 0; writing; i++) {
        const name = `w${w}-${i}`;
        const res = await lb.request('POST', CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } });
        if (res.status === 201) acked.push(name); else failures.push(`${name}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    };
    const writers = [writer(1), writer(2)];
    const progress = async (n: number) => { const target = acked.length + n; await eventually(() => acked.length >= target, `${n} more writes`, 60_000); };

    await progress(10);
    for (const [i, old] of [a, b].entries()) {
      const name = i === 0 ? 'a' : 'b';
      await old.stop('SIGTERM');
      assert.equal(await old.exited, 0, `${name} exits 0 after a graceful shutdown:\n${old.logs.slice(-10).join('\n')}`);
      assert.ok(old.logs.some((l) => l.includes('all requests finished')), `${name} drained:\n${old.logs.slice(-10).join('\n')}`);
      const fresh = await start(name);
      lb.replace(old, fresh);
      await eventually(() => lb.ready.has(fresh), `${name} ready again`);
      await progress(10);
    }
    writing = false;
    await Promise.all(writers);

    const final = await lb.request('GET', CMS);
    const stored = new Set((final.body.items as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name));
    await eventually(() => acked.every((n) => watch.added.has(n)), 'the watch has seen every acknowledged write', 30_000).catch(() => undefined);
    watch.stop();
    lb.stop();
    await watching;

    assert.deepEqual(failures, []);
    assert.deepEqual(acked.filter((n) => !stored.has(n)), [], 'acknowledged writes missing from the store');
    assert.deepEqual(acked.filter((n) => watch.added.get(n) !== 1), [], 'writes not seen exactly once by the watch');
    assert.deepEqual(watch.errors, []);
    assert.ok(watch.ends >= 1, 'the watch was closed cleanly by a shutdown and resumed');
    assert.ok(acked.length >= 30);
  });
});
