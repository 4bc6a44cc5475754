// Cross-site request forgery defences for cookie-authenticated requests: a CSRF token bound to the session secret
// (HMAC, nothing stored), compared in constant time, and the same-origin checks (Origin, Sec-Fetch-Site).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { forbidden } from '../../apiserver/errors.ts';

export interface CsrfTokens {
  /** The CSRF token of a session secret. */
  token(secret: string): string;
  /** Constant-time check of a presented token against the session's. */
  verify(secret: string, presented: string | undefined): boolean;
}

export function createCsrfTokens(key: Buffer): CsrfTokens {
  const token = (secret: string) => createHmac('sha256', key).update('csrf\0').update(secret).digest('base64url');
  return {
    token,
    verify(secret, presented) {
      if (!presented) return false;
      const want = Buffer.from(token(secret));
      const got = Buffer.from(presented);
      return want.length === got.length && timingSafeEqual(want, got);
    },
  };
}

/** The origins this server answers as: https://<Host header> and the configured external URL. */
export function ownOrigins(req: IncomingMessage, externalUrl: string | undefined): string[] {
  const out: string[] = [];
  // HTTP/1.1 sends Host; HTTP/2 sends :authority
  const host = req.headers.host ?? req.headers[':authority'];
  if (typeof host === 'string' && host) out.push(`https://${host}`.toLowerCase());
  if (externalUrl) { try { out.push(new URL(externalUrl).origin.toLowerCase()); } catch { /* validated by config */ } }
  return out;
}

/**
 * Throws a 403 unless the browser says the request comes from our own pages: Sec-Fetch-Site (when sent) must be
 * same-origin, and Origin (when sent) one of ours. Browsers send at least one of them on every fetch with a body.
 */
export function assertSameOrigin(req: IncomingMessage, origins: string[]): void {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin') {
    throw forbidden(null, '', `cross-site request refused: a session cookie only authenticates requests from the console itself (Sec-Fetch-Site: ${site.slice(0, 20)})`);
  }
  const origin = req.headers.origin;
  if (typeof origin === 'string' && !origins.includes(origin.toLowerCase())) {
    throw forbidden(null, '', `cross-origin request refused: a session cookie only authenticates requests from the console itself (Origin: ${origin.slice(0, 100)})`);
  }
}
