// Reads the bearer token from the Authorization header; a present but malformed header is a readable 401.
import type { IncomingMessage } from 'node:http';
import { unauthorized } from '../errors.ts';

/**
 * Returns the token of `Authorization: Bearer <token>`, or null when there is no Authorization header.
 * Throws a 401 StatusError for any other scheme, an empty token, or extra fields.
 */
export function bearerToken(req: IncomingMessage): string | null {
  const raw = req.headers.authorization;
  if (raw === undefined) return null;
  const value = raw.trim();
  if (value === '') throw unauthorized('invalid Authorization header: empty value; expected "Bearer <token>"');
  const parts = value.split(/\s+/);
  const scheme = parts[0];
  if (scheme.toLowerCase() !== 'bearer') {
    throw unauthorized(`invalid Authorization header: unsupported scheme "${scheme.slice(0, 20)}"; expected "Bearer <token>"`);
  }
  if (parts.length < 2) throw unauthorized('invalid Authorization header: empty bearer token');
  if (parts.length > 2) throw unauthorized('invalid Authorization header: bearer token must not contain spaces');
  return parts[1];
}
