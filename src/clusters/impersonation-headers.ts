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

export function upstreamHeaders(incoming: IncomingHttpHeaders, effective: UserInfo, original: UserInfo, upgrade: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const l = name.toLowerCase();
    if (DROPPED.has(l) || DROPPED_PREFIXES.some((p) => l.startsWith(p))) continue;
    out[l] = value;
  }
  if (upgrade) {
    out.connection = 'Upgrade';
    out.upgrade = String(incoming.upgrade ?? '');
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
  for (const [name, value] of Object.entries(raw)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}
