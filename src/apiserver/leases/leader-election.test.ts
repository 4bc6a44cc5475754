// Leader election over two PostgreSQL-backed replicas: one leader at a time, takeover after the leader stops
// renewing, immediate handover on release, and stepping down when the store is unreachable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../storage/interface.ts';
import { openPostgresStorage } from '../storage/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../storage/postgres-test-support.ts';
import { leaseKey, startLeaderElection, type LeaderElector } from './leader-election.ts';

let db: TestDatabase;
let seq = 0;
const stores: Storage[] = [];

async function replica(schema: string): Promise<Storage> {
  const s = await openPostgresStorage({ connectionString: db.url(), schema });
  stores.push(s);
  return s;
}

async function eventually(pred: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await pred())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Candidates sharing one leader counter that fails the test if two lead at once. */
function campaign(leaseDurationMs: number) {
  let leaders = 0;
  const violations: string[] = [];
  const start = (storage: Storage, identity: string, key: string): LeaderElector => startLeaderElection({
    storage, key, identity, leaseDurationMs, renewDeadlineMs: Math.floor(leaseDurationMs * 2 / 3), retryPeriodMs: 40,
    onStartedLeading: () => { if (++leaders > 1) violations.push(`${identity} started while another led`); },
    onStoppedLeading: () => { leaders--; },
    onError: (err) => violations.push(`${identity}: ${String(err)}`),
  });
  return { start, violations, get leaders() { return leaders; } };
}

describe('leader election', () => {
  before(async () => { db = await createTestDatabase(); });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await db.drop();
  });

  it('elects one leader across two replicas and hands over when the leader stops renewing', async () => {
    const schema = `le${++seq}`;
    const [ra, rb] = [await replica(schema), await replica(schema)];
    const key = leaseKey('root', 'portcullis-system', 'controllers');
    const c = campaign(600);
    const a = c.start(ra, 'replica-a', key);
    await eventually(() => a.isLeader, 'a leads');
    const b = c.start(rb, 'replica-b', key);
    const lease = await rb.get(key);
    assert.equal((lease?.object.spec as { holderIdentity: string }).holderIdentity, 'replica-a');
    assert.equal(lease?.object.kind, 'Lease');
    assert.equal(b.isLeader, false);

    await a.stop({ release: false }); // like kill -9: the lease is left to expire
    await eventually(() => b.isLeader, 'b takes over');
    const taken = (await ra.get(key))?.object.spec as { holderIdentity: string; leaseTransitions: number };
    assert.equal(taken.holderIdentity, 'replica-b');
    assert.equal(taken.leaseTransitions, 1);
    await b.stop();
    assert.deepEqual(c.violations, []);
  });

  it('two candidates starting together: exactly one leads, the other stays a follower while it renews', async () => {
    const schema = `le${++seq}`;
    const [ra, rb] = [await replica(schema), await replica(schema)];
    const key = leaseKey('root', 'portcullis-system', 'race');
    const c = campaign(600);
    const a = c.start(ra, 'a', key);
    const b = c.start(rb, 'b', key);
    await eventually(() => a.isLeader || b.isLeader, 'a leader');
    const first = a.isLeader ? a : b;
    const firstRv = (await ra.get(key))!.rv;
    // Several renewals later the same candidate still leads.
    await eventually(async () => (await ra.get(key))!.rv > firstRv + 3, 'renewals');
    assert.equal(first.isLeader, true);
    assert.equal(c.leaders, 1);
    await Promise.all([a.stop(), b.stop()]);
    assert.deepEqual(c.violations, []);
  });

  it('a released lease is taken over without waiting for it to expire', async () => {
    const schema = `le${++seq}`;
    const [ra, rb] = [await replica(schema), await replica(schema)];
    const key = leaseKey('root', 'portcullis-system', 'release');
    const c = campaign(60_000); // only a release can hand over within the test's patience
    const a = c.start(ra, 'a', key);
    await eventually(() => a.isLeader, 'a leads');
    const b = c.start(rb, 'b', key);
    await a.stop();
    await eventually(() => b.isLeader, 'b takes the released lease');
    await b.stop();
    assert.deepEqual(c.violations, []);
  });

  it('a leader that cannot reach the store steps down', async () => {
    const schema = `le${++seq}`;
    const ra = await openPostgresStorage({ connectionString: db.url(), schema });
    const key = leaseKey('root', 'portcullis-system', 'lost');
    const c = campaign(600);
    const a = c.start(ra, 'a', key);
    await eventually(() => a.isLeader, 'a leads');
    await ra.close(); // every call now fails with Unavailable
    await eventually(() => !a.isLeader, 'a steps down');
    assert.equal(c.leaders, 0);
    await a.stop();
    assert.deepEqual(c.violations, []);
  });
});
