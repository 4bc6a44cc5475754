// Checks made before a start touches the data directory, so a start that cannot succeed leaves nothing
// half-made and says what is missing and how to fix it.
import net from 'node:net';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ServerConfig } from './config.ts';
import { parseListen } from './config.ts';
import { loadBootstrapPolicy } from '../auth/authz/rbac/index.ts';

function checkBootstrapPolicy(): void {
  try { loadBootstrapPolicy(); } catch (e) {
    const override = process.env.PORTCULLIS_K8S_REFERENCE;
    throw new Error(`cannot load Kubernetes' bootstrap RBAC policy: ${(e as Error).message}. `
      + (override
        ? `PORTCULLIS_K8S_REFERENCE=${override} must name a folder with cluster-roles.yaml, cluster-role-bindings.yaml, `
          + 'namespace-roles.yaml and namespace-role-bindings.yaml; unset it to use the copy shipped with Portcullis.'
        : 'The copy shipped in src/auth/authz/rbac/bootstrap-policy/ is missing or damaged: restore it '
          + '(git checkout -- src/auth/authz/rbac/bootstrap-policy) or reinstall.'));
  }
}

function checkDataDirParent(dataDir: string): void {
  let dir = path.resolve(dataDir);
  while (!existsSync(dir)) dir = path.dirname(dir); // the nearest folder that exists (mkdir creates the rest)
  try { accessSync(dir, constants.W_OK); } catch {
    throw new Error(`cannot write the data directory ${path.resolve(dataDir)}: ${dir} is not writable by this user. `
      + 'Fix its permissions, or pass --data-dir <dir>.');
  }
}

function checkPortFree(listen: string): Promise<void> {
  const { host, port } = parseListen(listen);
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'is already in use (another Portcullis?)'
        : e.code === 'EACCES' ? 'needs privileges to bind' : `cannot be bound (${e.message})`;
      reject(new Error(`${host}:${port} ${why}: stop that process or pass --listen <host:port>.`));
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Throws an Error that says what is wrong and how to fix it; writes nothing. */
export async function preflight(cfg: ServerConfig): Promise<void> {
  checkBootstrapPolicy();
  checkDataDirParent(cfg.dataDir);
  await checkPortFree(cfg.listen);
}

/**
 * A warning when the data directory (or the SQLite store's directory) can be read or entered by other users: every
 * file in it is 0600, but their names and sizes show, and a file copied in by hand would keep its own mode.
 */
export function sharedDirectoryWarnings(cfg: ServerConfig): string[] {
  const dirs = new Set([cfg.dataDir]);
  if (cfg.store?.startsWith('sqlite:')) {
    const file = cfg.store.slice('sqlite:'.length);
    dirs.add(file.endsWith('.db') ? path.dirname(file) : file);
  }
  const out: string[] = [];
  for (const d of dirs) {
    let mode: number;
    try { mode = statSync(d).mode & 0o777; } catch { continue; }
    if (mode & 0o077) {
      out.push(`portcullis: warning: ${d} is accessible to other users (mode ${mode.toString(8).padStart(4, '0')}); `
        + `it holds the store, keys and audit log: run "chmod 700 ${d}"`);
    }
  }
  return out;
}
