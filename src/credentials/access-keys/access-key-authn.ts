// The access-key authenticator: `Authorization: Bearer pcak_...` (or a console session cookie) → keyed SHA-256 lookup in
// the index (constant-time hash check) → the owner's live identity; credentialId accesskey:<name>; scope for the filter.
import type { IncomingMessage } from 'node:http';
import type { Authenticator, AuthnResult, UserInfo } from '../../apiserver/auth/types.ts';
import { unauthorized } from '../../apiserver/errors.ts';
import { bearerToken } from '../../apiserver/auth/bearer.ts';
import { type AccessKeyIndex, type KeyEntry, keyProblem } from './access-key-index.ts';
import type { IdentitySource } from '../platform-view/index.ts';
import { hashesEqual, secretFingerprint, type SecretHasher } from './secrets.ts';
import { scopeRestriction } from '../scope/index.ts';
import { KEY_PREFIX, type Scope } from '../resources/index.ts';

export const CREDENTIAL_EXTRA = 'credentials.portcullis.io/credential-id';

export interface AccessKeyAuthenticatorDeps {
  index: AccessKeyIndex;
  hash: SecretHasher;
  identities: IdentitySource;
  now: () => number;
  /** Called for every successful use (batched last-used bookkeeping). */
  onUse?: (name: string, ms: number, address: string) => void;
}

/** How a key secret reached the server: an Authorization bearer header, or the console's session cookie. */
export type KeyTransport = 'bearer' | 'cookie';

/**
 * Authenticates one key secret (throws a 401 StatusError when it is not usable). Browser sessions authenticate only
 * through the cookie (where the CSRF checks apply); every other key only as a bearer token.
 */
export type KeySecretAuthenticator = (secret: string, req: IncomingMessage, via: KeyTransport) => AuthnResult;

export function createKeySecretAuthenticator(d: AccessKeyAuthenticatorDeps): KeySecretAuthenticator {
  type Cached = { owner: UserInfo; label: string; scope: Scope | undefined; result: AuthnResult };
  const results = new WeakMap<object, Cached>();
  return (token, req, via) => {
    const hash = d.hash(token);
    const match = d.index.lookup(hash);
    if (!match) {
      const deleted = d.index.deletedLabel(hash);
      throw unauthorized(deleted ? `${via === 'cookie' ? 'session' : `access key "${deleted}"`} has been deleted` : via === 'cookie' ? 'invalid session' : 'invalid access key');
    }
    const e = match.entry;
    const stored = match.graceUntilMs === undefined ? e.hash : e.previous.find((p) => p.hash === hash)?.hash;
    if (!stored || !hashesEqual(stored, hash)) throw unauthorized('invalid access key');
    if ((e.session === 'browser') !== (via === 'cookie')) {
      throw unauthorized(via === 'cookie' ? 'the session cookie does not hold a console session' : 'a console session cannot be used as a bearer token');
    }
    const now = d.now();
    const problem = keyProblem(match, now);
    if (problem) throw unauthorized(problem);
    const owner = d.identities.identity(e.user);
    if (!owner || (e.ownerUid !== undefined && owner.uid !== e.ownerUid)) {
      throw unauthorized(`access key "${e.label}" is not valid: its owner "${e.user}" no longer exists or is disabled`);
    }
    d.index.touch(e, now);
    d.onUse?.(e.name, now, req.socket.remoteAddress ?? '');
    // One frozen result per key and owner identity (identities are frozen and replaced when they change), so a
    // key's requests share one user object, as a client certificate's do (cheaper audit and decisions).
    if (match.graceUntilMs !== undefined) {
      // A previous secret within its grace period: what it mints records that secret's generation (rare; not cached).
      const base = cached(e, owner).result;
      return Object.freeze({ ...base, link: `accesskey:${e.name}#${secretFingerprint(stored)}` });
    }
    return cached(e, owner).result;
  };

  function cached(e: KeyEntry, owner: UserInfo): Cached {
    let c = results.get(e);
    if (!c || c.owner !== owner || c.label !== e.label || c.scope !== e.scope) {
      const credentialId = `accesskey:${e.name}`;
      const what = e.session === 'browser' ? 'console session' : 'access key';
      c = {
        owner, label: e.label, scope: e.scope,
        result: Object.freeze({
          user: Object.freeze({ username: owner.username, uid: owner.uid, groups: owner.groups, extra: Object.freeze({ [CREDENTIAL_EXTRA]: Object.freeze([credentialId]) as string[] }) }),
          reason: `${what} "${e.label}" (${e.name}) of user ${owner.username}`,
          credentialId,
          restrictions: scopeRestriction(e.scope, `access key "${e.label}"`),
          link: `${credentialId}#${e.fp ?? ''}`,
          ...(e.expiresMs !== undefined ? { expiresMs: e.expiresMs } : {}),
        }),
      };
      results.set(e, c);
    }
    return c;
  }
}

export function createAccessKeyAuthenticator(d: AccessKeyAuthenticatorDeps, secrets = createKeySecretAuthenticator(d)): Authenticator {
  return {
    name: 'access-key',
    authenticate({ req }): AuthnResult | null {
      const token = bearerToken(req);
      if (!token || !token.startsWith(KEY_PREFIX)) return null;
      return secrets(token, req, 'bearer');
    },
  };
}
