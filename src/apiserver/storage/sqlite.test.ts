// Tests of the SQLite backend: the shared conformance suite plus persistence, crash safety and watch fan-out details.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runStorageConformance, type StorageFactory } from './conformance.ts';
import { cmKey, configMap, isCode, record, rejectsWith } from './conformance-helpers.ts';
import type { StorageError } from './interface.ts';
import { openSqliteStorage } from './sqlite.ts';

async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-sqlite-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const makeSqlite: StorageFactory = async (opts) => {
  const { dir, remove } = await tempDir();
  const storage = openSqliteStorage({ path: join(dir, 'state.db'), eventRetention: opts?.eventRetention });
  return { storage, cleanup: async () => { await storage.close(); await remove(); } };
};

runStorageConformance('sqlite', makeSqlite);

describe('sqlite storage', () => {
  it('keeps data and the rv counter across close and reopen, also after deletes', async () => {
    const { dir, remove } = await tempDir();
    const path = join(dir, 'state.db');
    try {
      let s = openSqliteStorage({ path });
      const kept = await s.create(cmKey('c', 'kept'), configMap('kept', { v: 'ü🚀' }));
      await s.create(cmKey('c', 'gone'), configMap('gone'));
      const del = await s.delete(cmKey('c', 'gone'));
      await s.close();

      s = openSqliteStorage({ path });
      assert.deepEqual(await s.get(kept.key), kept);
      assert.equal(await s.get(cmKey('c', 'gone')), undefined);
      const listed = await s.list('/c/');
      assert.equal(listed.rv, del.rv);
      assert.deepEqual(listed.items, [kept]);
      assert.throws(() => s.watch('/c/', kept.rv, () => {}), (e) => isCode(e, 'Expired'));
      const rec = record(s, '/c/', del.rv);
      const next = await s.create(cmKey('c', 'gone'), configMap('gone'));
      assert.ok(next.rv > del.rv);
      await rec.until(next.key, next.rv);
      assert.equal(rec.events.length, 1);
      await s.close();
    } finally {
      await remove();
    }
  });

  it('acknowledged writes survive kill -9 of the process', async () => {
    const { dir, remove } = await tempDir();
    const path = join(dir, 'state.db');
    const module = fileURLToPath(new URL('./sqlite.ts', import.meta.url));
    const script = `
      const { openSqliteStorage } = await import(${JSON.stringify(module)});
      const s = openSqliteStorage({ path: ${JSON.stringify(path)} });
      let last = 0;
      for (let i = 0; i < 50; i++) {
        const key = '/c/core/configmaps/default/k' + i;
        last = (await s.create(key, { metadata: { name: 'k' + i }, data: { i: String(i) } })).rv;
      }
      last = (await s.delete('/c/core/configmaps/default/k0')).rv;
      process.stdout.write('acked ' + last + '\\n', () => process.kill(process.pid, 'SIGKILL'));`;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      assert.equal(signal, 'SIGKILL', `child did not die by SIGKILL: ${err}`);
      const acked = Number(/acked (\d+)/.exec(out)?.[1]);
      assert.ok(acked > 0, `child output: ${out} ${err}`);

      const s = openSqliteStorage({ path });
      const listed = await s.list('/c/');
      assert.equal(listed.rv, acked);
      assert.equal(listed.items.length, 49);
      assert.equal(await s.get('/c/core/configmaps/default/k0'), undefined);
      assert.deepEqual((await s.get('/c/core/configmaps/default/k49'))?.object.data, { i: '49' });
      assert.ok((await s.create('/c/core/configmaps/default/k0', { metadata: {} })).rv > acked);
      await s.close();
    } finally {
      await remove();
    }
  });

  it('keeps commit order for every watcher when a listener writes from inside its callback', async () => {
    const s = openSqliteStorage({ path: ':memory:' });
    const seen: number[][] = [[], [], []];
    const from = (await s.list('')).rv;
    s.watch('/c/', from, (e) => {
      seen[0].push(e.rv);
      if (!e.key.endsWith('/trigger')) return;
      s.watch('/c/', from, (ev) => seen[2].push(ev.rv)); // registered mid-dispatch: replay + live, no duplicates
      void s.create(cmKey('c', 'echo'), configMap('echo'));
    });
    s.watch('/c/', from, (e) => seen[1].push(e.rv));
    const trigger = await s.create(cmKey('c', 'trigger'), configMap('trigger'));
    const after = await s.create(cmKey('c', 'after'), configMap('after'));
    const echo = await s.get(cmKey('c', 'echo'));
    assert.ok(echo);
    for (const rvs of seen) assert.deepEqual(rvs, [trigger.rv, echo.rv, after.rv]);
    await s.close();
  });

  it('drops a throwing listener with onError and keeps serving the others', async () => {
    const s = openSqliteStorage({ path: ':memory:' });
    const errors: StorageError[] = [];
    let calls = 0;
    s.watch('/c/', 0, () => { calls++; throw new Error('boom'); }, (e) => errors.push(e));
    const ok = record(s, '/c/', 0);
    await s.create(cmKey('c', 'a'), configMap('a'));
    await s.create(cmKey('c', 'b'), configMap('b'));
    assert.equal(calls, 1);
    assert.equal(errors.length, 1);
    assert.ok(isCode(errors[0], 'Unavailable') && errors[0].message.includes('boom'));
    assert.equal(ok.events.length, 2);
    await s.close();
  });

  it('after close, calls fail with Unavailable and watchers get onError once', async () => {
    const s = openSqliteStorage({ path: ':memory:' });
    const rec = record(s, '/', 0);
    await s.close();
    assert.equal(rec.errors.length, 1);
    assert.ok(isCode(rec.errors[0], 'Unavailable'));
    await rejectsWith(s.get('/c/x'), 'Unavailable');
    await rejectsWith(s.create('/c/x', configMap('x')), 'Unavailable');
    assert.throws(() => s.watch('/', 0, () => {}), (e) => isCode(e, 'Unavailable'));
    await s.close();
  });
});
