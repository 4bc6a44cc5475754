// Backup and restore of an embedded (SQLite) installation. A backup is one SQLite file (mode 0600): a consistent
// snapshot of the store taken with SQLite's online backup API while the server keeps writing, plus every file of
// the data directory it needs (the CA and its key, the serving certificate, signing keys, the credentials pepper,
// the admin kubeconfig and password) in a table of its own. Audit logs are not included (they are logs, not state).
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openSqliteStorage } from '../apiserver/storage/sqlite.ts';
import type { Progress } from '../cli/progress.ts';

const FILES_TABLE = 'portcullis_backup_files';
const DB_FILES = /^portcullis\.db(-wal|-shm|-journal)?$/;
const NOT_STATE = /^audit\.log(\.\d+)?$/;

export interface BackupResult { objects: number; files: string[] }

/** The SQLite database of a data directory (or of --store sqlite:<path>). */
export function sqliteDbPath(dataDir: string, store?: string): string {
  if (store && !store.startsWith('sqlite:')) {
    throw new Error(`backup works on the embedded store only; for ${store.split(':')[0]} back up the database itself `
      + '(PostgreSQL: pg_dump --format=custom; see "Operating" in the README)');
  }
  const file = store ? store.slice('sqlite:'.length) : dataDir;
  return file.endsWith('.db') ? path.resolve(file) : path.join(path.resolve(file), 'portcullis.db');
}

function stateFiles(dataDir: string, exclude: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && p !== exclude && !p.startsWith(`${exclude}.`) && !DB_FILES.test(e.name) && !NOT_STATE.test(e.name)) out.push(p);
    }
  };
  walk(dataDir);
  return out.sort();
}

/** Takes an online backup of a running (or stopped) embedded installation into `to` (mode 0600). */
export async function backupSqlite(o: { dataDir: string; store?: string; to: string }): Promise<BackupResult> {
  const dbPath = sqliteDbPath(o.dataDir, o.store);
  if (!existsSync(dbPath)) throw new Error(`no SQLite store at ${dbPath}`);
  const to = path.resolve(o.to);
  if (existsSync(to)) throw new Error(`${to} already exists; choose a new file for the backup`);
  const partial = `${to}.partial`;
  rmSync(partial, { force: true });
  writeFileSync(partial, '', { mode: 0o600 }); // the backup holds keys: private before a byte is written
  const source = new Database(dbPath, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    // All pages in one step: a consistent snapshot (one read transaction) that concurrent writers cannot restart.
    await source.backup(partial, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
  const dataDir = path.dirname(dbPath);
  const files = stateFiles(dataDir, to);
  const db = new Database(partial);
  let objects: number;
  try {
    db.exec(`CREATE TABLE ${FILES_TABLE} (path TEXT PRIMARY KEY, mode INTEGER NOT NULL, content BLOB NOT NULL)`);
    const put = db.prepare(`INSERT INTO ${FILES_TABLE} (path, mode, content) VALUES (?, ?, ?)`);
    db.transaction(() => {
      for (const f of files) put.run(path.relative(dataDir, f), statSync(f).mode & 0o777, readFileSync(f));
    })();
    objects = (db.prepare('SELECT count(*) AS n FROM objects').get() as { n: number }).n;
  } finally {
    db.close();
  }
  chmodSync(partial, 0o600);
  renameSync(partial, to);
  return { objects, files: files.map((f) => path.relative(dataDir, f)) };
}

/** Restores a backup into an empty data directory: the store (checked object by object) and its files. */
export async function restoreSqlite(o: { from: string; dataDir: string; copy: Progress; check: Progress }): Promise<BackupResult> {
  const from = path.resolve(o.from);
  const dataDir = path.resolve(o.dataDir);
  if (!existsSync(from)) throw new Error(`no backup at ${from}`);
  const dbPath = path.join(dataDir, 'portcullis.db');
  if (existsSync(dbPath)) throw new Error(`${dbPath} exists; restore into a new data directory (or move the old one away first)`);
  const backup = new Database(from, { readonly: true, fileMustExist: true });
  let files: Array<{ path: string; mode: number; content: Buffer }>;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const partial = `${dbPath}.partial`;
  try {
    const hasFiles = backup.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(FILES_TABLE);
    if (!hasFiles) throw new Error(`${from} is not a Portcullis backup (made by portcullis backup)`);
    files = backup.prepare(`SELECT path, mode, content FROM ${FILES_TABLE}`).all() as typeof files;
    writeFileSync(partial, '', { mode: 0o600 });
    await backup.backup(partial, { progress: (p) => { o.copy.total(p.totalPages); o.copy.tick(p.totalPages - p.remainingPages); return 100; } });
    o.copy.done();
  } finally {
    backup.close();
  }
  const db = new Database(partial);
  try { db.exec(`DROP TABLE ${FILES_TABLE}`); db.exec('VACUUM'); } finally { db.close(); }
  renameSync(partial, dbPath);
  // Every object must decode through the store itself before the restore counts as done.
  const store = openSqliteStorage({ path: dbPath });
  let objects = 0;
  try {
    const all = await store.list('');
    o.check.total(all.items.length);
    for (const s of all.items) {
      if (!s.object.metadata?.name) throw new Error(`restored object ${s.key} has no name: the backup is damaged`);
      objects++;
      o.check.tick();
    }
    o.check.done();
  } finally {
    await store.close();
  }
  for (const f of files) {
    const target = path.resolve(dataDir, f.path);
    if (!target.startsWith(`${dataDir}${path.sep}`)) throw new Error(`backup names a file outside the data directory: ${f.path}`);
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    // Never more open than it was, never executable, never group/world-writable: keys stay 0600.
    writeFileSync(target, f.content, { mode: f.mode & 0o644 });
    chmodSync(target, f.mode & 0o644);
  }
  return { objects, files: files.map((f) => f.path) };
}
