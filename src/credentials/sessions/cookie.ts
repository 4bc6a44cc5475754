// Session cookies: the names, parsing of the Cookie header and the Set-Cookie values that start and end a browser
// session (__Host- prefix: Secure, Path=/, no Domain, so no other host or subdomain can set or read them).
import type { IncomingMessage } from 'node:http';

/** HttpOnly: holds the session secret; scripts never see it. */
export const SESSION_COOKIE = '__Host-portcullis-session';
/** Readable by the console's scripts: its value goes back in the X-CSRF-Token header (bound to the session). */
export const CSRF_COOKIE = '__Host-portcullis-csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** The value of cookie `name` in the request's Cookie header(s), or undefined. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const raw = req.headers.cookie;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const v = part.slice(eq + 1).trim();
    return v === '' ? undefined : v.replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

const COMMON = 'Path=/; Secure; SameSite=Strict';

/** The two Set-Cookie values of a new session (Max-Age = its lifetime). */
export function sessionCookies(secret: string, csrf: string, maxAgeSeconds: number): string[] {
  const age = Math.max(0, Math.floor(maxAgeSeconds));
  return [
    `${SESSION_COOKIE}=${secret}; ${COMMON}; HttpOnly; Max-Age=${age}`,
    `${CSRF_COOKIE}=${csrf}; ${COMMON}; Max-Age=${age}`,
  ];
}

/** Set-Cookie values that remove both cookies (logout). */
export function clearedCookies(): string[] {
  return [`${SESSION_COOKIE}=; ${COMMON}; HttpOnly; Max-Age=0`, `${CSRF_COOKIE}=; ${COMMON}; Max-Age=0`];
}
