// Calls admission webhooks: HTTPS only, the configuration's caBundle (else the system roots), no credentials,
// no redirects, a bounded response, the webhook's timeout over the whole exchange, and an address policy
// checked on the connection itself (no DNS rebinding): never link-local (169.254/16, fe80::/10, cloud metadata),
// unspecified or multicast addresses, nor Portcullis' own listener.
import https from 'node:https';
import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import type { LookupFunction } from 'node:net';

export const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

export interface WebhookTarget { url: string; caBundle?: string; timeoutSeconds: number }
export interface SelfAddress { ports: number[]; hosts: string[] }

/** Why an address may not be called, or undefined when it may. */
export function forbiddenAddress(address: string, port: number, self: SelfAddress | undefined): string | undefined {
  const ip = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (net.isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number);
    if (a === 169 && b === 254) return 'link-local addresses (169.254.0.0/16) are not allowed';
    if (a === 0) return 'unspecified addresses are not allowed';
    if (a >= 224) return 'multicast and reserved addresses are not allowed';
  } else if (net.isIPv6(ip)) {
    const l = ip.toLowerCase();
    if (/^fe[89ab]/.test(l)) return 'link-local addresses (fe80::/10) are not allowed';
    if (l === '::') return 'unspecified addresses are not allowed';
    if (l.startsWith('ff')) return 'multicast addresses are not allowed';
    if (l.startsWith('fd00:ec2::254')) return 'link-local addresses are not allowed';
  }
  if (self && self.ports.includes(port) && isSelf(ip, self)) return 'the Portcullis API server itself may not be called as a webhook';
  return undefined;
}

function isSelf(ip: string, self: SelfAddress): boolean {
  if (ip === '127.0.0.1' || ip.startsWith('127.') || ip === '::1') return true;
  if (self.hosts.includes(ip)) return true;
  for (const addrs of Object.values(os.networkInterfaces())) for (const a of addrs ?? []) if (a.address === ip) return true;
  return false;
}

/** DNS lookup that refuses link-local, unspecified and multicast addresses and Portcullis' own listener. */
export function guardedLookup(port: number, self: SelfAddress | undefined): LookupFunction {
  return (host, opts, cb) => {
    dns.lookup(host, { ...opts, all: true }, (err, addrs) => {
      if (err) return cb(err, '', 0);
      const list = addrs as dns.LookupAddress[];
      for (const a of list) {
        const why = forbiddenAddress(a.address, port, self);
        if (why) return cb(Object.assign(new Error(`address ${a.address} refused: ${why}`), { code: 'EADDRREFUSED' }), '', 0);
      }
      if ((opts as { all?: boolean }).all) return (cb as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      cb(null, list[0].address, list[0].family);
    });
  };
}

export class WebhookCallError extends Error {}

/** POSTs `body` to the webhook and returns the parsed JSON response; throws WebhookCallError on any failure. */
export function callWebhook(target: WebhookTarget, body: unknown, self: SelfAddress | undefined): Promise<unknown> {
  const url = new URL(target.url);
  const port = Number(url.port || 443);
  const lookup = guardedLookup(port, self);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const fail = (msg: string): void => reject(new WebhookCallError(`failed to call webhook: Post "${target.url}": ${msg}`));
    // IP literals are connected to without a lookup: check them here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    const why = net.isIP(literal) ? forbiddenAddress(literal, port, self) : undefined;
    if (why) { fail(`address ${literal} refused: ${why}`); return; }
    const ca = target.caBundle ? Buffer.from(target.caBundle, 'base64').toString('utf8') : undefined;
    const req = https.request(url, {
      method: 'POST', lookup, agent: false, ...(ca ? { ca } : {}),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(payload) },
    }, (res) => {
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
        res.resume();
        fail(`the server responded with the status code ${res.statusCode}`);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) { req.destroy(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`)); return; }
        chunks.push(c);
      });
      res.on('end', () => {
        try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))); } catch (e) { fail(`invalid JSON in the response: ${(e as Error).message}`); }
      });
      res.on('error', (e) => fail(e.message));
    });
    const timer = setTimeout(() => req.destroy(new Error(`context deadline exceeded (timeout ${target.timeoutSeconds}s)`)), target.timeoutSeconds * 1000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e) => fail(e.message));
    req.end(payload);
  });
}

/** Static checks of a webhook URL, with Kubernetes' messages. */
export function urlProblems(raw: string): string | undefined {
  let u: URL;
  try { u = new URL(raw); } catch { return 'host must be specified'; }
  if (u.protocol !== 'https:') return "'https' is the only allowed URL scheme";
  if (!u.hostname) return 'host must be specified';
  if (u.username || u.password) return 'user information is not permitted in the URL';
  if (u.hash || raw.includes('#')) return 'fragments are not permitted in the URL';
  if (u.search) return 'query parameters are not permitted in the URL';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) {
    const why = forbiddenAddress(host, Number(u.port || 443), undefined);
    if (why) return why;
  }
  return undefined;
}
