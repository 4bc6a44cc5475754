// The login pages' browser session, behind one small interface (the web console's session mechanism may replace it):
// a sealed cookie (AES-GCM with the store key, so every replica reads it) — HttpOnly, Secure, SameSite=Lax — naming
// the IdentitySession it came from, with a CSRF token for the pages' forms. Also the short-lived pending-login cookie.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Sealer } from './sealer.ts';

export interface BrowserSession {
  /** The IdentitySession this browser session was minted from (it dies with it). */
  sid: string;
  user: string;
  provider: string;
  csrf: string;
  expiresAtMs: number;
}

export interface BrowserSessionStore {
  /** A new session; returns the Set-Cookie value. */
  create(s: Pick<BrowserSession, 'sid' | 'user' | 'provider'>): { session: BrowserSession; setCookie: string };
  /** The session the request carries (undefined: none, tampered, expired). */
  read(req: IncomingMessage): BrowserSession | undefined;
  /** Set-Cookie value that removes the session cookie. */
  clear(): string;
  /** True when `token` is the session's CSRF token (constant time). */
  csrfOk(s: BrowserSession, token: unknown): boolean;
}

/** What a login started in the browser must find again at the callback (state, nonce, PKCE verifier, where to go). */
export interface PendingLogin {
  idp: string;
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  project?: string;
  /** A CLI loopback login: where the one-time code goes after the callback, bound to the CLI's PKCE challenge. */
  cli?: { port: number; state: string; challenge: string };
}

export const SESSION_COOKIE = 'portcullis_session';
const PENDING_PREFIX = 'portcullis_login_';
const SESSION_MS = 8 * 3_600_000;
const PENDING_MS = 10 * 60_000;

export function parseCookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  const raw = req.headers.cookie;
  if (!raw || raw.length > 16 * 1024) return out;
  for (const part of raw.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    if (!out.has(k)) out.set(k, part.slice(i + 1).trim());
  }
  return out;
}

const cookie = (name: string, value: string, maxAgeS: number, path = '/') =>
  `${name}=${value}; Path=${path}; Max-Age=${maxAgeS}; HttpOnly; Secure; SameSite=Lax`;

export function createSealedSessionStore(sealer: Sealer, now: () => number): BrowserSessionStore {
  return {
    create(s) {
      const session: BrowserSession = { ...s, csrf: randomBytes(24).toString('base64url'), expiresAtMs: now() + SESSION_MS };
      return { session, setCookie: cookie(SESSION_COOKIE, sealer.seal('browser-session', session, session.expiresAtMs), SESSION_MS / 1000) };
    },
    read(req) {
      const v = parseCookies(req).get(SESSION_COOKIE);
      return v ? sealer.open<BrowserSession>('browser-session', v, now()) : undefined;
    },
    clear: () => cookie(SESSION_COOKIE, '', 0),
    csrfOk(s, token) {
      if (typeof token !== 'string') return false;
      const a = Buffer.from(s.csrf);
      const b = Buffer.from(token);
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}

/** The pending-login cookie, named after its state so that parallel logins in one browser do not clash. */
export const pendingCookie = {
  name: (state: string) => `${PENDING_PREFIX}${state.slice(0, 22)}`,
  set(sealer: Sealer, p: PendingLogin, nowMs: number): string {
    return cookie(this.name(p.state), sealer.seal('pending-login', p, nowMs + PENDING_MS), PENDING_MS / 1000, '/login');
  },
  read(sealer: Sealer, req: IncomingMessage, state: string, nowMs: number): PendingLogin | undefined {
    const v = parseCookies(req).get(this.name(state));
    const p = v ? sealer.open<PendingLogin>('pending-login', v, nowMs) : undefined;
    if (!p) return undefined;
    const a = Buffer.from(p.state);
    const b = Buffer.from(state);
    return a.length === b.length && timingSafeEqual(a, b) ? p : undefined;
  },
  clear(state: string): string { return cookie(this.name(state), '', 0, '/login'); },
};

/** A same-origin path to return to after login, or the default: never another origin (no open redirect). */
export function safeReturnPath(raw: unknown, fallback: string): string {
  if (typeof raw !== 'string' || raw.length > 512 || !raw.startsWith('/') || raw.startsWith('//') || /[\\\p{Cc}]/u.test(raw)) return fallback;
  const base = 'https://portcullis.invalid';
  let u: URL;
  try { u = new URL(raw, base); } catch { return fallback; }
  if (u.origin !== base) return fallback;
  return `${u.pathname}${u.search}`;
}
