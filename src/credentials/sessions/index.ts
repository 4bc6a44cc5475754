// Public file of browser sessions: the session store (create for a user and a proof chain, authenticate, revoke one,
// revoke all of a user), cookies and CSRF, the sign-in providers list, and their wiring.
export { createSessionStore, DEFAULT_SESSION_SETTINGS, type NewSession, type SessionSettings, type SessionStore } from './store.ts';
export { SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER, readCookie, sessionCookies, clearedCookies } from './cookie.ts';
export { createCsrfTokens, assertSameOrigin, ownOrigins, type CsrfTokens } from './csrf.ts';
export { SESSION_PATH, type LoginProvider, type LoginProviders } from './routes.ts';
export { setupSessions } from './setup.ts';
