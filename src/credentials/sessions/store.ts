// Browser sessions, the one place that creates, finds and ends them (the console's password sign-in and identity
// providers' logins use it). A session is a credential like any other: an AccessKey labelled session=browser, so it
// shows in the inventory, is revoked there, expires (lifetime and idle timeout), and dies with its owner.
import type { IncomingMessage } from 'node:http';
import { unauthorized } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import type { AuthnResult } from '../../apiserver/auth/types.ts';
import type { CredentialsCore } from '../self-service/index.ts';
import type { KeySecretAuthenticator } from '../access-keys/index.ts';
import { GROUP, SESSION_CHAIN_ANNOTATION, accessKeyType } from '../resources/index.ts';
import type { Informer } from '../../apiserver/controllers/informer.ts';
import type { CsrfTokens } from './csrf.ts';

export interface SessionSettings {
  /** Absolute lifetime (default 8 h; never past the strictest project maxKeyTTL). */
  ttlMs: number;
  /** Ends a session unused this long (default 30 min). */
  idleMs: number;
}
export const DEFAULT_SESSION_SETTINGS: SessionSettings = { ttlMs: 8 * 3_600_000, idleMs: 30 * 60_000 };

export interface NewSession {
  /** Inventory id (accesskey:<name>). */
  id: string;
  /** The secret for the HttpOnly cookie. */
  secret: string;
  /** The CSRF token bound to it (the readable cookie, echoed in X-CSRF-Token). */
  csrfToken: string;
  expires: string;
  maxAgeSeconds: number;
}

/**
 * The session interface. `chain` records how the user proved who they are, outermost first (e.g. ["password"],
 * ["identityprovider:corp"]), so whatever revokes that proof can end the sessions built on it.
 */
export interface SessionStore {
  create(r: { user: string; chain: string[] }): Promise<NewSession>;
  /** Authenticates a cookie's secret (401 when it is unknown, expired, idle, revoked, or its owner is gone or disabled). */
  authenticate(secret: string, req: IncomingMessage): AuthnResult;
  /** Ends one session (by inventory id); false when there was none. */
  revoke(id: string): Promise<boolean>;
  /**
   * Ends every login session of `user` (console and CLI): "log out everywhere". With `proof`, only the sessions
   * whose chain holds it (e.g. "password" when the password changes). Returns how many.
   */
  revokeAllForUser(user: string, proof?: string): Promise<number>;
  readonly csrf: CsrfTokens;
  readonly settings: SessionSettings;
}

export function createSessionStore(core: CredentialsCore, secrets: KeySecretAuthenticator, csrf: CsrfTokens, settings: SessionSettings): SessionStore {
  const del = async (name: string): Promise<boolean> => {
    try {
      await core.d.store.delete({ cluster: ROOT_CLUSTER }, accessKeyType, '', name);
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === 404) return false;
      throw e;
    }
  };
  return {
    csrf, settings,
    async create({ user, chain }) {
      if (!core.d.identities.identity(user)) throw unauthorized(`user "${user}" does not exist or is disabled`);
      const s = await core.createSessionKey(user, {
        kind: 'browser', ttlMs: settings.ttlMs, idleMs: settings.idleMs,
        annotations: { [SESSION_CHAIN_ANNOTATION]: JSON.stringify(chain) },
      });
      const maxAgeSeconds = Math.max(1, Math.floor((Date.parse(s.expires) - core.d.now()) / 1000));
      return { id: `accesskey:${s.name}`, secret: s.key, csrfToken: csrf.token(s.key), expires: s.expires, maxAgeSeconds };
    },
    authenticate: (secret, req) => secrets(secret, req, 'cookie'),
    async revoke(id) {
      if (!id.startsWith('accesskey:')) return false;
      const e = core.d.keys.get(id.slice('accesskey:'.length));
      if (!e?.session) return false;
      return del(e.name);
    },
    async revokeAllForUser(user, proof) {
      const names = [...core.d.keys.entries()]
        .filter((e) => e.user === user && e.session && (proof === undefined || e.chain?.includes(proof))).map((e) => e.name);
      let n = 0;
      for (const name of names) if (await del(name)) n++;
      return n;
    },
  };
}

/**
 * Ends sessions when their proof goes away: every session of a User disabled or deleted, and the password-based
 * ones when the password changes (run by the replica that runs controllers; the others see the deletions).
 */
export function endSessionsWithTheirUser(informer: Informer, sessions: SessionStore, isLeader: () => boolean, log: (m: string) => void): void {
  const seen = new Map<string, { hash?: string; disabled: boolean }>();
  informer.on(GROUP, 'users', (ev) => {
    if (ev.cluster !== ROOT_CLUSTER) return;
    const spec = (ev.object.spec ?? {}) as { passwordHash?: string; disabled?: boolean };
    const before = seen.get(ev.name);
    const now = { hash: spec.passwordHash, disabled: spec.disabled === true };
    if (ev.type === 'DELETED') seen.delete(ev.name); else seen.set(ev.name, now);
    let proof: string | undefined | null = null;
    if (ev.type === 'DELETED' || (now.disabled && !before?.disabled)) proof = undefined;
    else if (before && before.hash !== now.hash) proof = 'password';
    if (proof === null || !isLeader()) return;
    sessions.revokeAllForUser(ev.name, proof).catch((e: Error) => log(`ending the sessions of user ${ev.name} failed: ${e.message}`));
  });
}
