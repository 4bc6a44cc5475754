// The CLI's shared HTTPS client: connection from flags (--server, --ca-file, --token, --client-cert,
// --client-key) over the config file written by `portcullis login` ($PORTCULLIS_CONFIG or ~/.portcullis/config.json).
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';

/** The file `portcullis login` writes. PEM fields are base64 of the PEM text (as in kubeconfigs). */
export interface CliConfig {
  server: string;
  caData: string;
  /** idp: the identity provider the access key's login went through (the exec plugin then asks for its short tokens). */
  credential: { accessKey?: string; token?: string; clientCertificateData?: string; clientKeyData?: string; idp?: string };
}

export interface ConnectionFlags {
  server?: string;
  caFile?: string;
  token?: string;
  clientCert?: string;
  clientKey?: string;
}

export interface Connection { server: string; ca?: string; cert?: string; key?: string; bearer?: string }

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly body: unknown) { super(message); }
}

export function configPath(): string {
  return process.env.PORTCULLIS_CONFIG || path.join(os.homedir(), '.portcullis', 'config.json');
}

export function readConfig(file = configPath()): CliConfig | undefined {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  const c = JSON.parse(text) as CliConfig;
  if (typeof c.server !== 'string' || typeof c.credential !== 'object' || c.credential === null) throw new Error(`${file} is not a portcullis config (needs server and credential)`);
  return c;
}

const pem = (v: string | undefined): string | undefined => (v === undefined ? undefined : v.includes('-----BEGIN') ? v : Buffer.from(v, 'base64').toString('utf8'));

/** Flags win over the config file; a credential given by flags replaces the file's credential. */
export function resolveConnection(flags: ConnectionFlags, config: CliConfig | undefined = readConfig()): Connection {
  const server = (flags.server ?? config?.server)?.replace(/\/+$/, '');
  if (!server) throw new Error(`no server: run \`portcullis login <url>\` or pass --server (config: ${configPath()})`);
  const ca = flags.caFile ? readFileSync(flags.caFile, 'utf8') : pem(config?.caData);
  const byFlags = flags.token !== undefined || flags.clientCert !== undefined;
  if (byFlags) {
    if ((flags.clientCert === undefined) !== (flags.clientKey === undefined)) throw new Error('--client-cert and --client-key go together');
    return {
      server, ca, bearer: flags.token,
      cert: flags.clientCert ? readFileSync(flags.clientCert, 'utf8') : undefined,
      key: flags.clientKey ? readFileSync(flags.clientKey, 'utf8') : undefined,
    };
  }
  const cred = config?.credential ?? {};
  return { server, ca, bearer: cred.accessKey ?? cred.token, cert: pem(cred.clientCertificateData), key: pem(cred.clientKeyData) };
}

/** Adds the connection flags to a command. */
export function withConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'Portcullis server URL (default: from the login config)')
    .option('--ca-file <file>', 'CA certificate (PEM) to verify the server')
    .option('--token <token>', 'bearer token or access key')
    .option('--client-cert <file>', 'client certificate (PEM)')
    .option('--client-key <file>', 'client key (PEM)');
}

export class ApiClient {
  private readonly agent: https.Agent;
  constructor(readonly conn: Connection) {
    this.agent = new https.Agent({ ca: conn.ca, cert: conn.cert, key: conn.key, keepAlive: false });
  }

  /** Sends a JSON request; non-2xx answers throw an ApiError carrying the server's Status message. */
  request<T = unknown>(method: string, p: string, body?: unknown): Promise<T> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (text !== undefined) headers['content-type'] = 'application/json';
    if (this.conn.bearer) headers.authorization = `Bearer ${this.conn.bearer}`;
    return new Promise<T>((resolve, reject) => {
      const req = https.request(`${this.conn.server}${p}`, { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = raw;
          try { parsed = raw ? JSON.parse(raw) : undefined; } catch { /* not JSON */ }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(parsed as T);
          const msg = (parsed as { message?: string } | undefined)?.message ?? (raw || `HTTP ${status}`);
          reject(new ApiError(status, `${msg} (HTTP ${status})`, parsed));
        });
      });
      req.on('error', reject);
      req.end(text);
    });
  }
}

export function clientFrom(flags: ConnectionFlags): ApiClient {
  return new ApiClient(resolveConnection(flags));
}
