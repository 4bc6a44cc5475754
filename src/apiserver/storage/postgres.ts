// PostgreSQL Storage backend (pg@8) for several replicas on one database: CAS writes through portcullis_write
// (which also trims the changelog), consistent lists, and the mapping of database/connection failures to StorageError.
import pg from 'pg';
import { StorageError, type RawRowListener, type BatchOp, type KObject, type ListOptions, type ListResult, type Storage, type Stored, type StorageEvent, type WatchErrorListener, type WatchListener, type Watcher } from './interface.ts';
import { prefixEnd } from './keys.ts';
import { migrate, quoteIdent, SQLSTATE_CONFLICT, SQLSTATE_EXISTS, SQLSTATE_NOT_FOUND } from './postgres-schema.ts';
import { WatchHub, type ChangeBatch, type ChangeRow } from './postgres-watch.ts';

export interface PostgresStatus {
  /** 'up' while the replica's connection to PostgreSQL works; 'down' while operations fail with Unavailable. */
  state: 'up' | 'down';
  reason?: string;
}

export interface PostgresStorageOptions {
  connectionString: string;
  /** Changelog rows kept for watches (older fromRV answers Expired); every write trims. Default 10000, minimum 1. */
  eventRetention?: number;
  onStatus?(s: PostgresStatus): void;
  /** Schema holding the tables (created if missing). Default: the connection's search_path. */
  schema?: string;
  /** Pool size. Default 10. */
  maxConnections?: number;
  /** Give up connecting after this long. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Give up waiting for a query result after this long. Default 30000 ms. */
  queryTimeoutMs?: number;
}

type WriteOp = 'create' | 'update' | 'delete';

/** Kept in the database without metadata.resourceVersion: it is always the rv column, set on read. */
function encode(object: KObject): string {
  const { resourceVersion: _ignored, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}

function checkObject(key: string, object: KObject): void {
  if (!object || typeof object !== 'object' || !object.metadata || typeof object.metadata !== 'object') {
    throw new TypeError(`storage: object for ${key} must have metadata`);
  }
}

function decode(value: string, rv: number): KObject {
  const object = JSON.parse(value) as KObject;
  object.metadata = object.metadata ?? {};
  object.metadata.resourceVersion = String(rv);
  return object;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** True for failures meaning "the database cannot be reached or is not serving right now". */
export function isUnavailableError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^[0-9A-Z]{5}$/.test(code)) {
    // SQLSTATE: connection exception, shutdown/cannot-connect-now, insufficient resources.
    return code.startsWith('08') || code.startsWith('57P') || code.startsWith('53');
  }
  if (NETWORK_CODES.has(code)) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /connection|terminated|timeout|not queryable|after calling end/i.test(message);
}

function toStorageError(err: unknown, key: string): unknown {
  if (err instanceof StorageError) return err;
  const code = (err as { code?: unknown })?.code;
  if (code === SQLSTATE_NOT_FOUND) return new StorageError('NotFound', key);
  if (code === SQLSTATE_EXISTS) return new StorageError('Exists', key);
  if (code === SQLSTATE_CONFLICT) return new StorageError('Conflict', key, (err as Error).message);
  if (isUnavailableError(err)) return new StorageError('Unavailable', key, `database unavailable: ${(err as Error).message}`);
  return err;
}

class PgStorage implements Storage {
  private closed = false;
  readonly hub: WatchHub;

  constructor(private readonly pool: pg.Pool, clientConfig: pg.ClientConfig, private readonly retention: number,
              onStatus: (s: PostgresStatus) => void) {
    this.hub = new WatchHub({
      client: clientConfig,
      fetch: (after, limit) => this.readChanges(after, limit),
      decode: (row: ChangeRow): StorageEvent => ({ type: row.type, key: row.key, rv: row.rv, object: decode(row.value, row.rv) }),
      onConnection: (up, reason) => onStatus(up ? { state: 'up' } : { state: 'down', reason }),
    });
  }

  /** Runs a query, failing fast with Unavailable while the replica knows the database is unreachable. */
  private async query<R extends pg.QueryResultRow>(key: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.closed) throw new StorageError('Unavailable', key, 'storage is closed');
    if (!this.hub.connected) throw new StorageError('Unavailable', key, 'database unavailable (reconnecting)');
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw toStorageError(err, key);
    }
  }

  async get(key: string): Promise<Stored | undefined> {
    const r = await this.query<{ rv: string; value: string }>(key, 'SELECT rv, value FROM objects WHERE key = $1', [key]);
    const row = r.rows[0];
    if (!row) return undefined;
    const rv = Number(row.rv);
    return { key, rv, object: decode(row.value, rv) };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : null;
    // One statement = one snapshot: the counter value is exactly the rv the items are consistent with.
    const r = await this.query<{ list_rv: string; key: string | null; rv: string | null; value: string | null }>(prefix, `
      SELECT c.rv AS list_rv, o.key, o.rv, o.value
      FROM rv_counter c
      LEFT JOIN LATERAL (
        SELECT key, rv, value FROM objects
        WHERE key >= $1 AND key < $2 AND key > $3
        ORDER BY key LIMIT $4
      ) o ON true
      WHERE c.id = 1
      ORDER BY o.key`, [prefix, prefixEnd(prefix), opts.after ?? '', limit === null ? null : limit + 1]);
    const items: Stored[] = [];
    for (const row of r.rows) {
      if (row.key === null || row.rv === null || row.value === null) continue;
      const rv = Number(row.rv);
      items.push({ key: row.key, rv, object: decode(row.value, rv) });
    }
    const result: ListResult = { items, rv: Number(r.rows[0]?.list_rv ?? 0) };
    if (limit !== null && items.length > limit) {
      items.length = limit;
      result.next = items[limit - 1].key;
    }
    return result;
  }

  /** Values are stored without metadata.resourceVersion (the interface allows it): handed over as they are. */
  async listRaw(prefix: string, onRow: RawRowListener): Promise<number> {
    type Row = { list_rv: string; key: string | null; rv: string | null; value: string | null };
    const r = await this.query<Row>(prefix, `
      SELECT c.rv AS list_rv, o.key, o.rv, o.value
      FROM rv_counter c
      LEFT JOIN LATERAL (SELECT key, rv, value FROM objects WHERE key >= $1 AND key < $2) o ON true
      WHERE c.id = 1
      ORDER BY o.key`, [prefix, prefixEnd(prefix)]);
    for (const row of r.rows) {
      if (row.key !== null && row.rv !== null && row.value !== null) onRow(row.key, Number(row.rv), row.value);
    }
    return Number(r.rows[0]?.list_rv ?? 0);
  }

  async create(key: string, object: KObject): Promise<Stored> {
    checkObject(key, object);
    return this.write('create', key, encode(object), null);
  }

  async update(key: string, object: KObject, expectRV?: number): Promise<Stored> {
    checkObject(key, object);
    return this.write('update', key, encode(object), expectRV ?? null);
  }

  delete(key: string, expectRV?: number): Promise<Stored> {
    return this.write('delete', key, null, expectRV ?? null);
  }

  private async write(op: WriteOp, key: string, value: string | null, expectRV: number | null): Promise<Stored> {
    const r = await this.query<{ out_rv: string; out_value: string }>(key,
      'SELECT out_rv, out_value FROM portcullis_write($1, $2, $3, $4, $5)', [op, key, value, expectRV, this.retention]);
    const row = r.rows[0];
    const rv = Number(row.out_rv);
    this.hub.noteRetained(rv - this.retention + 1); // this write removed every changelog row <= rv - retention
    return { key, rv, object: decode(row.out_value, rv) };
  }

  /** One transaction of portcullis_write calls: the counter row lock is held to COMMIT, so rvs stay consecutive. */
  async batch(ops: readonly BatchOp[]): Promise<Stored[]> {
    if (ops.length === 0) return [];
    if (new Set(ops.map((o) => o.key)).size !== ops.length) throw new TypeError('storage: a key may appear only once per batch');
    if (this.closed) throw new StorageError('Unavailable', ops[0].key, 'storage is closed');
    if (!this.hub.connected) throw new StorageError('Unavailable', ops[0].key, 'database unavailable (reconnecting)');
    let client: pg.PoolClient;
    try { client = await this.pool.connect(); } catch (err) { throw toStorageError(err, ops[0].key); }
    let current = ops[0].key;
    try {
      await client.query('BEGIN');
      const out: Stored[] = [];
      for (const op of ops) {
        current = op.key;
        if (op.op !== 'delete') checkObject(op.key, op.object);
        const r = await client.query<{ out_rv: string; out_value: string }>('SELECT out_rv, out_value FROM portcullis_write($1, $2, $3, $4, $5)',
          [op.op, op.key, op.op === 'delete' ? null : encode(op.object), op.op === 'create' ? null : op.expectRV ?? null, this.retention]);
        const rv = Number(r.rows[0].out_rv);
        out.push({ key: op.key, rv, object: decode(r.rows[0].out_value, rv) });
      }
      await client.query('COMMIT');
      this.hub.noteRetained(out[out.length - 1].rv - this.retention + 1);
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw toStorageError(err, current);
    } finally {
      client.release();
    }
  }

  watch(prefix: string, fromRV: number, onEvent: WatchListener, onError?: WatchErrorListener): Watcher {
    return this.hub.watch(prefix, fromRV, onEvent, onError);
  }

  private async readChanges(after: number, limit: number): Promise<ChangeBatch> {
    const r = await this.query<{ rv: string; key: string; type: ChangeRow['type']; value: string; min_rv: string }>('', `
      SELECT rv, key, type, value, (SELECT min(rv) FROM changelog) AS min_rv
      FROM changelog WHERE rv > $1 ORDER BY rv LIMIT $2`, [after, limit]);
    const rows = r.rows.map((x) => ({ rv: Number(x.rv), key: x.key, type: x.type, value: x.value }));
    return { rows, minRv: Number(r.rows[0]?.min_rv ?? 0) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.hub.close();
    await this.pool.end();
  }
}

/**
 * Opens (and migrates) the PostgreSQL store. Rejects with StorageError('Unavailable') if the database cannot be
 * reached now; afterwards the pool and the LISTEN connection reconnect by themselves and watches resume.
 */
export async function openPostgresStorage(opts: PostgresStorageOptions): Promise<Storage> {
  const retention = Math.max(1, Math.floor(opts.eventRetention ?? 10000));
  if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(opts.schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(opts.schema)}`);
  }
  const clientConfig: pg.ClientConfig = {
    connectionString: opts.connectionString,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    query_timeout: opts.queryTimeoutMs ?? 30000,
    keepAlive: true,
    ...(opts.schema ? { options: `-c search_path=${quoteIdent(opts.schema)}` } : {}),
  };
  const pool = new pg.Pool({ ...clientConfig, max: opts.maxConnections ?? 10, idleTimeoutMillis: 30000 });
  // Idle clients whose connection dies are dropped by the pool; the error must not crash the process.
  pool.on('error', () => undefined);
  const storage = new PgStorage(pool, clientConfig, retention, (s) => opts.onStatus?.(s));
  try {
    const client = await pool.connect();
    try {
      await migrate(client, opts.schema);
    } finally {
      client.release();
    }
    await storage.hub.start();
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw toStorageError(err, '');
  }
  return storage;
}
