// Opens the configured store (embedded SQLite by default, PostgreSQL for several replicas) behind the watch cache.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Storage } from '../apiserver/storage/interface.ts';
import { openSqliteStorage } from '../apiserver/storage/sqlite.ts';
import { createCacher, type Cacher } from '../apiserver/storage/cacher.ts';
import type { ServerConfig } from './config.ts';
import { instrumentStorage, type StorageObserver } from '../observability/index.ts';

export async function openStore(cfg: ServerConfig, observer: () => StorageObserver | undefined = () => undefined):
Promise<{ backend: Storage; cache: Cacher; describe: string; kind: 'sqlite' | 'postgres' }> {
  const spec = cfg.store ?? `sqlite:${path.join(cfg.dataDir, 'portcullis.db')}`;
  let backend: Storage;
  let describe: string;
  if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) {
    const { openPostgresStorage } = await import('../apiserver/storage/postgres.ts');
    backend = await openPostgresStorage({ connectionString: spec });
    describe = `postgres ${new URL(spec).host}${new URL(spec).pathname}`;
  } else if (spec.startsWith('sqlite:')) {
    const file = spec.slice('sqlite:'.length);
    const dbPath = file.endsWith('.db') ? file : path.join(file, 'portcullis.db');
    mkdirSync(path.dirname(dbPath), { recursive: true, mode: 0o700 });
    backend = openSqliteStorage({ path: dbPath });
    describe = `sqlite ${dbPath}`;
  } else {
    throw new Error(`unsupported --store "${spec}": use sqlite:<path> or postgres://user@host/db`);
  }
  const cache = await createCacher(instrumentStorage(backend, observer), {
    eventRetention: cfg.watchCacheEvents, eventWindowMs: cfg.watchCacheWindowSeconds * 1000,
    idleSweepMs: cfg.watchCacheIdleSweepSeconds * 1000,
  });
  return { backend, cache, describe, kind: describe.startsWith('postgres') ? 'postgres' : 'sqlite' };
}
