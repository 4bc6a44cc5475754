// Lazy clusters (residency.ts): decisions and rules identical to an index holding every cluster, before and after
// unload/reload; events during a load applied; one load for concurrent first requests; memory bounded against a
// caller naming many (or unknown) clusters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attributes } from '../../../apiserver/auth/types.ts';
import { RbacIndex } from './index.ts';
import { LazyRbac } from './residency.ts';
import { clusterRole, crb, G, rb, res, role, rule, snapshot, U, user } from './rbac-test-support.ts';
import type { PolicySnapshot, RbacKind, RbacObject, WatchEventType } from './types.ts';

/** Stored RBAC per cluster, feeding a lazy index and an eager reference index the same events. */
class World {
  readonly stored = new Map<string, Map<string, [RbacKind, RbacObject]>>();
  readonly eager = new RbacIndex();
  sourceCalls = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** While set, loads wait for it (a slow backend). */
  gate?: Promise<void>;
  readonly lazy: LazyRbac;

  constructor(opts: { capacity?: number; concurrency?: number } = {}) {
    this.lazy = new LazyRbac(new RbacIndex(), { ...opts, source: (c) => this.source(c), pinned: (c) => c === 'root' });
  }

  /** As the watch cache: the snapshot is taken when called, handed over after a (possibly slow) await. */
  private async source(cluster: string): Promise<PolicySnapshot | undefined> {
    this.sourceCalls++;
    const objs = this.stored.get(cluster);
    const s = objs && snapshot({
      roles: this.of(objs, 'Role'), clusterRoles: this.of(objs, 'ClusterRole'),
      roleBindings: this.of(objs, 'RoleBinding'), clusterRoleBindings: this.of(objs, 'ClusterRoleBinding'),
    });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await this.gate;
    await Promise.resolve();
    this.inFlight--;
    return s;
  }

  private of<T>(objs: Map<string, [RbacKind, RbacObject]>, kind: RbacKind): T[] {
    return [...objs.values()].filter(([k]) => k === kind).map(([, o]) => structuredClone(o) as T);
  }

  addCluster(name: string): void { this.stored.set(name, new Map()); }

  write(cluster: string, kind: RbacKind, type: WatchEventType, obj: RbacObject): void {
    const objs = this.stored.get(cluster)!;
    const key = `${kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (type === 'DELETED') objs.delete(key); else objs.set(key, [kind, structuredClone(obj)]);
    this.lazy.apply(cluster, kind, type, obj);
    this.eager.apply(cluster, kind, type, obj);
  }

  /** A tenant: a role, two bindings (user, group), a namespaced Role and RoleBinding. */
  tenant(c: string): void {
    this.addCluster(c);
    this.write(c, 'ClusterRole', 'ADDED', clusterRole('pods', [rule(['get', 'list'], [''], ['pods'])]));
    this.write(c, 'ClusterRoleBinding', 'ADDED', crb('b1', 'pods', [U(`alice-${c}`)]));
    this.write(c, 'ClusterRoleBinding', 'ADDED', crb('b2', 'pods', [G('devs')]));
    this.write(c, 'Role', 'ADDED', role('ns1', 'cm', [rule(['*'], [''], ['configmaps'])]));
    this.write(c, 'RoleBinding', 'ADDED', rb('ns1', 'cm', 'Role', 'cm', [U('bob')]));
  }
}

const requests = (c: string): Attributes[] => {
  const who = [user(`alice-${c}`), user('bob'), user('carol', ['devs']), user('mallory')];
  const out: Attributes[] = [];
  for (const u of who) {
    for (const [verb, resource, ns] of [['get', 'pods', ''], ['list', 'pods', 'ns1'], ['delete', 'pods', 'ns1'], ['update', 'configmaps', 'ns1'], ['get', 'configmaps', 'ns2']]) {
      out.push({ ...res(u, verb!, '', resource!, ns!), cluster: c });
    }
  }
  return out;
};

async function assertSame(w: World, c: string): Promise<void> {
  for (const a of requests(c)) assert.deepEqual(await w.lazy.authorize(a), w.eager.authorize(a), `${a.user.username} ${a.verb} ${a.resource} in ${c}/${a.namespace}`);
  for (const u of [user(`alice-${c}`), user('bob'), user('carol', ['devs'])]) {
    for (const ns of ['', 'ns1']) assert.deepEqual(await w.lazy.rulesFor(c, u, ns), w.eager.rulesFor(c, u, ns));
  }
}

test('decisions and rules are those of an index holding every cluster, before and after unload and reload', async () => {
  const w = new World();
  for (const c of ['t1', 't2', 't3']) w.tenant(c);
  assert.equal(w.lazy.stats().loaded, 0, 'events of clusters nobody used build nothing');
  await assertSame(w, 't1');
  await assertSame(w, 't2');
  assert.equal(w.lazy.stats().loaded, 2);
  // idle for two sweeps: unloaded; t2 used in between stays
  w.lazy.sweep();
  await w.lazy.authorize(requests('t2')[0]!);
  assert.equal(w.lazy.sweep(), 1);
  assert.deepEqual([w.lazy.index.hasCluster('t1'), w.lazy.index.hasCluster('t2')], [false, true]);
  // changes while t1 is idle are read from storage when it loads again
  w.write('t1', 'ClusterRoleBinding', 'DELETED', crb('b2', 'pods', [G('devs')]));
  w.write('t1', 'RoleBinding', 'MODIFIED', rb('ns1', 'cm', 'Role', 'cm', [U('carol')]));
  await assertSame(w, 't1');
  assert.deepEqual(w.lazy.stats().unloads, 1);
});

test('events delivered while a cluster loads are applied on top of its snapshot', async () => {
  const w = new World();
  w.tenant('t1');
  let open!: () => void;
  w.gate = new Promise((r) => { open = r; });
  const first = w.lazy.authorize(requests('t1')[0]!);
  await Promise.resolve();
  w.write('t1', 'ClusterRoleBinding', 'DELETED', crb('b1', 'pods', [U('alice-t1')]));
  w.write('t1', 'ClusterRoleBinding', 'ADDED', crb('b3', 'pods', [U('mallory')]));
  open();
  assert.equal((await first).decision, 'noopinion', 'the deletion during the load counts');
  w.gate = undefined;
  await assertSame(w, 't1');
  assert.equal(w.sourceCalls, 1);
});

test('concurrent first requests load a cluster once; loads in flight are bounded', async () => {
  const w = new World({ concurrency: 2 });
  for (let i = 0; i < 10; i++) w.tenant(`t${i}`);
  let open!: () => void;
  w.gate = new Promise((r) => { open = r; });
  const all: Array<Promise<unknown>> = [];
  for (let i = 0; i < 10; i++) for (let k = 0; k < 5; k++) all.push(Promise.resolve(w.lazy.authorize(requests(`t${i}`)[0]!)));
  await new Promise((r) => setImmediate(r));
  assert.equal(w.inFlight, 2, 'two loads in flight, the others wait');
  open();
  const results = await Promise.all(all);
  assert.ok(results.every((r) => (r as { decision: string }).decision === 'allow'));
  assert.equal(w.sourceCalls, 10, 'one load per cluster');
  assert.equal(w.maxInFlight, 2);
});

test('a caller naming many clusters holds at most the capacity; unknown clusters hold nothing; root stays', async () => {
  const w = new World({ capacity: 20 });
  w.tenant('root');
  for (let i = 0; i < 100; i++) w.tenant(`t${i}`);
  await assertSame(w, 'root');
  for (let i = 0; i < 100; i++) await w.lazy.authorize(requests(`t${i}`)[0]!);
  const before = w.sourceCalls;
  for (let i = 0; i < 100; i++) assert.equal((await w.lazy.authorize({ ...requests('x')[0]!, cluster: `nope${i}` })).decision, 'noopinion');
  assert.equal(w.sourceCalls - before, 100, 'an unknown cluster is looked up once per request, not retried');
  const s = w.lazy.stats();
  assert.ok(s.loaded <= 20, `held ${s.loaded}`);
  assert.equal(s.loading, 0);
  assert.ok(w.lazy.index.hasCluster('root'), 'root is pinned');
  assert.ok(!w.lazy.index.hasCluster('nope0'));
  await assertSame(w, 't3'); // evicted long ago: reloaded with the same answers
  await assertSame(w, 'root');
});

test('rules of an idle cluster are read without holding it; a cluster deleted while loading installs nothing', async () => {
  const w = new World();
  w.tenant('t1');
  w.tenant('t2');
  assert.deepEqual(await w.lazy.rulesFor('t1', user('bob'), 'ns1'), w.eager.rulesFor('t1', user('bob'), 'ns1'));
  assert.equal(w.lazy.index.hasCluster('t1'), false);
  let open!: () => void;
  w.gate = new Promise((r) => { open = r; });
  const pending = w.lazy.authorize(requests('t2')[0]!);
  await Promise.resolve();
  w.lazy.dropCluster('t2');
  w.stored.delete('t2');
  open();
  assert.equal((await pending).decision, 'noopinion');
  assert.equal(w.lazy.index.hasCluster('t2'), false);
});
