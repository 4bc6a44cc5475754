// Tests the informer's staged start: root is replayed before start() returns, other clusters in the background,
// a cluster asked for (its first request) at once, and a live event is never followed by an older replayed state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStorage } from '../storage/sqlite.ts';
import { Informer } from './informer.ts';

test('replays root first, then each cluster in the background or at once when asked', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'informer-startup-'));
  const storage = openSqliteStorage({ path: path.join(dir, 'db.sqlite') });
  const cm = (name: string, data?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, ...(data ? { data } : {}) });
  for (const [c, n] of [['root', 'r'], ['c1', 'a'], ['c2', 'b'], ['c3', 'c']]) await storage.create(`/${c}/core/configmaps/ns/${n}`, cm(n));
  const seen: string[] = [];
  const informer = new Informer();
  informer.on('', 'configmaps', (ev) => seen.push(`${ev.type} ${ev.cluster}/${ev.name}${ev.replay ? ' (replay)' : ''}`));
  await informer.start(storage, () => undefined, () => ['root', 'c1', 'c2', 'c3']);
  assert.equal(informer.hasSynced, true);
  assert.deepEqual(seen, ['ADDED root/r (replay)'], 'only root before start() returns');

  // a live change in a cluster not replayed yet: its replay must not dispatch it again, nor an older state
  await storage.update('/c2/core/configmaps/ns/b', cm('b', { x: '1' }));
  const c3 = informer.replayCluster('c3');
  assert.ok(c3, 'c3 is replayed now, before its turn');
  assert.equal(informer.replayCluster('c3'), c3, 'a second request waits for the same replay');
  await c3;
  assert.equal(informer.replayCluster('c3'), undefined, 'a replayed cluster needs nothing');
  assert.equal(informer.replayCluster('nope'), undefined, 'an unknown cluster costs nothing');
  await informer.idle();
  // the live change is the first the handlers hear of c2/b (ADDED, as client-go), and its replay adds nothing
  assert.deepEqual(seen, ['ADDED root/r (replay)', 'ADDED c2/b', 'ADDED c3/c (replay)', 'ADDED c1/a (replay)']);
  await storage.create('/c1/core/configmaps/ns/d', cm('d'));
  assert.equal(seen.at(-1), 'ADDED c1/d');
  informer.stop();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an object deleted while its cluster\'s replay is listing is not brought back by that replay', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'informer-startup-del-'));
  const storage = openSqliteStorage({ path: path.join(dir, 'db.sqlite') });
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' } });
  await storage.create('/root/core/configmaps/ns/r', cm('r'));
  await storage.create('/c1/core/configmaps/ns/a', cm('a'));
  // the replay's list of c1 is taken, then (before the replay dispatches it) a controller deletes c1/a: its live
  // DELETED comes first, the snapshot still holds the object
  const racing = Object.create(storage) as typeof storage;
  racing.list = async (prefix, opts) => {
    const snapshot = await storage.list(prefix, opts);
    if (prefix === '/c1/') await storage.delete('/c1/core/configmaps/ns/a');
    await new Promise((r) => setImmediate(r));
    return snapshot;
  };
  const seen: string[] = [];
  const informer = new Informer();
  informer.on('', 'configmaps', (ev) => seen.push(`${ev.type} ${ev.cluster}/${ev.name}`));
  await informer.start(racing, () => undefined, () => ['root', 'c1']);
  await informer.replayCluster('c1');
  await informer.idle();
  assert.notEqual(seen.filter((s) => s.includes('c1/a')).at(-1), 'ADDED c1/a',
    `the deleted object stays deleted for the handlers (saw: ${seen.join(', ')})`);
  informer.stop();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});
