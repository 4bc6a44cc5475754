// Tests of the PostgreSQL backend: the shared conformance suite, migrations under concurrency, two replicas on one
// database (watch delivery in commit order, cross-replica CAS), connection cuts through a TCP proxy, Expired.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { StorageError, type Storage, type StorageEvent } from './interface.ts';
import { runStorageConformance } from './conformance.ts';
import { openPostgresStorage, type PostgresStatus, type PostgresStorageOptions } from './postgres.ts';
import { createTestDatabase, TcpProxy, type TestDatabase } from './postgres-test-support.ts';

// One database per test run, created on first use; each store gets its own schema inside it.
let db: TestDatabase;
let dbReady: Promise<TestDatabase> | undefined;
const database = (): Promise<TestDatabase> => (dbReady ??= createTestDatabase().then((d) => (db = d)));
after(async () => { if (dbReady) await (await dbReady).drop(); });
let schemaSeq = 0;
const newSchema = (): string => `t${++schemaSeq}_${Math.random().toString(36).slice(2, 8)}`;
const obj = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(pred: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await pred())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function changelog(schema: string): Promise<Array<[string, string, number]>> {
  const c = new pg.Client({ connectionString: db.url() });
  await c.connect();
  try {
    const r = await c.query(`SELECT type, key, rv FROM ${schema}.changelog ORDER BY rv`);
    return r.rows.map((x) => [x.type, x.key, Number(x.rv)]);
  } finally {
    await c.end();
  }
}

const brief = (events: StorageEvent[]) => events.map((e): [string, string, number] => [e.type, e.key, e.rv]);
const isCode = (code: string) => (err: unknown) => err instanceof StorageError && err.code === code;

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: db.url() });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}

runStorageConformance('postgres', async (opts) => {
  await database();
  const schema = newSchema();
  const storage = await openPostgresStorage({ connectionString: db.url(), schema, eventRetention: opts?.eventRetention });
  return { storage, cleanup: async () => { await storage.close(); await dropSchema(schema); } };
});

describe('postgres storage', () => {
  const open: Storage[] = [];
  const openStore = async (o: Partial<PostgresStorageOptions> & { schema: string }): Promise<Storage> => {
    const s = await openPostgresStorage({ connectionString: db.url(), ...o });
    open.push(s);
    return s;
  };
  before(database);
  after(async () => { await Promise.all(open.map((s) => s.close())); });

  it('migrates once when two replicas start at the same time', async () => {
    const schema = newSchema();
    const [a, b] = await Promise.all([openStore({ schema }), openStore({ schema })]);
    await a.create('/c/core/configmaps/default/x', obj('x'));
    assert.equal((await b.get('/c/core/configmaps/default/x'))?.rv, 1);
    const c = new pg.Client({ connectionString: db.url() });
    await c.connect();
    const r = await c.query(`SELECT version FROM ${schema}.schema_migrations`);
    await c.end();
    assert.deepEqual(r.rows.map((x) => x.version), [1]);
  });

  it('delivers writes through replica A to watches on replica B in commit order', async () => {
    const schema = newSchema();
    const a = await openStore({ schema });
    const b = await openStore({ schema });
    const onB: StorageEvent[] = [];
    const errors: StorageError[] = [];
    b.watch('/c1/', 0, (e) => onB.push(e), (e) => errors.push(e));
    const k = (i: number) => `/c1/core/configmaps/default/o${i}`;
    for (let i = 0; i < 10; i++) await a.create(k(i), obj(`o${i}`));
    const u = await a.update(k(3), obj('o3', { data: { v: '2' } }), 4);
    await a.delete(k(5));
    await a.create('/c2/core/configmaps/default/other', obj('other'));
    await b.create(k(20), obj('o20'));
    await eventually(() => onB.length === 13, '13 events on B');
    const all = await changelog(schema);
    assert.deepEqual(brief(onB), all.filter(([, key]) => key.startsWith('/c1/')));
    assert.equal(onB[10].object.data && (onB[10].object.data as Record<string, string>).v, '2');
    assert.equal(onB[10].rv, u.rv);
    assert.equal(onB[11].type, 'DELETED');
    assert.equal(onB[11].object.metadata.resourceVersion, String(onB[11].rv));
    assert.deepEqual(errors, []);
  });

  it('gives every concurrent writer on two replicas a distinct rv, delivered in rv order without gaps', async () => {
    const schema = newSchema();
    const a = await openStore({ schema });
    const b = await openStore({ schema });
    const seen: StorageEvent[] = [];
    a.watch('/', 0, (e) => seen.push(e));
    const writes = Array.from({ length: 120 }, (_, i) =>
      (i % 2 ? a : b).create(`/c/core/configmaps/default/w${i}`, obj(`w${i}`)));
    const results = await Promise.all(writes);
    const rvs = results.map((r) => r.rv).sort((x, y) => x - y);
    assert.deepEqual(rvs, Array.from({ length: 120 }, (_, i) => i + 1));
    await eventually(() => seen.length === 120, '120 events');
    assert.deepEqual(seen.map((e) => e.rv), rvs);
  });

  it('lets exactly one of two concurrent CAS updates through A and B win; the other gets Conflict', async () => {
    const schema = newSchema();
    const a = await openStore({ schema });
    const b = await openStore({ schema });
    const key = '/c/core/configmaps/default/cas';
    let cur = await a.create(key, obj('cas', { data: { n: '0' } }));
    for (let round = 1; round <= 15; round++) {
      const outcomes = await Promise.allSettled([
        a.update(key, obj('cas', { data: { n: `a${round}` } }), cur.rv),
        b.update(key, obj('cas', { data: { n: `b${round}` } }), cur.rv),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      assert.equal(won.length, 1, `round ${round}: exactly one winner`);
      assert.ok(isCode('Conflict')(lost[0].reason), `round ${round}: loser gets Conflict, got ${lost[0].reason}`);
      const stored = await b.get(key);
      assert.deepEqual(stored, (won[0] as PromiseFulfilledResult<typeof cur>).value);
      cur = stored!;
    }
  });

  it('survives a cut connection: acknowledged writes kept, Unavailable meanwhile, watch resumes exactly once', async () => {
    const schema = newSchema();
    const proxy = new TcpProxy();
    await proxy.listen();
    const statuses: PostgresStatus[] = [];
    const p = await openStore({ schema, connectionString: db.url(proxy.port), onStatus: (s) => statuses.push(s) });
    const direct = await openStore({ schema });
    const seen: StorageEvent[] = [];
    const watchErrors: StorageError[] = [];
    p.watch('/', 0, (e) => seen.push(e), (e) => watchErrors.push(e));

    const acknowledged = new Map<string, number>();
    const failures: unknown[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const key = `/c/core/configmaps/default/s${i}`;
        try {
          acknowledged.set(key, (await p.create(key, obj(`s${i}`))).rv);
        } catch (err) {
          failures.push(err);
          await sleep(2);
        }
      }
    })();
    await eventually(() => acknowledged.size >= 20, 'writes before the cut');
    await proxy.cut();
    await eventually(() => statuses.some((s) => s.state === 'down'), 'status down');
    await assert.rejects(p.get('/c/core/configmaps/default/s0'), isCode('Unavailable'));
    await assert.rejects(p.create('/c/core/configmaps/default/during', obj('during')), isCode('Unavailable'));
    await assert.rejects(p.list('/c/'), isCode('Unavailable'));
    // Committed while the replica's LISTEN connection is gone: must arrive by catch-up.
    for (let i = 0; i < 5; i++) await direct.create(`/c/core/configmaps/default/d${i}`, obj(`d${i}`));
    await sleep(100);
    await proxy.listen();
    await eventually(() => statuses.at(-1)?.state === 'up', 'status up again');
    const before = acknowledged.size;
    await eventually(() => acknowledged.size >= before + 20, 'writes after the reconnect');
    stop = true;
    await writer;

    assert.ok(failures.length > 0, 'some writes failed during the outage');
    for (const err of failures) assert.ok(isCode('Unavailable')(err), `outage failure is Unavailable: ${String(err)}`);
    for (const [key, rv] of acknowledged) assert.equal((await direct.get(key))?.rv, rv, `acknowledged ${key} kept`);
    const all = await changelog(schema);
    await eventually(() => seen.length >= all.length, 'watch caught up');
    assert.deepEqual(brief(seen), all, 'every committed event exactly once, in order');
    assert.deepEqual(watchErrors, []);
    await p.close();
    await proxy.close();
  });

  it('catches up by rv after a reconnect even when no further write comes', async () => {
    const schema = newSchema();
    const proxy = new TcpProxy();
    await proxy.listen();
    const w = await openPostgresStorage({ connectionString: db.url(proxy.port), schema });
    const direct = await openStore({ schema });
    const seen: StorageEvent[] = [];
    w.watch('/', 0, (e) => seen.push(e));
    const first = await direct.create('/c/core/configmaps/default/before', obj('before'));
    await eventually(() => seen.length === 1, 'first event');
    await proxy.cut();
    const during: number[] = [];
    for (let i = 0; i < 4; i++) during.push((await direct.create(`/c/core/configmaps/default/d${i}`, obj(`d${i}`))).rv);
    await proxy.listen();
    await eventually(() => seen.length === 5, 'events committed during the outage');
    assert.deepEqual(seen.map((e) => e.rv), [first.rv, ...during]);
    await w.close();
    await proxy.close();
  });

  it('keeps eventRetention changelog rows and answers Expired for older watches, on every replica', async () => {
    const schema = newSchema();
    const a = await openStore({ schema, eventRetention: 5 });
    const b = await openStore({ schema, eventRetention: 5 });
    for (let i = 0; i < 12; i++) await a.create(`/c/core/configmaps/default/e${i}`, obj(`e${i}`));
    assert.deepEqual((await changelog(schema)).map(([, , rv]) => rv), [8, 9, 10, 11, 12]);
    assert.throws(() => a.watch('/', 3, () => undefined), isCode('Expired'));
    const errors: StorageError[] = [];
    const events: StorageEvent[] = [];
    b.watch('/', 3, (e) => events.push(e), (e) => errors.push(e));
    await eventually(() => errors.length === 1, 'Expired on the replica that did not prune');
    assert.ok(isCode('Expired')(errors[0]));
    assert.deepEqual(events, []);
    const fromOldest: StorageEvent[] = [];
    a.watch('/', 7, (e) => fromOldest.push(e));
    await eventually(() => fromOldest.length === 5, 'the 5 retained events');
    assert.deepEqual(fromOldest.map((e) => e.rv), [8, 9, 10, 11, 12]);
  });

  it('rejects opening with Unavailable when the database cannot be reached', async () => {
    const proxy = new TcpProxy();
    await proxy.listen();
    const port = proxy.port;
    await proxy.close();
    await assert.rejects(openPostgresStorage({ connectionString: db.url(port), connectTimeoutMs: 2000 }), isCode('Unavailable'));
  });
});
