// kubectl with the IdP's own ID token: `Authorization: Bearer <id_token>` of a configured IdP is verified (id-token.ts),
// mapped (claims.ts), its user linked or created and its groups recorded as confirmed; then the request acts as that
// User's live identity. Verified tokens are remembered by hash until they expire, so a token costs one signature
// check, not one per request (the per-request path is a hash and two map lookups, like an access key).
import { hash } from 'node:crypto';
import type { Authenticator, AuthnResult, UserInfo } from '../apiserver/auth/types.ts';
import { unauthorized, forbidden } from '../apiserver/errors.ts';
import { bearerToken } from '../apiserver/auth/bearer.ts';
import type { IdentitySource } from '../credentials/index.ts';
import { CREDENTIAL_EXTRA } from '../credentials/index.ts';
import { KEY_PREFIX } from '../credentials/index.ts';
import type { Accounts } from './accounts.ts';
import { mapClaims } from './claims.ts';
import { providerFor, TokenProblem, verifyIdToken } from './id-token.ts';
import type { ProviderRegistry } from './providers.ts';

export interface IdTokenAuthenticatorDeps {
  registry: ProviderRegistry;
  accounts: Pick<Accounts, 'confirmByIdToken'>;
  identities: IdentitySource;
  now: () => number;
  /** Verified tokens remembered at most (default 10 000; the oldest is forgotten first). */
  maxCached?: number;
}

interface Entry { gen: number; expMs: number; username: string; provider: string; credentialId: string; owner?: UserInfo; result?: AuthnResult }

const SKEW_MS = 5000;

export function createIdTokenAuthenticator(d: IdTokenAuthenticatorDeps): Authenticator {
  const cache = new Map<string, Entry>();
  const max = d.maxCached ?? 10_000;

  const resultFor = (e: Entry): AuthnResult => {
    const owner = d.identities.identity(e.username);
    if (!owner) throw unauthorized(`ID token of identity provider "${e.provider}" is not valid: user "${e.username}" no longer exists or is disabled`);
    if (e.result && e.owner === owner) return e.result;
    e.owner = owner;
    e.result = Object.freeze({
      user: Object.freeze({ username: owner.username, uid: owner.uid, groups: owner.groups,
        extra: Object.freeze({ [CREDENTIAL_EXTRA]: Object.freeze([e.credentialId]) as string[] }) }),
      reason: `ID token of identity provider "${e.provider}" for ${owner.username}`,
      credentialId: e.credentialId,
    });
    return e.result;
  };

  const verify = async (token: string, key: string): Promise<AuthnResult | null> => {
    const { provider: p, problem } = providerFor(d.registry, token);
    if (!p) {
      if (problem) throw unauthorized(problem);
      return null; // not a token of a configured IdP: the next authenticator (or the final 401) decides
    }
    const gen = d.registry.generation;
    let claims;
    try { claims = await verifyIdToken(p, token, d.now()); } catch (e) {
      if (e instanceof TokenProblem) throw unauthorized(e.message);
      throw e;
    }
    const mapped = mapClaims(p.settings, claims);
    if (!mapped.ok) throw mapped.code === 403 ? forbidden(null, '', mapped.message) : unauthorized(mapped.message);
    await d.accounts.confirmByIdToken(p, mapped.identity, (claims.iat ?? 0) * 1000);
    const e: Entry = {
      gen, expMs: (claims.exp ?? 0) * 1000 + SKEW_MS, username: mapped.identity.username, provider: p.settings.name,
      credentialId: `idtoken:${p.settings.name}:${key.slice(0, 16)}`,
    };
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(key, e);
    return resultFor(e);
  };

  return {
    name: 'oidc-id-token',
    authenticate({ req }): AuthnResult | null | Promise<AuthnResult | null> {
      const token = bearerToken(req);
      if (!token || token.startsWith(KEY_PREFIX)) return null;
      const first = token.indexOf('.');
      if (first < 0 || token.indexOf('.', first + 1) < 0) return null;
      const key = hash('sha256', token, 'hex');
      const hit = cache.get(key);
      if (hit && hit.gen === d.registry.generation) {
        if (d.now() >= hit.expMs) { cache.delete(key); throw unauthorized(`ID token of identity provider "${hit.provider}" has expired`); }
        return resultFor(hit);
      }
      return verify(token, key);
    },
  };
}
