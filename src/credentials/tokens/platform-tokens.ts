// Platform tokens: ES256 JWTs (own rotatable key set, published as JWKS) bound to exactly one logical cluster through
// `aud`; the authenticator accepts a token only on that cluster, rejects revoked jtis and resolves the owner live.
import { randomUUID } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Authenticator, AuthnResult, UserInfo } from '../../apiserver/auth/types.ts';
import { unauthorized } from '../../apiserver/errors.ts';
import { bearerToken } from '../../apiserver/auth/bearer.ts';
import { SA_TOKEN_ALG, type SigningKeys } from '../../pki/signing-keys.ts';
import type { IdentitySource } from '../platform-view/index.ts';
import { scopeRestriction } from '../scope/index.ts';
import { isScoped, type Scope } from '../resources/index.ts';
import { CREDENTIAL_EXTRA } from '../access-keys/index.ts';

export const audienceFor = (cluster: string): string => `urn:portcullis:cluster:${cluster}`;
const SCOPE_CLAIM = 'portcullis.io/scope';
const LIVE_CLAIM = 'portcullis.io/live';
const VIA_CLAIM = 'portcullis.io/via';
/** The links of the credentials the token was minted from (credential-chain.ts): it dies with any of them. */
const CHAIN_CLAIM = 'portcullis.io/chain';

export interface PlatformTokenRequest {
  user: UserInfo;
  cluster: string;
  ttlMs: number;
  /** The owner is a platform User: groups are resolved live at every request, and the token dies with the User. */
  live: boolean;
  scope?: Scope;
  /** Label of the scoped credential the token was minted with (for scope messages). */
  via?: string;
  nowMs: number;
  /** The lineage of the credential that minted it. */
  chain?: string[];
}
export interface IssuedPlatformToken { token: string; jti: string; expires: Date; audience: string }

export class PlatformTokens {
  constructor(readonly keys: SigningKeys, readonly issuer: string) {}

  async issue(r: PlatformTokenRequest): Promise<IssuedPlatformToken> {
    const iat = Math.floor(r.nowMs / 1000);
    const exp = iat + Math.max(1, Math.floor(r.ttlMs / 1000));
    const jti = randomUUID();
    const audience = audienceFor(r.cluster);
    const claims: JWTPayload = { groups: r.user.groups.filter((g) => g !== 'system:authenticated'), [LIVE_CLAIM]: r.live };
    if (isScoped(r.scope)) { claims[SCOPE_CLAIM] = r.scope; claims[VIA_CLAIM] = r.via ?? 'token'; }
    if (r.chain?.length) claims[CHAIN_CLAIM] = r.chain;
    const { kid, key } = this.keys.signingKey();
    const token = await new SignJWT(claims).setProtectedHeader({ alg: SA_TOKEN_ALG, kid, typ: 'JWT' })
      .setIssuer(this.issuer).setSubject(r.user.username).setAudience(audience)
      .setIssuedAt(iat).setNotBefore(iat).setExpirationTime(exp).setJti(jti).sign(key);
    return { token, jti, expires: new Date(exp * 1000), audience };
  }
}

export interface PlatformTokenAuthenticatorDeps {
  tokens: PlatformTokens;
  identities: IdentitySource;
  isRevoked: (jti: string) => boolean;
  /** Why a revoked token was revoked (added to its 401). */
  revocationReason?: (jti: string) => string | undefined;
  now: () => number;
}

export function createPlatformTokenAuthenticator(d: PlatformTokenAuthenticatorDeps): Authenticator {
  return {
    name: 'platform-token',
    async authenticate({ req, cluster }): Promise<AuthnResult | null> {
      const token = bearerToken(req);
      if (!token || token.split('.').length !== 3) return null;
      let unverified: JWTPayload;
      try { unverified = decodeJwt(token); } catch { return null; }
      if (unverified.iss !== d.tokens.issuer) return null;
      const want = audienceFor(cluster);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, (h) => {
          const k = h.kid ? d.tokens.keys.verificationKey(h.kid) : undefined;
          if (!k) throw unauthorized(`platform token signed with unknown key ${JSON.stringify(h.kid ?? '')}`);
          return k;
        }, { issuer: d.tokens.issuer, algorithms: [SA_TOKEN_ALG], currentDate: new Date(d.now()), clockTolerance: 5, requiredClaims: ['exp', 'jti', 'sub', 'aud'] }));
      } catch (e) {
        if (e instanceof joseErrors.JWTExpired) throw unauthorized('platform token has expired');
        if (e instanceof joseErrors.JOSEError) throw unauthorized(`invalid platform token: ${e.message}`);
        throw e;
      }
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!aud.includes(want)) {
        throw unauthorized(`platform token is bound to audience ${aud.map((a) => JSON.stringify(a)).join(', ')} and is not valid for cluster "${cluster}"`);
      }
      const jti = payload.jti!;
      if (d.isRevoked(jti)) {
        const why = d.revocationReason?.(jti);
        throw unauthorized(`platform token has been revoked${why ? `: ${why}` : ''}`);
      }
      const sub = payload.sub!;
      let user: UserInfo;
      if (payload[LIVE_CLAIM] === true) {
        const live = d.identities.identity(sub);
        if (!live) throw unauthorized(`platform token is not valid: user "${sub}" no longer exists or is disabled`);
        user = { username: live.username, uid: live.uid, groups: [...live.groups] };
      } else {
        const groups = Array.isArray(payload.groups) ? payload.groups.filter((g): g is string => typeof g === 'string') : [];
        user = { username: sub, groups };
      }
      const credentialId = `platformtoken:${jti}`;
      user.extra = { [CREDENTIAL_EXTRA]: [credentialId] };
      const scope = payload[SCOPE_CLAIM] as Scope | undefined;
      const via = String(payload[VIA_CLAIM] ?? 'a scoped credential');
      const restrictions = scopeRestriction(scope, `token minted with ${via}`);
      const carried = payload[CHAIN_CLAIM];
      const chain = Array.isArray(carried) ? carried.filter((c): c is string => typeof c === 'string') : undefined;
      return {
        user, reason: `platform token for ${sub} bound to cluster ${cluster} (jti ${jti})`, credentialId, expiresMs: payload.exp! * 1000,
        ...(chain ? { chain } : {}), restrictions,
      };
    },
  };
}
