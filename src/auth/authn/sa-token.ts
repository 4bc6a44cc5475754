// ServiceAccount tokens: ES256 JWTs with Kubernetes-style claims plus a logical-cluster binding; the signer issues
// them, the verifier checks signature/time/audience, and the authenticator checks cluster, ServiceAccount and revocation.
import { createHash, randomUUID } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { badRequest, unauthorized } from '../../apiserver/errors.ts';
import { serviceAccountUsername, type Authenticator, type AuthnResult } from '../../apiserver/auth/types.ts';
import { bearerToken } from '../../apiserver/auth/bearer.ts';
import { SA_TOKEN_ALG, type SigningKeys } from '../../pki/signing-keys.ts';

export const CLUSTER_CLAIM = 'portcullis.io/cluster';
export const CREDENTIAL_ID_EXTRA = 'authentication.kubernetes.io/credential-id';
/** The links of the credentials a token was requested with (credential-chain.ts): it dies with any of them. */
export const CHAIN_CLAIM = 'portcullis.io/chain';
/** Allowed clock skew for exp/nbf/iat, as jwt.DefaultLeeway in Kubernetes. */
const LEEWAY_SECONDS = 60;
/**
 * How long a verified signature is remembered (kube-apiserver caches token authentication for 10 s), and how many.
 * Only the signature and claim checks are cached; the ServiceAccount, its UID, revocation and the credential chain are
 * checked on every request.
 */
const VERIFIED_TTL_MS = 10_000;
const VERIFIED_MAX = 10_000;

export interface ServiceAccountTokenRequest {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
  audiences: string[];
  expirationSeconds: number;
  now?: Date;
  /** The lineage of the credential that requested it (carried in the token, checked at every use). */
  chain?: string[];
}
export interface IssuedServiceAccountToken { token: string; expirationTimestamp: Date; jti: string }

export interface ServiceAccountClaims extends JWTPayload {
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string } };
  [CLUSTER_CLAIM]: string;
  [CHAIN_CLAIM]?: string[];
}

export interface TokenSigner {
  readonly issuer: string;
  issueServiceAccountToken(req: ServiceAccountTokenRequest): Promise<IssuedServiceAccountToken>;
  /** Public keys to publish (e.g. at /openid/v1/jwks). */
  jwks(): { keys: JWK[] };
}

export function createTokenSigner(keys: SigningKeys, opts: { issuer: string }): TokenSigner {
  return {
    issuer: opts.issuer,
    jwks: () => keys.jwks(),
    async issueServiceAccountToken(req) {
      if (!Number.isInteger(req.expirationSeconds) || req.expirationSeconds <= 0) {
        throw badRequest(`expirationSeconds must be a positive integer, got ${req.expirationSeconds}`);
      }
      if (req.audiences.length === 0) throw badRequest('a service account token needs at least one audience');
      const iat = Math.floor((req.now ?? new Date()).getTime() / 1000);
      const exp = iat + req.expirationSeconds;
      const jti = randomUUID();
      const claims: ServiceAccountClaims = {
        iss: opts.issuer,
        sub: serviceAccountUsername(req.namespace, req.name),
        aud: [...req.audiences],
        exp, iat, nbf: iat, jti,
        'kubernetes.io': { namespace: req.namespace, serviceaccount: { name: req.name, uid: req.uid } },
        [CLUSTER_CLAIM]: req.cluster,
        ...(req.chain?.length ? { [CHAIN_CLAIM]: req.chain } : {}),
      };
      const { kid, key } = keys.signingKey();
      const token = await new SignJWT(claims).setProtectedHeader({ alg: SA_TOKEN_ALG, kid }).sign(key);
      return { token, expirationTimestamp: new Date(exp * 1000), jti };
    },
  };
}

export interface TokenVerifier {
  readonly issuer: string;
  /** Verifies signature, issuer, exp/nbf/iat and that `aud` intersects `audiences`; throws a 401 StatusError. */
  verify(token: string, opts: { audiences: string[]; now: Date }): Promise<ServiceAccountClaims>;
}

const quoteList = (v: unknown): string => `[${(Array.isArray(v) ? v : v === undefined ? [] : [v]).map((s) => JSON.stringify(String(s))).join(' ')}]`;

export function createTokenVerifier(keys: SigningKeys, opts: { issuer: string }): TokenVerifier {
  // sha256(token) -> what verified it, for whom, until when; insertion order is age order
  const recent = new Map<string, { claims: ServiceAccountClaims; kid: string; audiences: string; until: number }>();
  return {
    issuer: opts.issuer,
    async verify(token, { audiences, now }) {
      const id = createHash('sha256').update(token).digest('base64');
      const aud = audiences.join('\n');
      const t = now.getTime();
      const hit = recent.get(id);
      // A remembered token still needs: the same audiences, its key still trusted, and not expired since. (Its nbf
      // and iat passed at the first check, so they still pass.)
      if (hit && hit.audiences === aud && t < hit.until && keys.verificationKey(hit.kid) && t <= ((hit.claims.exp ?? 0) + LEEWAY_SECONDS) * 1000) {
        return hit.claims;
      }
      recent.delete(id);
      let payload: JWTPayload;
      let kid = '';
      try {
        ({ payload } = await jwtVerify(token, (header) => {
          const key = header.kid ? keys.verificationKey(header.kid) : undefined;
          if (!key) throw unauthorized(`service account token signed with unknown key ${JSON.stringify(header.kid ?? '')}`);
          kid = header.kid!;
          return key;
        }, {
          issuer: opts.issuer, audience: audiences, algorithms: [SA_TOKEN_ALG], currentDate: now,
          clockTolerance: LEEWAY_SECONDS, requiredClaims: ['exp', 'iat', 'nbf', 'jti', 'sub'],
        }));
      } catch (e) {
        throw describeJoseError(e, audiences);
      }
      const claims = checkShape(payload);
      recent.set(id, { claims, kid, audiences: aud, until: t + VERIFIED_TTL_MS });
      if (recent.size > VERIFIED_MAX) recent.delete(recent.keys().next().value!);
      return claims;
    },
  };
}

function describeJoseError(e: unknown, audiences: string[]): Error {
  if (e instanceof joseErrors.JWTExpired) return unauthorized('service account token has expired');
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'nbf') return unauthorized('service account token is not valid yet');
    if (e.claim === 'iat') return unauthorized('service account token is issued in the future');
    if (e.claim === 'aud') {
      return unauthorized(`token audiences ${quoteList(e.payload.aud)} is invalid for the target audiences ${quoteList(audiences)}`);
    }
    return unauthorized(`invalid service account token: ${e.message}`);
  }
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return unauthorized('invalid service account token: signature verification failed');
  if (e instanceof joseErrors.JOSEError) return unauthorized(`invalid service account token: ${e.message}`);
  return e instanceof Error ? e : new Error(String(e));
}

function checkShape(p: JWTPayload): ServiceAccountClaims {
  const k = p['kubernetes.io'] as ServiceAccountClaims['kubernetes.io'] | undefined;
  const cluster = p[CLUSTER_CLAIM];
  const ok = k && typeof k.namespace === 'string' && k.namespace !== '' && typeof k.serviceaccount?.name === 'string'
    && k.serviceaccount.name !== '' && typeof k.serviceaccount.uid === 'string' && typeof cluster === 'string' && cluster !== '';
  if (!ok) throw unauthorized('invalid service account token: missing kubernetes.io or cluster claims');
  if (p.sub !== serviceAccountUsername(k.namespace, k.serviceaccount.name)) {
    throw unauthorized('invalid service account token: sub does not match the kubernetes.io claims');
  }
  return p as ServiceAccountClaims;
}

export interface ServiceAccountTokenAuthenticatorOptions {
  verifier: TokenVerifier;
  /** Audiences accepted for tokens presented to `cluster`; a token must carry at least one. */
  audiences: (cluster: string) => string[];
  getServiceAccount: (cluster: string, namespace: string, name: string) => Promise<{ uid: string } | undefined>;
  isRevoked?: (jti: string) => boolean;
  now?: () => Date;
}

/** Applies only to bearer JWTs whose `iss` is ours; other bearer tokens are left to later authenticators. */
export function createServiceAccountTokenAuthenticator(opts: ServiceAccountTokenAuthenticatorOptions): Authenticator {
  const now = opts.now ?? (() => new Date());
  return {
    name: 'serviceaccount-token',
    // Synchronous when the token is not ours (no promise for access keys or platform tokens).
    authenticate({ req, cluster }): Promise<AuthnResult | null> | null {
      const token = bearerToken(req);
      // Cheap shape test first: opaque tokens (access keys) are common and must not pay for a failed decode.
      if (!token || token.split('.', 4).length !== 3) return null;
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        return null; // not a JWT: an access key or another opaque token
      }
      if (iss !== opts.verifier.issuer) return null;
      return verified(token, cluster);
    },
  };

  async function verified(token: string, cluster: string): Promise<AuthnResult | null> {
    const claims = await opts.verifier.verify(token, { audiences: opts.audiences(cluster), now: now() });
    const tokenCluster = claims[CLUSTER_CLAIM];
    if (tokenCluster !== cluster) {
      throw unauthorized(`service account token was issued for cluster "${tokenCluster}" and is not valid for cluster "${cluster}"`);
    }
    const { namespace, serviceaccount: { name, uid } } = claims['kubernetes.io'];
    const sa = await opts.getServiceAccount(cluster, namespace, name);
    if (!sa) throw unauthorized(`service account token is invalid: serviceaccount "${namespace}/${name}" no longer exists`);
    if (sa.uid !== uid) {
      throw unauthorized(`service account token is invalid: serviceaccount "${namespace}/${name}" UID (${sa.uid}) does not match claim (${uid})`);
    }
    const jti = claims.jti!;
    if (opts.isRevoked?.(jti)) throw unauthorized('service account token has been revoked');
    const username = serviceAccountUsername(namespace, name);
    const carried = claims[CHAIN_CLAIM];
    const chain = Array.isArray(carried) ? carried.filter((c): c is string => typeof c === 'string') : undefined;
    return {
      user: {
        username, uid,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
        extra: { [CREDENTIAL_ID_EXTRA]: [`JTI=${jti}`] },
      },
      reason: `serviceaccount token: ${username} in cluster ${cluster} (jti ${jti})`,
      credentialId: `sa-token:${jti}`,
      expiresMs: (claims.exp ?? 0) * 1000,
      ...(chain ? { chain } : {}),
    };
  }
}
