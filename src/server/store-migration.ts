// Moves an embedded (SQLite) installation into an empty PostgreSQL store: every object, then the CA and the SA
// signing keys from <data-dir>/pki as shared Secrets, then a full comparison of source and target.
//
// resourceVersions: the target's counter is first raised to the source's last rv, then objects are re-created in
// ascending source-rv order. So every object gets a new rv above any rv a client saw before (the new rv of the
// i-th oldest object is sourceRV + i), the relative order of objects is kept, and watches resumed from an old
// rv get 410 Expired (clients re-list) instead of a replay.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Storage, Stored, KObject } from '../apiserver/storage/interface.ts';
import { openSqliteStorage } from '../apiserver/storage/sqlite.ts';
import { openPostgresStorage } from '../apiserver/storage/postgres.ts';
import { createFilePkiMaterialSource } from '../pki/material-source.ts';
import { createFileSigningKeyStore } from '../pki/signing-keys.ts';
import { CA_SECRET_KEY, SIGNING_KEYS_SECRET_KEY, caSecret, secretObject, sharedSecretKey, signingKeysSecret } from './shared-secrets.ts';

/** Random values and signing-key sets modules keep through ModuleContext.secrets (see replication.ts). */
const MODULE_RANDOM_VALUES = ['credentials-pepper'];
const MODULE_SIGNING_KEYS = ['platform-tokens'];

export interface MigrateOptions {
  /** sqlite:<data-dir or .db file> */
  from: string;
  /** postgres://user@host/db */
  to: string;
  /** Where ca.crt/ca.key/sa-signing-keys.json are; default <data-dir>/pki. */
  pkiDir?: string;
  log?: (m: string) => void;
  /** Told the number of objects, then each one copied. */
  progress?: { total(n: number): void; tick(): void; done(): void };
}

export interface MigrateResult {
  objects: number;
  /** Shared secrets written from the PKI directory (0-2). */
  secrets: number;
  sourceRV: number;
  /** The target's resourceVersion after the copy. */
  targetRV: number;
}

/** sqlite:<dir> → <dir>/portcullis.db and <dir>/pki; sqlite:<file.db> → that file and <its dir>/pki. */
export function sqliteSource(spec: string): { dbPath: string; pkiDir: string } {
  if (!spec.startsWith('sqlite:')) throw new Error(`--from must be sqlite:<data-dir or .db file>, got "${spec}"`);
  const p = path.resolve(spec.slice('sqlite:'.length) || '.');
  const isFile = p.endsWith('.db') || (existsSync(p) && statSync(p).isFile());
  const dbPath = isFile ? p : path.join(p, 'portcullis.db');
  return { dbPath, pkiDir: path.join(path.dirname(dbPath), 'pki') };
}

const comparable = (o: KObject): string => {
  const { resourceVersion: _rv, ...metadata } = o.metadata;
  return JSON.stringify({ ...o, metadata });
};

async function listAll(s: Storage): Promise<{ items: Stored[]; rv: number }> {
  const r = await s.list('');
  return { items: r.items, rv: r.rv };
}

export async function migrateStore(opts: MigrateOptions): Promise<MigrateResult> {
  const log = opts.log ?? (() => undefined);
  if (!/^postgres(ql)?:\/\//.test(opts.to)) throw new Error(`--to must be postgres://..., got "${opts.to}"`);
  const src = sqliteSource(opts.from);
  if (!existsSync(src.dbPath)) throw new Error(`no SQLite store at ${src.dbPath}`);
  const pkiDir = opts.pkiDir ? path.resolve(opts.pkiDir) : src.pkiDir;

  const source = openSqliteStorage({ path: src.dbPath });
  let target: Storage | undefined;
  try {
    target = await openPostgresStorage({ connectionString: opts.to });
    const existing = await target.list('', { limit: 1 });
    if (existing.items.length > 0) throw new Error(`target ${redact(opts.to)} is not empty (it holds ${existing.items[0].key}); migrate only into an empty database`);

    const { items, rv: sourceRV } = await listAll(source);
    items.sort((a, b) => a.rv - b.rv);
    log(`copying ${items.length} objects (source resourceVersion ${sourceRV}) from ${src.dbPath}`);
    await raiseCounter(opts.to, sourceRV);
    opts.progress?.total(items.length);
    for (const s of items) {
      await target.create(s.key, s.object);
      opts.progress?.tick();
    }
    opts.progress?.done();

    let secrets = 0;
    const have = new Set(items.map((s) => s.key));
    const material = await createFilePkiMaterialSource(pkiDir).load();
    if (material && !have.has(CA_SECRET_KEY)) { await target.create(CA_SECRET_KEY, caSecret(material.ca)); secrets++; }
    const keys = await createFileSigningKeyStore(pkiDir).load();
    if (keys && !have.has(SIGNING_KEYS_SECRET_KEY)) { await target.create(SIGNING_KEYS_SECRET_KEY, signingKeysSecret(keys)); secrets++; }
    // Module secrets (credentials pepper, platform-token keys): files named <name> on SQLite, Secrets portcullis-<name> on PostgreSQL.
    for (const name of MODULE_RANDOM_VALUES) {
      const file = path.join(pkiDir, name);
      if (!existsSync(file)) continue;
      const value = readFileSync(file, 'utf8').trim();
      await target.create(sharedSecretKey(`portcullis-${name}`), secretObject(`portcullis-${name}`, { value }));
      secrets++;
    }
    for (const name of MODULE_SIGNING_KEYS) {
      const stored = await createFileSigningKeyStore(path.join(pkiDir, name)).load();
      if (!stored) continue;
      await target.create(sharedSecretKey(`portcullis-${name}`), signingKeysSecret(stored, `portcullis-${name}`));
      secrets++;
    }
    if (!material) log(`warning: no CA in ${pkiDir}; the PostgreSQL-backed server will create a new one (old credentials stop working)`);
    if (!keys) log(`warning: no SA signing keys in ${pkiDir}; existing ServiceAccount tokens will stop working`);

    const after = await listAll(target);
    const expected = items.length + secrets;
    if (after.items.length !== expected) throw new Error(`verification failed: target holds ${after.items.length} objects, expected ${expected}`);
    const byKey = new Map(after.items.map((s) => [s.key, s]));
    let lastRV = sourceRV;
    for (const s of items) {
      const t = byKey.get(s.key);
      if (!t || comparable(t.object) !== comparable(s.object)) throw new Error(`verification failed: ${s.key} differs in the target`);
      if (t.rv <= lastRV) throw new Error(`verification failed: ${s.key} has resourceVersion ${t.rv}, not above ${lastRV}`);
      lastRV = t.rv;
    }
    log(`migrated ${items.length} objects and ${secrets} shared secrets; target resourceVersion ${after.rv}`);
    return { objects: items.length, secrets, sourceRV, targetRV: after.rv };
  } finally {
    await target?.close();
    await source.close();
  }
}

/** Raises the target's rv counter to at least `rv` (only ever done on an empty target). */
async function raiseCounter(url: string, rv: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('UPDATE rv_counter SET rv = GREATEST(rv, $1) WHERE id = 1', [rv]);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  try { const u = new URL(url); u.password = u.password ? '***' : ''; return u.toString(); } catch { return 'postgres://…'; }
}
