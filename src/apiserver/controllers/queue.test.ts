// Tests of the WorkQueue: de-duplication, retries, and leader gating (keys wait while not leading, run on gaining it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './queue.ts';
import { LeadershipState, alwaysLeader } from './leadership.ts';

const tick = () => new Promise((r) => setImmediate(r));

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

  it('alwaysLeader never changes', () => {
    assert.equal(alwaysLeader.isLeader(), true);
    const off = alwaysLeader.onChange(() => assert.fail('must not be called'));
    off();
  });
});
