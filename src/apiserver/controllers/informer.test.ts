// Tests the informer's fan-out and its recovery: after a failed watch it re-lists and dispatches the difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStorage } from '../storage/sqlite.ts';
import { StorageError, type Storage, type WatchErrorListener } from '../storage/interface.ts';
import { Informer, type InformerEvent } from './informer.ts';

test('dispatches by group/resource and recovers from a failed watch by re-listing', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'informer-'));
  const base = openSqliteStorage({ path: path.join(dir, 'db.sqlite') });
  let fail: WatchErrorListener | undefined;
  let paused = false;
  // A storage whose watch can be broken by the test, like a backend that lost its connection.
  const storage: Storage = {
    ...base,
    get: base.get.bind(base), list: base.list.bind(base), create: base.create.bind(base), update: base.update.bind(base),
    delete: base.delete.bind(base), close: base.close.bind(base),
    watch(prefix, fromRV, onEvent, onError) {
      fail = onError;
      return base.watch(prefix, fromRV, (ev) => { if (!paused) onEvent(ev); }, onError);
    },
  };
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' } });
  await storage.create('/c1/core/configmaps/ns/a', cm('a'));
  await storage.create('/c1/core/secrets/ns/s', cm('s'));
  const seen: string[] = [];
  const informer = new Informer();
  informer.on('', 'configmaps', (ev: InformerEvent) => seen.push(`${ev.type} ${ev.cluster}/${ev.name}`));
  await informer.start(storage, () => undefined);
  assert.deepEqual(seen, ['ADDED c1/a']);
  await storage.create('/c1/core/configmaps/ns/b', cm('b'));
  assert.deepEqual(seen.slice(1), ['ADDED c1/b']);

  // The watch misses changes, then fails: the re-list must report what happened meanwhile.
  paused = true;
  await storage.delete('/c1/core/configmaps/ns/a');
  await storage.update('/c1/core/configmaps/ns/b', { ...cm('b'), data: { x: '1' } });
  await storage.create('/c1/core/configmaps/ns/c', cm('c'));
  paused = false;
  fail!(new StorageError('Unavailable', '/', 'connection lost'));
  for (let i = 0; i < 50 && seen.length < 5; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen.slice(2).sort(), ['ADDED c1/c', 'DELETED c1/a', 'MODIFIED c1/b']);
  await storage.create('/c1/core/configmaps/ns/d', cm('d'));
  assert.equal(seen.at(-1), 'ADDED c1/d');
  informer.stop();
  await base.close();
  rmSync(dir, { recursive: true, force: true });
});
