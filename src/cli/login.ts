// `portcullis login`, `logout` and `whoami`: log in with a username/password (a 24 h session access key), through an
// identity provider (--idp, login-idp.ts) or with an access key, keep it in the 0600 config file ($PORTCULLIS_CONFIG or
// ~/.portcullis/config.json), and end the session (logout also drops the exec plugin's token cache).
import https from 'node:https';
import { readFileSync, rmSync } from 'node:fs';
import { Command } from 'commander';
import { clientFrom, configPath, readConfig, withConnectionOptions, type CliConfig, type ConnectionFlags } from './client.ts';
import { cacheDir, prompt, readAllStdin, run, writeConfig } from './credentials-support.ts';
import { idpLogin } from './login-idp.ts';
import { caFingerprint, isUntrustedCertError, normaliseFingerprint, presentedCa, untrustedMessage } from './tls-trust.ts';

interface LoginStatus { username: string; key?: string; accessKeyName?: string; expirationTimestamp?: string; caData: string; groups?: string[] }

function postLogin(server: string, ca: string | undefined, insecure: boolean, headers: Record<string, string>, body?: unknown): Promise<LoginStatus> {
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(`${server}/platform/v1/login`, {
      method: 'POST', ca, rejectUnauthorized: !insecure,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let parsed: { status?: LoginStatus; message?: string } = {};
        try { parsed = JSON.parse(raw) as typeof parsed; } catch { /* not JSON */ }
        if (res.statusCode === 200 && parsed.status) return resolve(parsed.status);
        reject(new Error(`login failed: ${parsed.message ?? (raw || `HTTP ${res.statusCode}`)}`));
      });
    });
    req.on('error', (e) => reject(Object.assign(new Error(`cannot reach ${server}: ${e.message}`),
      { code: (e as NodeJS.ErrnoException).code })));
    req.end(text);
  });
}

interface LoginOptions {
  username?: string; password?: string; accessKey?: string; ca?: string; insecure?: boolean;
  /** A pinned SHA-256 fingerprint of the server's CA (trusted when the server presents exactly that CA). */
  caFingerprint?: string;
  /** Ask on the terminal whether to trust an unknown CA (shows its fingerprint). */
  interactive?: boolean;
}

/**
 * The CA to verify the server with. With no CA given, a server whose certificate is untrusted is trusted only if
 * its CA matches --ca-fingerprint or the user confirms the fingerprint; otherwise the error says how to trust it.
 */
async function resolveTrust(base: string, o: LoginOptions): Promise<string | undefined> {
  if (o.ca && o.caFingerprint && caFingerprint(o.ca) !== normaliseFingerprint(o.caFingerprint)) {
    throw new Error(`the CA in use for ${base} has the SHA-256 fingerprint ${caFingerprint(o.ca)}, not `
      + `${normaliseFingerprint(o.caFingerprint)}: refusing to log in`);
  }
  if (o.ca || o.insecure) return o.ca;
  try {
    await new Promise<void>((resolve, reject) => {
      const req = https.request(`${base}/version`, { method: 'GET' }, (res) => { res.resume(); resolve(); });
      req.on('error', reject);
      req.end();
    });
    return undefined; // trusted by the system's roots
  } catch (e) {
    if (!isUntrustedCertError(e)) throw new Error(`cannot reach ${base}: ${(e as Error).message}`);
  }
  const presented = await presentedCa(base);
  const fingerprint = presented ? caFingerprint(presented) : undefined;
  if (presented && o.caFingerprint && normaliseFingerprint(o.caFingerprint) === fingerprint) return presented;
  if (o.caFingerprint) {
    throw new Error(`the CA of ${base} has the SHA-256 fingerprint ${fingerprint ?? '(none presented)'}, `
      + `not ${normaliseFingerprint(o.caFingerprint)}: refusing to log in`);
  }
  if (presented && o.interactive) {
    process.stderr.write(`The server's certificate is signed by an unknown CA.\nSHA-256 fingerprint: ${fingerprint}\n`
      + 'Compare it with the one the server printed at start (npm start).\n');
    const answer = await prompt('Trust this CA for this server? [y/N] ', false);
    if (/^y(es)?$/i.test(answer.trim())) return presented;
  }
  throw new Error(untrustedMessage(base, fingerprint));
}

/** Logs in and returns the config to store (exported for the credential plugin's interactive re-login). */
export async function login(server: string, o: LoginOptions): Promise<{ config: CliConfig; status: LoginStatus }> {
  const base = server.replace(/\/+$/, '');
  o = { ...o, ca: await resolveTrust(base, o) };
  if (o.accessKey) {
    const status = await postLogin(base, o.ca, !!o.insecure, { authorization: `Bearer ${o.accessKey}` });
    return { config: { server: base, caData: status.caData, credential: { accessKey: o.accessKey } }, status };
  }
  if (!o.username) throw new Error('pass --username (with a password prompt or --password-stdin) or --access-key');
  const password = o.password ?? await prompt('Password: ', true);
  const status = await postLogin(base, o.ca, !!o.insecure, {}, { username: o.username, password });
  return { config: { server: base, caData: status.caData, credential: { accessKey: status.key } }, status };
}

export function loginCommand(): Command {
  return new Command('login')
    .description('Log in to a Portcullis server and store the credential in the CLI config (mode 0600)')
    .argument('<url>', 'server URL, e.g. https://localhost:8443')
    .option('--idp <name>', 'log in through this identity provider (a browser, or --device)')
    .option('--device', 'with --idp: the device authorization grant (enter a code on another device)')
    .option('--no-browser', 'with --idp: print the login URL instead of opening a browser')
    .option('--username <user>', 'platform user (asks for the password, or reads it with --password-stdin)')
    .option('--password-stdin', 'read the password from stdin')
    .option('--access-key <key>', 'log in with an access key instead of a password')
    .option('--ca-file <file>', 'CA certificate (PEM) of the server')
    .option('--ca-fingerprint <sha256>', 'trust the server\'s CA if its SHA-256 fingerprint is this (printed by npm start)')
    .option('--insecure-skip-tls-verify', 'do not verify the server certificate for this login (the CA it returns is stored)')
    .action((url: string, opts: {
      username?: string; passwordStdin?: boolean; accessKey?: string; caFile?: string; caFingerprint?: string;
      insecureSkipTlsVerify?: boolean; idp?: string; device?: boolean; browser?: boolean;
    }) => run(async () => {
      const previous = readConfig();
      const sameServer = previous?.server === url.replace(/\/+$/, '');
      const ca = opts.caFile ? readFileSync(opts.caFile, 'utf8') : sameServer ? Buffer.from(previous!.caData, 'base64').toString('utf8') : undefined;
      if (opts.idp) {
        if (opts.username || opts.accessKey) throw new Error('--idp does not go with --username or --access-key');
        if (opts.caFingerprint && !ca) {
          throw new Error('with --idp, pass the server\'s CA with --ca-file (or log in once with --ca-fingerprint and --username first)');
        }
        const { config, status } = await idpLogin(url, opts.idp, { ca, insecure: opts.insecureSkipTlsVerify, device: opts.device, browser: opts.browser });
        writeConfig(config);
        const until = status.expirationTimestamp ? ` until ${status.expirationTimestamp}` : '';
        console.log(`Logged in to ${config.server} as ${status.username} through identity provider ${status.provider}${until}. Config: ${configPath()}`);
        return;
      }
      if (opts.device) throw new Error('--device needs --idp <name>');
      const password = opts.passwordStdin ? (await readAllStdin()).replace(/\r?\n$/, '') : undefined;
      const { config, status } = await login(url, {
        username: opts.username, password, accessKey: opts.accessKey, ca, insecure: opts.insecureSkipTlsVerify,
        caFingerprint: opts.caFingerprint, interactive: process.stdin.isTTY && !opts.passwordStdin,
      });
      writeConfig(config);
      const until = status.expirationTimestamp ? ` until ${status.expirationTimestamp}` : '';
      console.log(`Logged in to ${config.server} as ${status.username}${until}. Config: ${configPath()}`);
    }));
}

export function logoutCommand(): Command {
  return withConnectionOptions(new Command('logout'))
    .description('End the login session (its session key is deleted on the server) and remove the CLI config')
    .action((opts: ConnectionFlags) => run(async () => {
      const file = configPath();
      if (!readConfig()) { console.log('Not logged in.'); return; }
      try {
        const res = await clientFrom(opts).request<{ status: { sessionDeleted: boolean } }>('POST', '/platform/v1/logout');
        if (res.status.sessionDeleted) console.log('Session key deleted on the server.');
      } catch (e) {
        console.error(`warning: the server did not end the session: ${(e as Error).message}`);
      }
      rmSync(file, { force: true });
      rmSync(cacheDir(), { recursive: true, force: true }); // tokens cached by the credential plugin
      console.log(`Logged out (removed ${file} and cached tokens).`);
    }));
}

export function whoamiCommand(): Command {
  return withConnectionOptions(new Command('whoami'))
    .description('Show the user (and groups, credential and scope) the server sees for your credential')
    .option('-o, --output <format>', 'table or json', 'table')
    .action((opts: ConnectionFlags & { output: string }) => run(async () => {
      const res = await clientFrom(opts).request<{ status: { username: string; groups: string[]; credentialId?: string; scope?: unknown } }>('GET', '/platform/v1/whoami');
      if (opts.output === 'json') { console.log(JSON.stringify(res.status, null, 2)); return; }
      console.log(`Username:   ${res.status.username}`);
      console.log(`Groups:     ${res.status.groups.join(', ')}`);
      if (res.status.credentialId) console.log(`Credential: ${res.status.credentialId}`);
      if (res.status.scope) console.log(`Scope:      ${JSON.stringify(res.status.scope)}`);
    }));
}
