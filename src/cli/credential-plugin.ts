// `portcullis credential-plugin --cluster X`: the kubectl exec credential plugin (client.authentication.k8s.io/v1).
// Prints an ExecCredential with a token bound to cluster X, cached on disk (0600) until shortly before it expires,
// refreshed with the stored login (after an IdP login: short tokens the server gets after re-confirming the user with
// the IdP); not logged in or no longer valid → a clear error and exit 1 (or a login prompt when interactive).
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ApiClient, ApiError, configPath, readConfig, resolveConnection } from './client.ts';
import { cacheDir, prompt, writeConfig } from './credentials-support.ts';
import { login } from './login.ts';

const API_VERSION = 'client.authentication.k8s.io/v1';
interface Cached { token: string; expirationTimestamp: string }

function cacheFile(server: string, cluster: string): string {
  const id = createHash('sha256').update(server).digest('hex').slice(0, 12);
  return path.join(cacheDir(), `token-${id}-${cluster}.json`);
}

/** Still good for a while: refresh when less than min(60 s, 20 % of its lifetime) is left. */
export function usable(c: Cached | undefined, nowMs: number, lifetimeMs: number): boolean {
  if (!c) return false;
  const exp = Date.parse(c.expirationTimestamp);
  return exp - nowMs > Math.min(60_000, lifetimeMs * 0.2);
}

function readCache(file: string): (Cached & { issuedAt?: string }) | undefined {
  try { return JSON.parse(readFileSync(file, 'utf8')) as Cached & { issuedAt?: string }; } catch { return undefined; }
}

function writeCache(file: string, c: Cached & { issuedAt: string }): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(c), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

function interactive(): boolean {
  try {
    const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO ?? '{}') as { spec?: { interactive?: boolean } };
    return info.spec?.interactive === true && !!process.stdin.isTTY;
  } catch { return false; }
}

/**
 * A fresh token: through /platform/v1/idp/token after an identity-provider login (short tokens; the server
 * re-confirms the user with the IdP first), else /platform/v1/tokens.
 */
async function fetchToken(cluster: string, idp: boolean): Promise<Cached> {
  const res = await new ApiClient(resolveConnection({})).request<{ status: Cached }>('POST',
    idp ? '/platform/v1/idp/token' : '/platform/v1/tokens', { cluster });
  return res.status;
}

/** The token's own lifetime (exp - iat) in ms, so the cache does not depend on this machine's clock agreeing with the server's. */
function lifetimeOf(token: string): number | undefined {
  try {
    const p = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iat?: unknown; exp?: unknown };
    return typeof p.iat === 'number' && typeof p.exp === 'number' && p.exp > p.iat ? (p.exp - p.iat) * 1000 : undefined;
  } catch { return undefined; }
}

export function credentialPluginCommand(): Command {
  return new Command('credential-plugin')
    .description('kubectl exec credential plugin: prints an ExecCredential with a token for one tenant cluster')
    .requiredOption('--cluster <name>', 'the logical cluster the token is bound to')
    .action(async (opts: { cluster: string }) => {
      const fail = (msg: string) => { process.stderr.write(`portcullis credential-plugin: ${msg}\n`); process.exitCode = 1; };
      const config = readConfig();
      if (!config) {
        return fail(`not logged in (no ${configPath()}): run \`portcullis login <server-url> --username <user>\` (or --access-key <key>) first`);
      }
      const file = cacheFile(config.server, opts.cluster);
      const cached = readCache(file);
      const now = Date.now();
      const idp = config.credential.idp;
      // expiry as this machine sees it: when it was cached here plus the token's own lifetime
      const lifetime = cached ? lifetimeOf(cached.token) : undefined;
      const local = cached?.issuedAt && lifetime ? { ...cached, expirationTimestamp: new Date(Date.parse(cached.issuedAt) + lifetime).toISOString() } : cached;
      let cred: Cached | undefined = usable(local, now, lifetime ?? 24 * 3_600_000) ? cached : undefined;
      if (!cred) {
        try {
          cred = await fetchToken(opts.cluster, !!idp);
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 401)) return fail(`cannot get a token for cluster "${opts.cluster}": ${(e as Error).message}`);
          if (idp) {
            const again = `portcullis login ${config.server} --idp ${idp}`;
            return fail(`your login through identity provider "${idp}" is no longer valid (${e.message}): run \`${again}\` again`);
          }
          if (!interactive()) return fail(`your login is no longer valid (${e.message}): run \`portcullis login ${config.server}\` again`);
          try {
            const username = await prompt(`Portcullis login for ${config.server}\nUsername: `);
            const password = await prompt('Password: ', true);
            const next = await login(config.server, { username, password, ca: Buffer.from(config.caData, 'base64').toString('utf8') });
            writeConfig(next.config);
            cred = await fetchToken(opts.cluster, false);
          } catch (err) {
            return fail((err as Error).message);
          }
        }
        writeCache(file, { ...cred, issuedAt: new Date(now).toISOString() });
      }
      process.stdout.write(`${JSON.stringify({ apiVersion: API_VERSION, kind: 'ExecCredential', status: { token: cred.token, expirationTimestamp: cred.expirationTimestamp } })}\n`);
    });
}
