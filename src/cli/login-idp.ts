// `portcullis login <url> --idp NAME`: a login through an identity provider. By default a browser (on this machine)
// goes through the server to the IdP and back to a one-shot listener on 127.0.0.1 at a random port, which receives
// a one-time code bound to this CLI's PKCE verifier; with --device, the device authorization grant (a code to enter
// on another device). Either way the CLI stores the session access key the server hands out (0600 config).
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { CliConfig } from './client.ts';

export interface IdpLoginStatus { username: string; provider: string; key: string; accessKeyName?: string; expirationTimestamp?: string; caData: string }
interface Conn { server: string; ca?: string; insecure?: boolean }

function postJson<T>(c: Conn, path: string, body: unknown): Promise<{ status: number; json: T & { message?: string } }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(`${c.server}${path}`, {
      method: 'POST', ca: c.ca, rejectUnauthorized: !c.insecure,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(text) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        let json = {} as T & { message?: string };
        try { json = JSON.parse(Buffer.concat(chunks).toString()) as typeof json; } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', (e) => reject(new Error(`cannot reach ${c.server}: ${e.message}`)));
    req.end(text);
  });
}

const loginFailed = (r: { status: number; json: { message?: string } }) => new Error(`login failed: ${r.json.message ?? `HTTP ${r.status}`}`);

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try { spawn(cmd, [url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref(); } catch { /* the URL is printed anyway */ }
}

const page = (title: string, text: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text
  .replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)}</p></body></html>`;

/** Browser login through a one-shot listener on 127.0.0.1 (random port, so parallel logins never clash). */
async function loopbackLogin(c: Conn, idp: string, o: { browser: boolean; timeoutMs: number }): Promise<IdpLoginStatus> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(24).toString('base64url');
  let done!: (v: { code?: string; error?: string }) => void;
  const arrived = new Promise<{ code?: string; error?: string }>((r) => { done = r; });
  const listener = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (u.pathname !== '/callback' || u.searchParams.get('state') !== state) { res.writeHead(404).end(); return; }
    const error = u.searchParams.get('error_description') ?? u.searchParams.get('error') ?? undefined;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(error ? page('Login failed', error) : page('Logged in', 'You can close this window and return to the terminal.'));
    done({ code: u.searchParams.get('code') ?? undefined, error });
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const port = (listener.address() as AddressInfo).port;
  try {
    const q = new URLSearchParams({ idp, cli_port: String(port), cli_state: state, cli_challenge: challenge });
    const url = `${c.server}/login/-/start?${q}`;
    process.stderr.write(`Open this URL in a browser to log in with identity provider "${idp}":\n\n  ${url}\n\nWaiting for the login to complete...\n`);
    if (o.browser) openBrowser(url);
    let timer: NodeJS.Timeout | undefined;
    const got = await Promise.race([arrived, new Promise<never>((_,
      j) => { timer = setTimeout(() => j(new Error('login timed out: nothing came back to this CLI')), o.timeoutMs); })]);
    clearTimeout(timer);
    if (got.error || !got.code) throw new Error(`login failed: ${got.error ?? 'no code came back'}`);
    const r = await postJson<{ status: IdpLoginStatus }>(c, '/platform/v1/idp/exchange', { code: got.code, codeVerifier: verifier });
    if (r.status !== 200) throw loginFailed(r);
    return r.json.status;
  } finally {
    listener.close();
    listener.closeAllConnections();
  }
}

/** Device authorization grant: prints the code, then polls the server (which asks the IdP) until it completes. */
async function deviceLogin(c: Conn, idp: string, timeoutMs: number): Promise<IdpLoginStatus> {
  type Started = { status: { userCode: string; verificationURI: string; verificationURIComplete?: string; interval: number; handle: string } };
  const s = await postJson<Started>(c, '/platform/v1/idp/device/start', { idp });
  if (s.status !== 200) throw loginFailed(s);
  const d = s.json.status;
  process.stderr.write(`To log in with identity provider "${idp}", open ${d.verificationURI} on any device and enter the code:\n\n  ${d.userCode}\n\n` +
    `${d.verificationURIComplete ? `(or open ${d.verificationURIComplete})\n` : ''}Waiting for the login to complete...\n`);
  let interval = Math.max(1, d.interval) * 1000;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, interval));
    const r = await postJson<{ status: IdpLoginStatus & { pending?: boolean; slowDown?: boolean } }>(c, '/platform/v1/idp/device/poll', { handle: d.handle });
    if (r.status === 202) { if (r.json.status.slowDown) interval += 5000; continue; }
    if (r.status !== 200) throw loginFailed(r);
    return r.json.status;
  }
  throw new Error('login timed out: the device code was not entered in time');
}

export async function idpLogin(server: string, idp: string,
  o: { ca?: string; insecure?: boolean; device?: boolean; browser?: boolean; timeoutMs?: number }): Promise<{ config: CliConfig; status: IdpLoginStatus }> {
  const c = { server: server.replace(/\/+$/, ''), ca: o.ca, insecure: o.insecure };
  const timeoutMs = o.timeoutMs ?? 5 * 60_000;
  const status = o.device ? await deviceLogin(c, idp, timeoutMs) : await loopbackLogin(c, idp, { browser: o.browser !== false, timeoutMs });
  return { config: { server: c.server, caData: status.caData, credential: { accessKey: status.key, idp } }, status };
}
