// Verifying an IdP's ID token as Kubernetes' OIDC authenticator does: the IdP is chosen by issuer and audience (never
// by anything the token merely claims about itself), the signature is checked against that IdP's cached JWKS (an
// unknown key re-fetches it: key rotation), then issuer, audience = client ID, azp, expiry and not-before.
import { decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { ProviderRegistry, ProviderRuntime } from './providers.ts';

/** Asymmetric algorithms only: no "none", no HMAC (whose key would be the client secret). */
export const ID_TOKEN_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export class TokenProblem extends Error {}

const audiences = (p: JWTPayload): string[] => (Array.isArray(p.aud) ? p.aud : typeof p.aud === 'string' ? [p.aud] : []);

/** The IdP a token belongs to, by its issuer and audience; undefined when no configured IdP has its issuer. */
export function providerFor(registry: ProviderRegistry, token: string): { provider?: ProviderRuntime; unverified?: JWTPayload; problem?: string } {
  let unverified: JWTPayload;
  try { unverified = decodeJwt(token); } catch { return {}; }
  if (typeof unverified.iss !== 'string') return {};
  const candidates = registry.forIssuer(unverified.iss);
  if (!candidates.length) return { unverified };
  const aud = audiences(unverified);
  const matching = candidates.filter((c) => aud.includes(c.settings.clientID));
  if (matching.length === 1) return { provider: matching[0], unverified };
  const names = candidates.map((c) => `"${c.settings.name}"`).join(', ');
  if (!matching.length) return { unverified, problem: `ID token audience ${JSON.stringify(aud)} is not the client ID of identity provider ${names}` };
  return { unverified, problem: `ID token is addressed to several identity providers (${matching.map((c) => c.settings.name).join(', ')}); refusing it` };
}

/** Verifies `token` for `p` at `nowMs`; throws TokenProblem with a message fit for a 401. */
export async function verifyIdToken(p: ProviderRuntime, token: string, nowMs: number, expectedNonce?: string): Promise<JWTPayload> {
  const who = `identity provider "${p.settings.name}"`;
  if (!p.ready || !p.jwks) throw new TokenProblem(`${who} is not ready (${p.reason}: ${p.message})`);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, p.jwks, {
      issuer: p.settings.issuer, audience: p.settings.clientID, algorithms: ID_TOKEN_ALGS,
      currentDate: new Date(nowMs), clockTolerance: 5, requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw new TokenProblem(`ID token of ${who} has expired`);
    if (e instanceof joseErrors.JWKSNoMatchingKey) throw new TokenProblem(`ID token of ${who} is signed with a key the IdP does not publish`);
    if (e instanceof joseErrors.JWSSignatureVerificationFailed) throw new TokenProblem(`ID token of ${who} has an invalid signature`);
    if (e instanceof joseErrors.JWKSTimeout) throw new TokenProblem(`cannot fetch the signing keys of ${who}: timed out`);
    if (e instanceof joseErrors.JOSEError) throw new TokenProblem(`invalid ID token of ${who}: ${e.message}`);
    throw new TokenProblem(`cannot verify the ID token of ${who}: ${(e as Error).message}`);
  }
  const aud = audiences(payload);
  if (aud.length > 1 && payload.azp !== p.settings.clientID) {
    throw new TokenProblem(`ID token of ${who} has several audiences and its azp is not "${p.settings.clientID}"`);
  }
  if (expectedNonce !== undefined && payload.nonce !== expectedNonce) throw new TokenProblem(`ID token of ${who} does not carry the nonce of this login`);
  return payload;
}
