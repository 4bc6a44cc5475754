// The headers a request carries upstream: the client's own headers minus credentials, hop-by-hop and incoming
// Impersonate-* headers (Portcullis authorized those already), plus Impersonate-User/Group/Uid for the effective
// identity and one extra with the original user (Pinniped's original-user-info), so the upstream's audit names both.
import type { IncomingHttpHeaders } from 'node:http';
import type { UserInfo } from '../apiserver/auth/types.ts';

/** Extra key carrying the identity that authenticated to Portcullis (JSON), as Pinniped's impersonation proxy does. */
export const ORIGINAL_USER_EXTRA = 'original-user-info.portcullis.io';

const DROPPED = new Set([
  'authorization', 'proxy-authorization', 'cookie', 'host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer',
  'upgrade', 'proxy-connection', 'http2-settings', 'x-csrf-token', 'x-portcullis-csrf',
]);
const DROPPED_PREFIXES = ['impersonate-', 'x-remote-', ':'];

/** Percent-encodes an extra key as Kubernetes expects in a header name. */
function escapeExtraKey(k: string): string {
  return encodeURIComponent(k).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `raw` is the request's header lines as name/value pairs (IncomingMessage.rawHeaders): a header sent on several lines
 * goes upstream on as many lines, because Kubernetes reads some of them line by line (X-Stream-Protocol-Version offers
 * one protocol version per line, and joining them with commas makes the upgrade's negotiation fail).
 */
export function upstreamHeaders(raw: readonly string[], effective: UserInfo, original: UserInfo, upgrade: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  let upgradeTo = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const l = raw[i].toLowerCase();
    if (l === 'upgrade') upgradeTo = raw[i + 1];
    if (DROPPED.has(l) || DROPPED_PREFIXES.some((p) => l.startsWith(p))) continue;
    const prev = out[l];
    out[l] = prev === undefined ? raw[i + 1] : Array.isArray(prev) ? [...prev, raw[i + 1]] : [prev, raw[i + 1]];
  }
  if (upgrade) {
    out.connection = 'Upgrade';
    out.upgrade = upgradeTo;
  }
  out['impersonate-user'] = effective.username;
  if (effective.groups.length) out['impersonate-group'] = effective.groups;
  if (effective.uid) out['impersonate-uid'] = effective.uid;
  // The user's own extras stay in Portcullis (each key would need its own impersonate grant upstream).
  out[`impersonate-extra-${escapeExtraKey(ORIGINAL_USER_EXTRA)}`] = JSON.stringify({ username: original.username, groups: original.groups })
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return out;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'proxy-authenticate']);

/** An upstream response's headers as sent to the client (hop-by-hop headers are the connection's, not the response's). */
export function responseHeaders(raw: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && name[0] !== ':') out[name] = value; // ':status' is HTTP/2's
  }
  return out;
}
