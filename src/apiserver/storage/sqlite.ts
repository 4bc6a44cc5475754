// Embedded SQLite backend (better-sqlite3, WAL): one table of objects, a persisted global rv counter,
// one transaction per write (or per batch), and an in-memory bounded event log that serves watches.
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  StorageError, type KObject, type ListOptions, type ListResult, type Storage, type StorageEvent, type RawRowListener,
  type Stored, type Watcher, type WatchErrorListener, type WatchListener, type EventType, type BatchOp,
} from './interface.ts';
import { prefixEnd } from './keys.ts';
import { WatchHub } from './watch-hub.ts';

export interface SqliteStorageOptions {
  /** Database file (created if missing). ':memory:' works for throwaway stores. */
  path: string;
  /** At most this many recent events are kept for watches from past rvs (default 10,000). */
  eventRetention?: number;
  /**
   * Beyond the newest 100, events older than this are dropped (default 75 s): the ring only bridges a list and
   * the watch that follows it (the watch cache), so an idle store holds almost none.
   */
  eventWindowMs?: number;
  /** Clock for the event window (tests). */
  now?: () => number;
}

interface LogEntry { type: EventType; key: string; rv: number; json: string }

const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, rv INTEGER NOT NULL, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (id INTEGER PRIMARY KEY CHECK (id = 0), rv INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (id, rv) VALUES (0, 0);
`;

/** The stored object with metadata.resourceVersion = String(rv), as JSON. Never mutates `object`. */
/**
 * A written record whose object is parsed from its JSON on first use (then kept): the watch cache answers most writes
 * from the event it already applied and never reads it, so the parse would be wasted work on every write.
 */
function written(key: string, rv: number, json: string): Stored {
  const r = { key, rv };
  Object.defineProperty(r, STATE, { value: { json, object: undefined } });
  return Object.defineProperty(r, 'object', PARSED_ON_READ) as unknown as Stored;
}

/**
 * `object` is an own enumerable accessor, as in a plain record (spreading or comparing it sees the object), with one
 * getter shared by every record and its state under a non-enumerable symbol: records stay small fast-mode objects (a
 * literal with its own getter closure is a dictionary-mode object about twice that size, one per write).
 */
const STATE = Symbol('written');
const PARSED_ON_READ: PropertyDescriptor = {
  // the state is its own object: the record itself may be frozen (the watch cache freezes what it returns)
  get(this: { [STATE]: { json: string; object?: KObject } }): KObject { const s = this[STATE]; return (s.object ??= JSON.parse(s.json) as KObject); },
  enumerable: true, configurable: true,
};

function withRV(object: KObject, rv: number): string {
  return JSON.stringify({ ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } });
}

function checkObject(key: string, object: KObject): void {
  if (!object || typeof object !== 'object' || !object.metadata || typeof object.metadata !== 'object') {
    throw new TypeError(`storage: object for ${key} must have metadata`);
  }
}

/**
 * Opens (or creates) a SQLite store. Returned objects are fresh copies owned by the caller; every watch
 * listener receives its own parsed copy of each event. Events are delivered synchronously right after
 * the commit that produced them, before the write's promise resolves. Only one process may open a file.
 */
export function openSqliteStorage(opts: SqliteStorageOptions): Storage {
  const db = privately(opts.path, () => {
    const d = new Database(opts.path);
    d.pragma('journal_mode = WAL');
    d.pragma('synchronous = NORMAL');
    d.exec(SCHEMA);
    return d;
  });

  const q = {
    get: db.prepare<[string], { rv: number; value: string }>('SELECT rv, value FROM objects WHERE key = ?'),
    getRV: db.prepare<[string], { rv: number }>('SELECT rv FROM objects WHERE key = ?'),
    insert: db.prepare<[string, number, string]>('INSERT INTO objects (key, rv, value) VALUES (?, ?, ?)'),
    update: db.prepare<[number, string, string]>('UPDATE objects SET rv = ?, value = ? WHERE key = ?'),
    remove: db.prepare<[string]>('DELETE FROM objects WHERE key = ?'),
    setRV: db.prepare<[number]>('UPDATE meta SET rv = ? WHERE id = 0'),
    range: db.prepare<[string, string, number], { key: string; rv: number; value: string }>(
      'SELECT key, rv, value FROM objects WHERE key >= ? AND key < ? ORDER BY key LIMIT ?'),
    rangeAfter: db.prepare<[string, string, string, number], { key: string; rv: number; value: string }>(
      'SELECT key, rv, value FROM objects WHERE key >= ? AND key > ? AND key < ? ORDER BY key LIMIT ?'),
    // rows as [key, rv, value] arrays, one at a time (no array of every row: a load reads hundreds of thousands)
    scan: db.prepare<[string, string], [string, number, string]>(
      'SELECT key, rv, value FROM objects WHERE key >= ? AND key < ? ORDER BY key').raw(true),
  };
  let rv = (db.prepare('SELECT rv FROM meta WHERE id = 0').get() as { rv: number }).rv;
  let closed = false;

  const hub = new WatchHub<LogEntry>({
    capacity: opts.eventRetention ?? 10_000, freshMs: opts.eventWindowMs ?? 75_000, minKeep: 100, now: opts.now,
  }, rv, (e): StorageEvent =>
    ({ type: e.type, key: e.key, rv: e.rv, object: JSON.parse(e.json) as KObject }));

  const ensureOpen = (key: string): void => {
    if (closed) throw new StorageError('Unavailable', key, 'storage is closed');
  };

  /** Runs `write` in one transaction at the next rv; bumps the counter only if it commits. */
  const commit = db.transaction((next: number, write: () => void) => {
    write();
    q.setRV.run(next);
  });
  const writeAt = (type: EventType, key: string, json: string, next: number, write: () => void): Stored => {
    commit(next, write);
    rv = next;
    hub.publish({ type, key, rv: next, json });
    return written(key, next, json);
  };

  /** Checks and stages one op at rv `next` (inside the batch transaction); throws StorageError to roll back. */
  const stage = (op: BatchOp, next: number): LogEntry => {
    const cur = q.get.get(op.key);
    if (op.op === 'create') {
      checkObject(op.key, op.object);
      if (cur) throw new StorageError('Exists', op.key);
      const json = withRV(op.object, next);
      q.insert.run(op.key, next, json);
      return { type: 'ADDED', key: op.key, rv: next, json };
    }
    if (!cur) throw new StorageError('NotFound', op.key);
    if (op.expectRV !== undefined && cur.rv !== op.expectRV) {
      throw new StorageError('Conflict', op.key, `${op.key}: expected resourceVersion ${op.expectRV}, have ${cur.rv}`);
    }
    if (op.op === 'update') {
      checkObject(op.key, op.object);
      const json = withRV(op.object, next);
      q.update.run(next, json, op.key);
      return { type: 'MODIFIED', key: op.key, rv: next, json };
    }
    q.remove.run(op.key);
    return { type: 'DELETED', key: op.key, rv: next, json: withRV(JSON.parse(cur.value) as KObject, next) };
  };
  const commitBatch = db.transaction((ops: readonly BatchOp[], first: number): LogEntry[] => {
    const out = ops.map((op, i) => stage(op, first + i));
    q.setRV.run(first + ops.length - 1);
    return out;
  });

  return {
    async batch(ops: readonly BatchOp[]): Promise<Stored[]> {
      ensureOpen(ops[0]?.key ?? '');
      if (ops.length === 0) return [];
      if (new Set(ops.map((o) => o.key)).size !== ops.length) throw new TypeError('storage: a key may appear only once per batch');
      const entries = commitBatch(ops, rv + 1);
      rv = entries[entries.length - 1].rv;
      for (const e of entries) hub.publish(e);
      return entries.map((e) => written(e.key, e.rv, e.json));
    },

    async get(key: string): Promise<Stored | undefined> {
      ensureOpen(key);
      const row = q.get.get(key);
      return row && { key, rv: row.rv, object: JSON.parse(row.value) as KObject };
    },

    async list(prefix: string, options?: ListOptions): Promise<ListResult> {
      ensureOpen(prefix);
      const limit = options?.limit && options.limit > 0 ? options.limit : -1;
      const fetch = limit > 0 ? limit + 1 : -1;
      const end = prefixEnd(prefix);
      const rows = options?.after !== undefined
        ? q.rangeAfter.all(prefix, options.after, end, fetch)
        : q.range.all(prefix, end, fetch);
      const more = limit > 0 && rows.length > limit;
      if (more) rows.length = limit;
      const items = rows.map((r) => ({ key: r.key, rv: r.rv, object: JSON.parse(r.value) as KObject }));
      const result: ListResult = { items, rv };
      if (more) result.next = rows[rows.length - 1].key;
      return result;
    },

    async listRaw(prefix: string, onRow: RawRowListener): Promise<number> {
      ensureOpen(prefix);
      for (const [key, rowRV, value] of q.scan.iterate(prefix, prefixEnd(prefix))) onRow(key, rowRV, value);
      return rv;
    },

    async create(key: string, object: KObject): Promise<Stored> {
      ensureOpen(key);
      checkObject(key, object);
      if (q.getRV.get(key)) throw new StorageError('Exists', key);
      const next = rv + 1;
      const json = withRV(object, next);
      return writeAt('ADDED', key, json, next, () => q.insert.run(key, next, json));
    },

    async update(key: string, object: KObject, expectRV?: number): Promise<Stored> {
      ensureOpen(key);
      checkObject(key, object);
      const cur = q.getRV.get(key);
      if (!cur) throw new StorageError('NotFound', key);
      if (expectRV !== undefined && cur.rv !== expectRV) {
        throw new StorageError('Conflict', key, `${key}: expected resourceVersion ${expectRV}, have ${cur.rv}`);
      }
      const next = rv + 1;
      const json = withRV(object, next);
      return writeAt('MODIFIED', key, json, next, () => q.update.run(next, json, key));
    },

    async delete(key: string, expectRV?: number): Promise<Stored> {
      ensureOpen(key);
      const cur = q.get.get(key);
      if (!cur) throw new StorageError('NotFound', key);
      if (expectRV !== undefined && cur.rv !== expectRV) {
        throw new StorageError('Conflict', key, `${key}: expected resourceVersion ${expectRV}, have ${cur.rv}`);
      }
      const next = rv + 1;
      const json = withRV(JSON.parse(cur.value) as KObject, next);
      return writeAt('DELETED', key, json, next, () => q.remove.run(key));
    },

    watch(prefix: string, fromRV: number, onEvent: WatchListener, onError?: WatchErrorListener): Watcher {
      ensureOpen(prefix);
      return hub.watch(prefix, fromRV, onEvent, onError);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      db.close();
      hub.close();
      hub.failAll(new StorageError('Unavailable', '', 'storage closed'));
    },
  };
}

const SIDE_FILES = ['', '-wal', '-shm', '-journal'];

/**
 * Runs `open` so that the database and its -wal/-shm/-journal files are 0600 whatever the umask and directory: the
 * file is created 0600 before SQLite opens it (SQLite gives its side files the database's mode), under a 077 umask,
 * and every file that exists afterwards is chmod-ed 0600 (files of an older version were created 0644).
 */
function privately<T>(file: string, open: () => T): T {
  if (file === ':memory:' || file.startsWith('file:')) return open();
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  const restrict = () => { for (const s of SIDE_FILES) if (existsSync(file + s)) chmodSync(file + s, 0o600); };
  restrict();
  let previous: number | undefined;
  // worker threads cannot change the umask: the chmod below still holds
  try { previous = process.umask(0o077); } catch { previous = undefined; }
  try {
    return open();
  } finally {
    if (previous !== undefined) process.umask(previous);
    restrict();
  }
}
