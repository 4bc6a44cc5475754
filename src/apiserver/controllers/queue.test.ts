// Tests of the WorkQueue: de-duplication, retries, leader gating (keys wait while not leading, run on gaining it),
// fairness across shards, priorities, and the stats it publishes. Orderings are asserted, never timings.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './queue.ts';
import { LeadershipState, alwaysLeader } from './leadership.ts';
import { QueueRegistry } from './queue-stats.ts';

const tick = () => new Promise((r) => setImmediate(r));
const tenantOf = (k: string) => k.split('/')[0];
function latch(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => { open = r; });
  return { wait, open };
}

describe('WorkQueue', () => {
  // Retry backoff timers are unref'd (they never hold a server open); keep the loop alive while tests wait on them.
  let keepAlive: NodeJS.Timeout;
  before(() => { keepAlive = setInterval(() => undefined, 1000); });
  after(() => clearInterval(keepAlive));

  it('processes each added key, de-duplicating keys added while pending', async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => { seen.push(k); }, { concurrency: 1 });
    q.add('a'); q.add('b'); q.add('b');
    await q.idle();
    assert.deepEqual(seen, ['a', 'b']);
    q.stop();
  });

  it('retries a failing key until it succeeds', async () => {
    let calls = 0;
    const q = new WorkQueue(async () => { if (++calls < 3) throw new Error('not yet'); }, { maxBackoffMs: 1 });
    q.add('x');
    await q.idle();
    assert.equal(calls, 3);
    q.stop();
  });

  it('holds keys while not leading and runs them once leadership is gained', async () => {
    const lead = new LeadershipState();
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => { seen.push(k); }, { leadership: lead });
    q.add('a'); q.add('b'); q.add('a');
    await q.idle(); // a follower is idle with parked keys
    await tick();
    assert.deepEqual(seen, []);
    assert.equal(q.queued, 2);
    lead.set(true);
    await q.idle();
    assert.deepEqual(seen.sort(), ['a', 'b']);
    assert.equal(q.queued, 0);
    q.stop();
  });

  it('stops starting keys when leadership is lost, and parks a failing key instead of retrying', async () => {
    const lead = new LeadershipState();
    lead.set(true);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const seen: string[] = [];
    let failFirst = true;
    const q = new WorkQueue(async (k) => {
      seen.push(k);
      if (k === 'slow') { await gate; if (failFirst) { failFirst = false; throw new Error('boom'); } }
    }, { concurrency: 1, leadership: lead, maxBackoffMs: 1 });
    q.add('slow'); q.add('next');
    await tick();
    assert.deepEqual(seen, ['slow']);
    lead.set(false);
    release();
    await q.idle();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, ['slow'], 'nothing new starts (and no retry) while not leading');
    assert.equal(q.queued, 2);
    lead.set(true);
    await q.idle();
    assert.deepEqual(seen.sort(), ['next', 'slow', 'slow']);
    q.stop();
  });

  it('a shard with a thousand keys delays another shard\'s key by one of its own keys', async () => {
    const seen: string[] = [];
    const gate = latch();
    const q = new WorkQueue(async (k) => { seen.push(k); if (k === 'noisy/0') await gate.wait; }, { concurrency: 1, shardOf: tenantOf });
    for (let i = 0; i < 1000; i++) q.add(`noisy/${i}`);
    q.add('quiet/a');
    assert.deepEqual(seen, ['noisy/0']);
    gate.open();
    await q.idle();
    assert.deepEqual(seen.slice(0, 3), ['noisy/0', 'noisy/1', 'quiet/a']);
    assert.equal(seen.length, 1001);
    q.stop();
  });

  it('alternates between busy shards key by key', async () => {
    const seen: string[] = [];
    const gate = latch();
    const q = new WorkQueue(async (k) => { seen.push(k); if (k === 'first') await gate.wait; }, { concurrency: 1, shardOf: tenantOf });
    q.add('first');
    for (let i = 0; i < 3; i++) { q.add(`a/${i}`); q.add(`b/${i}`); q.add(`b/x${i}`); }
    gate.open();
    await q.idle();
    assert.deepEqual(seen, ['first', 'a/0', 'b/0', 'a/1', 'b/x0', 'a/2', 'b/1', 'b/x1', 'b/2', 'b/x2']);
    q.stop();
  });

  it('a shard never holds more workers than its share, so other shards keep running', async () => {
    const gate = latch();
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => { seen.push(k); if (k.startsWith('noisy/')) await gate.wait; }, { concurrency: 4, shardConcurrency: 2, shardOf: tenantOf });
    for (let i = 0; i < 10; i++) q.add(`noisy/${i}`);
    assert.equal(q.running, 2);
    q.add('quiet/a');
    await tick();
    assert.ok(seen.includes('quiet/a'), 'the quiet key runs while the noisy shard\'s keys are blocked');
    gate.open();
    await q.idle();
    assert.equal(seen.length, 11);
    q.stop();
  });

  it('runs normal keys before low-priority resync keys, and keeps half the workers free of resync', async () => {
    const seen: string[] = [];
    const gate = latch();
    const q = new WorkQueue(async (k) => { seen.push(k); if (k === 'r0') await gate.wait; }, { concurrency: 2 });
    for (let i = 0; i < 50; i++) q.add(`r${i}`, { priority: 'low' });
    assert.equal(q.running, 1, 'resync keys leave half the workers for fresh work');
    assert.deepEqual(seen, [], 'a resync key starts in a turn of its own (I/O, e.g. requests, first)');
    await tick();
    q.add('fresh');
    await tick();
    assert.deepEqual(seen, ['r0', 'fresh']);
    q.add('fresh2'); q.add('r7'); // raising a queued resync key to normal priority
    gate.open();
    await q.idle();
    assert.deepEqual(seen.slice(0, 4), ['r0', 'fresh', 'fresh2', 'r7']);
    assert.equal(seen.filter((k) => k === 'r7').length, 1, 'a raised key runs once');
    assert.equal(seen.length, 52);
    q.stop();
  });

  it('gives resync keys at most half of four workers', async () => {
    const gate = latch();
    const q = new WorkQueue(async () => { await gate.wait; }, { concurrency: 4 });
    for (let i = 0; i < 10; i++) q.add(`r${i}`, { priority: 'low' });
    assert.equal(q.running, 2);
    q.add('fresh1'); q.add('fresh2'); q.add('fresh3');
    assert.equal(q.running, 4, 'two fresh keys start at once; the third waits for a worker');
    gate.open();
    await q.idle();
    q.stop();
  });

  it('a failing key frees its worker while it backs off', async () => {
    const seen: string[] = [];
    let fail = true;
    const q = new WorkQueue(async (k) => { seen.push(k); if (k === 'bad' && fail) { fail = false; throw new Error('x'); } }, { concurrency: 1, maxBackoffMs: 1 });
    q.add('bad'); q.add('good');
    await q.idle();
    assert.deepEqual(seen, ['bad', 'good', 'bad']);
    assert.equal(q.retries, 1);
    q.stop();
  });

  it('publishes its depth, adds, retries, latencies and longest running key under its name', async () => {
    let clock = 0;
    const registry = new QueueRegistry();
    const gate = latch();
    const q = new WorkQueue(async (k) => { if (k === 'slow') await gate.wait; }, { name: 'tenants', concurrency: 1, now: () => clock });
    const twin = new WorkQueue(async () => undefined, { name: 'tenants' });
    registry.register(q, twin);
    assert.deepEqual(registry.all().map(([n]) => n), ['tenants', 'tenants-2']);
    q.add('slow'); q.add('a'); q.add('a'); q.add('b');
    const stats = registry.get('tenants')!;
    assert.equal(stats.depth, 2);
    assert.equal(stats.adds, 3);
    clock = 2500;
    assert.equal(stats.longestRunningSeconds(), 2.5);
    assert.equal(stats.unfinishedWorkSeconds(), 2.5);
    gate.open();
    await q.idle();
    assert.equal(stats.depth, 0);
    assert.equal(stats.workDuration.count, 3);
    assert.equal(stats.workDuration.sum, 2.5);
    assert.equal(stats.queueDuration.count, 3);
    assert.equal(stats.queueDuration.sum, 5, 'a and b each waited 2.5 s behind slow');
    assert.equal(stats.queueDuration.cumulative().at(-1), 3);
    assert.equal(stats.longestRunningSeconds(), 0);
    q.stop(); twin.stop();
  });

  it('alwaysLeader never changes', () => {
    assert.equal(alwaysLeader.isLeader(), true);
    const off = alwaysLeader.onChange(() => assert.fail('must not be called'));
    off();
  });
});
