// Planning of the impersonation filter (k8s endpoints/filters/impersonation.go): from the Impersonate-*
// headers, the ordered authorization checks and the resulting user, or the reason for a 400.
import type { Attributes, UserInfo } from '../../../apiserver/auth/types.ts';
import { ANONYMOUS, SYSTEM_AUTHENTICATED, SYSTEM_UNAUTHENTICATED } from '../../../apiserver/auth/types.ts';

/** Header values keyed by lower-case name, as `req.headersDistinct` gives them. */
export type ImpersonationHeaders = Readonly<Record<string, readonly string[] | string | undefined>>;

export type ImpersonationPlan =
  | { kind: 'none' }
  | { kind: 'invalid'; message: string }
  /** Authorize every check in order; the first one not allowed stops the request (403). */
  | { kind: 'impersonate'; checks: Attributes[]; user: UserInfo };

const SA_PREFIX = 'system:serviceaccount:';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isDns1123Subdomain(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split('.').every((l) => DNS_LABEL.test(l));
}

/** serviceaccount.SplitUsername: [namespace, name] of a well-formed ServiceAccount username, else null. */
export function splitServiceAccountUsername(username: string): [string, string] | null {
  if (!username.startsWith(SA_PREFIX)) return null;
  const parts = username.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2) return null;
  const [ns, name] = parts as [string, string];
  if (ns.length > 63 || !DNS_LABEL.test(ns) || !isDns1123Subdomain(name)) return null;
  return [ns, name];
}

const values = (h: ImpersonationHeaders, name: string): readonly string[] => {
  const v = h[name];
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
};

/** url.PathUnescape, keeping the key as it is when it is malformed. */
function unescapeExtraKey(key: string): string {
  try { return decodeURIComponent(key); } catch { return key; }
}

const EXTRA_PREFIX = 'impersonate-extra-';

export function planImpersonation(requestor: UserInfo, cluster: string, headers: ImpersonationHeaders): ImpersonationPlan {
  const check = (resource: string, name: string, extra: Partial<Attributes> = {}): Attributes => ({
    user: requestor, cluster, verb: 'impersonate', isResourceRequest: true, path: '', apiGroup: '', apiVersion: '',
    resource, subresource: '', namespace: '', name, ...extra,
  });
  const checks: Attributes[] = [];
  const described: string[] = [];

  const requestedUser = values(headers, 'impersonate-user')[0] ?? '';
  const groupHeaders = values(headers, 'impersonate-group');
  const requestedUid = values(headers, 'impersonate-uid')[0] ?? '';

  let username = '';
  let groups: string[] = [];
  let sa: [string, string] | null = null;
  if (requestedUser !== '') {
    sa = splitServiceAccountUsername(requestedUser);
    if (sa) {
      checks.push(check('serviceaccounts', sa[1], { namespace: sa[0] }));
      described.push(`ServiceAccount ${sa[0]}/${sa[1]}`);
      username = requestedUser;
    } else {
      checks.push(check('users', requestedUser));
      described.push(`User ${requestedUser}`);
      username = requestedUser;
    }
  }
  for (const g of groupHeaders) {
    checks.push(check('groups', g));
    described.push(`Group ${g}`);
    groups.push(g);
  }
  const extra: Record<string, string[]> = {};
  for (const [header, raw] of Object.entries(headers)) {
    const lower = header.toLowerCase();
    if (!lower.startsWith(EXTRA_PREFIX) || raw === undefined) continue;
    const key = unescapeExtraKey(lower.slice(EXTRA_PREFIX.length));
    for (const v of typeof raw === 'string' ? [raw] : raw) {
      checks.push(check('userextras', v, { apiGroup: 'authentication.k8s.io', apiVersion: 'v1', subresource: key }));
      described.push(`UserExtra ${key}=${v}`);
      (extra[key] ??= []).push(v);
    }
  }
  if (requestedUid !== '') {
    checks.push(check('uids', requestedUid, { apiGroup: 'authentication.k8s.io', apiVersion: 'v1' }));
    described.push(`UID ${requestedUid}`);
  }
  if (checks.length === 0) return { kind: 'none' };
  if (requestedUser === '') {
    return { kind: 'invalid', message: `requested [${described.join(', ')}] without impersonating a user` };
  }

  // A ServiceAccount's groups are a fixed mapping, used only when no groups are requested.
  if (sa && groupHeaders.length === 0) groups = ['system:serviceaccounts', `system:serviceaccounts:${sa[0]}`];
  if (username !== ANONYMOUS) {
    if (!groups.includes(SYSTEM_AUTHENTICATED) && !groups.includes(SYSTEM_UNAUTHENTICATED)) groups.push(SYSTEM_AUTHENTICATED);
  } else if (!groups.includes(SYSTEM_UNAUTHENTICATED)) groups.push(SYSTEM_UNAUTHENTICATED);

  const user: UserInfo = { username, groups, extra };
  if (requestedUid !== '') user.uid = requestedUid;
  return { kind: 'impersonate', checks, user };
}

/** Header names the filter removes from the request once impersonation succeeded. */
export function isImpersonationHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'impersonate-user' || n === 'impersonate-group' || n === 'impersonate-uid' || n.startsWith(EXTRA_PREFIX);
}
