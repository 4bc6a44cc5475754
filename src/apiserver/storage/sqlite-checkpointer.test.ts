// The WAL checkpointer: a worker thread copies committed WAL frames into the database, so the WAL starts over
// instead of growing, while the writing connection never checkpoints; if the worker fails, the store is told.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startCheckpointer } from './sqlite-checkpointer.ts';
import { openSqliteStorage } from './sqlite.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-ckpt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const page = 'x'.repeat(3000);

describe('WAL checkpointer', () => {
  it('checkpoints the whole WAL after writes, and the WAL is reused instead of growing', async () => {
    const file = path.join(dir, 'a.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)');
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const c = startCheckpointer(file, (e) => assert.fail(e));
    let k = 0;
    const round = async () => {
      for (let i = 0; i < 400; i++) { insert.run(k++, page); c.wrote(); }
      return c.idle();
    };
    const first = await round();
    assert.ok(first && first.log > 300, `a WAL of ${first?.log} frames`);
    assert.equal(first.checkpointed, first.log, 'all of it is in the database');
    const size = statSync(`${file}-wal`).size;
    const second = await round();
    assert.equal(second?.checkpointed, second?.log);
    // without checkpoints the second round would have doubled the WAL
    assert.ok(statSync(`${file}-wal`).size < size * 1.5, `WAL ${statSync(`${file}-wal`).size} bytes after ${size}`);
    await c.close();
    assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 800);
    db.close();
  });

  it('reports a worker that cannot start, so that the store checkpoints by itself', async () => {
    const file = path.join(dir, 'b.db');
    new Database(file).close();
    const failed = new Promise<Error>((resolve) => {
      const c = startCheckpointer(file, resolve, { module: path.join(dir, 'no-such-module.js') });
      c.wrote();
    });
    assert.match((await failed).message, /no-such-module|Cannot find module/);
  });

  it('keeps a store durable across close and reopen with its checkpoints done in the worker', async () => {
    const file = path.join(dir, 'c.db');
    const s = openSqliteStorage({ path: file });
    for (let i = 0; i < 300; i++) {
      await s.create(`/t/${i}`, { metadata: { name: `n${i}` }, data: { v: page } } as never);
    }
    await s.close();
    const again = openSqliteStorage({ path: file });
    const list = await again.list('/t/', {});
    assert.equal(list.items.length, 300);
    await again.close();
  });
});
