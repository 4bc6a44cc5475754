// The session-cookie authenticator: used only when a request carries no Authorization header (bearer and client
// certificate requests never look at cookies), and only for same-origin requests that echo the session's CSRF token.
import type { Authenticator, AuthnResult } from '../../apiserver/auth/types.ts';
import { forbidden } from '../../apiserver/errors.ts';
import { CSRF_HEADER, SESSION_COOKIE, readCookie } from './cookie.ts';
import { assertSameOrigin, ownOrigins } from './csrf.ts';
import type { SessionStore } from './store.ts';

export function createSessionAuthenticator(sessions: SessionStore, externalUrl: string | undefined): Authenticator {
  return {
    name: 'session-cookie',
    authenticate({ req }): AuthnResult | null {
      if (req.headers.authorization !== undefined) return null;
      const secret = readCookie(req, SESSION_COOKIE);
      if (!secret) return null;
      assertSameOrigin(req, ownOrigins(req, externalUrl));
      // Every cookie-authenticated request, reads included, must carry the token: a cross-site page can make the
      // browser send the cookie (where SameSite does not hold) but cannot read the token to put it in a header.
      const presented = req.headers[CSRF_HEADER];
      if (!sessions.csrf.verify(secret, typeof presented === 'string' ? presented : undefined)) {
        throw forbidden(null, '', `missing or invalid CSRF token: requests authenticated by the session cookie must send the ${CSRF_HEADER} header the console sets`);
      }
      return sessions.authenticate(secret, req);
    },
  };
}
