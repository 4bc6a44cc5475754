// Wires browser sessions into the server: the store (over access keys), the CSRF key shared by every replica, the
// cookie authenticator (last in the union), ending sessions with their user, and the /platform/v1/session routes.
import type { ModuleContext } from '../../apiserver/extension.ts';
import type { UserInfo } from '../../apiserver/auth/types.ts';
import type { KeySecretAuthenticator } from '../access-keys/index.ts';
import type { CredentialsCore } from '../self-service/index.ts';
import type { PasswordLogin } from '../self-service/index.ts';
import { createSessionAuthenticator } from './authenticator.ts';
import { consoleCapabilities } from './capabilities.ts';
import { createCsrfTokens } from './csrf.ts';
import { sessionRoutes, type LoginProviders } from './routes.ts';
import { DEFAULT_SESSION_SETTINGS, createSessionStore, endSessionsWithTheirUser, type SessionSettings, type SessionStore } from './store.ts';

export interface SessionDeps {
  core: CredentialsCore;
  secrets: KeySecretAuthenticator;
  passwordLogin: PasswordLogin;
  canActFor: (requester: UserInfo, owner: string) => Promise<boolean>;
  settings?: Partial<SessionSettings>;
}

export async function setupSessions(m: ModuleContext, d: SessionDeps): Promise<{ sessions: SessionStore; loginProviders: LoginProviders }> {
  const loginProviders: LoginProviders = [];
  const csrf = createCsrfTokens(await m.secrets.randomValue('console-csrf-key', 32));
  const sessions = createSessionStore(d.core, d.secrets, csrf, { ...DEFAULT_SESSION_SETTINGS, ...d.settings });
  endSessionsWithTheirUser(m.informer, sessions, () => m.leadership.isLeader(), m.logFor('session-reaper'));
  // pushed last: only requests without an Authorization header or client certificate get as far as the cookie
  m.authenticators.push(createSessionAuthenticator(sessions, m.cfg.externalUrl));
  m.routes.unshift(...sessionRoutes({
    sessions, passwordLogin: d.passwordLogin, externalUrl: m.cfg.externalUrl, caPem: () => m.pki.caCertPem,
    capabilities: (u) => consoleCapabilities(u, (a) => m.runtime.authorize(a), d.canActFor),
    assertActFor: (r, o, what) => d.core.assertActFor(r, o, what), loginProviders,
  }));
  return { sessions, loginProviders };
}
