// The login flows' shared steps: building the IdP authorization request (state, nonce, PKCE S256), completing a
// login from the IdP's token response (ID token verified, claims mapped, User linked, IdentitySession started,
// audited), and what a completed login hands out (a session access key minted from the IdentitySession).
import * as client from 'openid-client';
import type { IncomingMessage } from 'node:http';
import type { KObject } from '../apiserver/storage/interface.ts';
import type { Store } from '../apiserver/registry/store.ts';
import { StatusError } from '../apiserver/errors.ts';
import type { Attributes, AuthorizerResult } from '../apiserver/auth/types.ts';
import type { IdentitySource } from '../credentials/index.ts';
import type { CredentialsApi } from '../credentials/index.ts';
import type { PlatformApi } from '../platform/index.ts';
import type { PlatformAuditEvent } from '../apiserver/extension.ts';
import type { Accounts } from './accounts.ts';
import type { BrowserSessionStore } from './browser-session.ts';
import { mapClaims, type MappedIdentity } from './claims.ts';
import { TokenProblem, verifyIdToken } from './id-token.ts';
import type { LinkIndex } from './links.ts';
import type { ProviderRegistry, ProviderRuntime } from './providers.ts';
import type { Sealer } from './sealer.ts';
import { API_VERSION, SESSION_SOURCE_ANNOTATION, type IdentitySessionStatus, type SessionVia } from './types.ts';

/** Everything the identity routes need. */
import type { CredentialChains } from '../apiserver/auth/credential-chain.ts';

export interface IdentityDeps {
  store: Store;
  registry: ProviderRegistry;
  links: LinkIndex;
  accounts: Accounts;
  sealer: Sealer;
  sessions: BrowserSessionStore;
  identities: IdentitySource;
  now: () => number;
  log: (m: string) => void;
  audit: (e: PlatformAuditEvent) => void;
  /** The server's external base URL (redirect URIs are built on it). */
  baseUrl: () => string;
  caPem: () => string;
  credentials: () => CredentialsApi | undefined;
  platform: () => PlatformApi | undefined;
  projectExists: (name: string) => boolean;
  authorize: (a: Attributes) => Promise<AuthorizerResult>;
  /** Re-confirms the user with its IdP now when its groups are due (bounded wait; the staleness cap decides after). */
  refreshIfDue: (username: string) => Promise<void>;
  /** Credential chains: what a credential minted by a request derives from (credential-chain.ts). */
  chains: CredentialChains;
}

/** A login that cannot complete, with the HTTP code and a message for the user (never a token). */
export class LoginError extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

export const CALLBACK_PATH = '/login/-/callback';

export function readyProvider(d: IdentityDeps, name: unknown): ProviderRuntime {
  const p = typeof name === 'string' ? d.registry.get(name) : undefined;
  if (!p) throw new LoginError(404, `no identity provider named ${JSON.stringify(String(name ?? '')).slice(0, 80)}`);
  if (!p.ready || !p.config) throw new LoginError(503, `identity provider "${p.settings.name}" is not available right now (${p.reason}): try again later`);
  return p;
}

export interface AuthorizationRequest { url: URL; state: string; nonce: string; verifier: string }

export async function authorizationRequest(d: IdentityDeps, p: ProviderRuntime): Promise<AuthorizationRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(p.config!, {
    redirect_uri: `${d.baseUrl()}${CALLBACK_PATH}`, scope: p.settings.scopes.join(' '), state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  return { url, state, nonce, verifier };
}

export function requestMeta(req: IncomingMessage): Pick<PlatformAuditEvent, 'sourceIPs' | 'userAgent'> {
  const ua = req.headers['user-agent'];
  return { sourceIPs: req.socket.remoteAddress ? [req.socket.remoteAddress] : [], userAgent: typeof ua === 'string' ? ua.slice(0, 256) : undefined };
}

export function auditLoginFailure(d: IdentityDeps, provider: string, via: SessionVia, e: LoginError, req?: IncomingMessage, user = 'system:anonymous'): void {
  d.audit({
    verb: 'login-failed', requestURI: `/login/${provider}`, user: { username: user }, code: e.code, message: e.message,
    annotations: { 'identity.portcullis.io/provider': provider, 'identity.portcullis.io/via': via }, ...(req ? requestMeta(req) : {}),
  });
}

/** Verifies and maps the IdP's answer and starts an IdentitySession; LoginError says why a user is refused. */
export async function completeLogin(d: IdentityDeps, p: ProviderRuntime, tokens: client.TokenEndpointResponse, via: SessionVia,
  o: { nonce?: string; cliCode?: IdentitySessionStatus['cliCode']; req?: IncomingMessage } = {}): Promise<{ session: KObject; identity: MappedIdentity }> {
  let mapped: MappedIdentity | undefined;
  try {
    if (!tokens.id_token) throw new LoginError(502, `identity provider "${p.settings.name}" returned no ID token (is "openid" among its scopes?)`);
    let claims;
    try { claims = await verifyIdToken(p, tokens.id_token, d.now(), o.nonce); } catch (e) {
      if (e instanceof TokenProblem) throw new LoginError(401, e.message);
      throw e;
    }
    const r = mapClaims(p.settings, claims);
    if (!r.ok) throw new LoginError(r.code, r.message);
    mapped = r.identity;
    let session: KObject;
    try { session = await d.accounts.startSession(p, mapped, via, tokens.refresh_token, o.cliCode); } catch (e) {
      if (e instanceof StatusError && e.code < 500) throw new LoginError(e.code, e.message.replace(/^forbidden: /, ''));
      throw e;
    }
    d.audit({
      verb: 'login', requestURI: `/login/${p.settings.name}`, user: { username: mapped.username, groups: mapped.groups }, code: 200,
      message: `logged in through identity provider "${p.settings.name}" (${via})`,
      annotations: { 'identity.portcullis.io/provider': p.settings.name, 'identity.portcullis.io/via': via,
        'identity.portcullis.io/session': session.metadata.name! },
      ...(o.req ? requestMeta(o.req) : {}),
    });
    return { session, identity: mapped };
  } catch (e) {
    const err = e instanceof LoginError ? e : new LoginError(500, `login failed: ${(e as Error).message}`);
    auditLoginFailure(d, p.settings.name, via, err, o.req, mapped?.username);
    throw err;
  }
}

/** The CLI's login credential: a session access key owned by (and deleted with) the IdentitySession. */
export async function sessionKeyFor(d: IdentityDeps, session: KObject, username: string) {
  const api = d.credentials();
  if (!api) throw new LoginError(501, 'this server runs without the credentials module: CLI logins are not available');
  return api.core.createSessionKey(username, {
    ownerReferences: [{ apiVersion: API_VERSION, kind: 'IdentitySession', name: session.metadata.name, uid: session.metadata.uid }],
    annotations: { [SESSION_SOURCE_ANNOTATION]: session.metadata.name! },
  });
}

/** The CLI's login answer (the shape of /platform/v1/login's, plus the IdP). */
export function loginResponse(d: IdentityDeps, username: string, provider: string, k: { key: string; name: string; expires: string }) {
  return {
    apiVersion: API_VERSION, kind: 'LoginResponse',
    status: { username, provider, key: k.key, accessKeyName: k.name, expirationTimestamp: k.expires, caData: Buffer.from(d.caPem()).toString('base64') },
  };
}
