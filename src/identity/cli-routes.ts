// The CLI's identity endpoints under /platform/v1/idp: exchanging the one-time code of a loopback login (bound to
// the CLI's PKCE verifier), the device authorization grant (start, then poll with a sealed handle: no state on
// any replica), the exec plugin's short tokens (groups re-confirmed first when due) and `portcullis idp test`.
import { createHash, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { z } from 'zod';
import type { Route } from '../apiserver/extension.ts';
import type { RequestContext } from '../apiserver/context.ts';
import { userFrom } from '../apiserver/context.ts';
import {
  badRequest, forbidden, methodNotSupported, notFound, StatusError, unauthorized, notImplemented,
} from '../apiserver/errors.ts';
import { parseJson, readBody } from '../apiserver/codec/body.ts';
import { writeJson } from '../apiserver/handlers/respond.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { strictest } from '../credentials/index.ts';
import { requestScope } from '../credentials/index.ts';
import { describeError } from './idp-fetch.ts';
import { mapClaims } from './claims.ts';
import { completeLogin, LoginError, loginResponse, readyProvider, sessionKeyFor, type IdentityDeps } from './flows.ts';
import { TokenProblem, verifyIdToken } from './id-token.ts';
import { API_VERSION, identityProviderType, identitySessionType, sessionSpec, sessionStatus } from './types.ts';

export const IDP_API = '/platform/v1/idp';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

async function body<T>(ctx: RequestContext, schema: z.ZodType<T>): Promise<T> {
  if (ctx.req.method !== 'POST') throw methodNotSupported({ group: 'platform', resource: ctx.path }, (ctx.req.method ?? '').toLowerCase());
  const r = schema.safeParse(parseJson(await readBody(ctx.req, 64 * 1024)));
  if (!r.success) throw badRequest(`invalid request body: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

const asStatus = (e: unknown): unknown => (e instanceof LoginError ? new StatusError(e.code,
  e.code === 403 ? 'Forbidden' : e.code === 404 ? 'NotFound' : 'Unauthorized', e.message) : e);

export function cliRoutes(d: IdentityDeps): Route[] {
  const ROOT = { cluster: ROOT_CLUSTER };

  async function exchange(ctx: RequestContext): Promise<void> {
    const req = await body(ctx, z.object({ code: z.string().min(1).max(4096), codeVerifier: z.string().min(43).max(128) }).strict());
    const now = d.now();
    const v = d.sealer.open<{ sid: string }>('cli-code', req.code, now);
    if (!v) throw unauthorized('invalid or expired login code: run portcullis login again');
    const challenge = createHash('sha256').update(req.codeVerifier).digest('base64url');
    const { object } = await d.store.update(ROOT, identitySessionType, '', v.sid, (cur) => {
      if (!cur) throw unauthorized('this login has ended');
      const st = sessionStatus(cur);
      const c = st.cliCode;
      if (st.state !== 'Active' || !c || c.used || Date.parse(c.expiresAt) <= now) throw unauthorized('this login code was already used or has expired');
      if (!timingSafeEqual(Buffer.from(c.challenge.padEnd(43)),
        Buffer.from(challenge.padEnd(43)))) throw unauthorized('the login code does not belong to this CLI (PKCE verification failed)');
      cur.status = { ...st, cliCode: { ...c, used: true } } as unknown as Record<string, unknown>;
      return cur;
    });
    d.links.setSession(object);
    const spec = sessionSpec(object);
    const key = await sessionKeyFor(d, object, spec.user);
    writeJson(ctx, 200, loginResponse(d, spec.user, spec.provider, key));
  }

  async function deviceStart(ctx: RequestContext): Promise<void> {
    const req = await body(ctx, z.object({ idp: z.string().min(1) }).strict());
    const p = readyProvider(d, req.idp);
    if (!p.config!.serverMetadata().device_authorization_endpoint) {
      throw notImplemented(`identity provider "${p.settings.name}" does not offer the device authorization grant: log in with a browser instead`);
    }
    let r: client.DeviceAuthorizationResponse;
    try { r = await client.initiateDeviceAuthorization(p.config!, { scope: p.settings.scopes.join(' ') }); } catch (e) {
      throw new StatusError(502, 'BadGateway', `identity provider "${p.settings.name}" refused to start a device login: ${describeError(e)}`);
    }
    const expiresAt = d.now() + Math.min(r.expires_in, 1800) * 1000;
    writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'DeviceLogin', status: {
      userCode: r.user_code, verificationURI: r.verification_uri, verificationURIComplete: r.verification_uri_complete,
      interval: r.interval ?? 5, expirationTimestamp: new Date(expiresAt).toISOString(),
      handle: d.sealer.seal('device-handle', { idp: p.settings.name, uid: p.settings.uid, deviceCode: r.device_code }, expiresAt),
    } });
  }

  async function devicePoll(ctx: RequestContext): Promise<void> {
    const req = await body(ctx, z.object({ handle: z.string().min(1).max(8192) }).strict());
    const h = d.sealer.open<{ idp: string; uid: string; deviceCode: string }>('device-handle', req.handle, d.now());
    if (!h) throw unauthorized('this device login has expired: start it again');
    const p = readyProvider(d, h.idp);
    if (p.settings.uid !== h.uid) throw unauthorized(`identity provider "${h.idp}" was replaced: start the device login again`);
    let tokens: client.TokenEndpointResponse;
    try { tokens = await client.genericGrantRequest(p.config!, DEVICE_GRANT, { device_code: h.deviceCode }); } catch (e) {
      const err = e instanceof client.ResponseBodyError ? e.error : '';
      if (err === 'authorization_pending' || err === 'slow_down') {
        return writeJson(ctx, 202, { apiVersion: API_VERSION, kind: 'DeviceLogin', status: { pending: true, slowDown: err === 'slow_down' } });
      }
      const why = e instanceof client.ResponseBodyError ? `${e.error}${e.error_description ? `: ${e.error_description}` : ''}` : (e as Error).message;
      const failure = new LoginError(err === 'access_denied' ? 403 : 401, `identity provider "${p.settings.name}" did not complete the device login (${why})`);
      d.audit({ verb: 'login-failed', requestURI: `/login/${p.settings.name}`, user: { username: 'system:anonymous' },
        code: failure.code, message: failure.message,
        annotations: { 'identity.portcullis.io/provider': p.settings.name, 'identity.portcullis.io/via': 'device' } });
      throw failure;
    }
    const { session, identity } = await completeLogin(d, p, tokens, 'device', { req: ctx.req });
    const key = await sessionKeyFor(d, session, identity.username);
    writeJson(ctx, 200, loginResponse(d, identity.username, p.settings.name, key));
  }

  /** The exec plugin's token for one cluster: short (the IdP's tokenTTL, or a stricter project maximum). */
  async function pluginToken(ctx: RequestContext): Promise<void> {
    if (ctx.cluster !== ROOT_CLUSTER) throw notFound({ group: 'platform', resource: 'idp' }, 'token');
    const req = await body(ctx, z.object({ cluster: z.string().min(1) }).strict());
    const user = userFrom(ctx);
    const api = d.credentials();
    if (!api) throw notImplemented('this server runs without the credentials module');
    const f = d.links.freshness(user.username);
    const p = f ? d.registry.get(f.provider) : undefined;
    let ttlMs = 24 * 3_600_000;
    if (p) {
      await d.refreshIfDue(user.username);
      const problem = d.links.problem(user.username, req.cluster);
      if (problem) throw problem;
      ttlMs = p.settings.tokenTtlMs;
    }
    const project = api.core.d.platform.projectOf(req.cluster);
    const limit = project ? strictest(api.core.d.platform, [project], 'maxTokenTTL') : undefined;
    if (limit) ttlMs = Math.min(ttlMs, limit.ms);
    const fresh = d.identities.identity(user.username) ?? user;
    const t = await api.core.issueToken(fresh, d.chains.lineage(ctx), requestScope(ctx), req.cluster, Math.max(1, Math.floor(ttlMs / 1000)));
    writeJson(ctx, 201, { apiVersion: API_VERSION, kind: 'PlatformToken', status: {
      token: t.token, expirationTimestamp: t.expires.toISOString().replace(/\.\d+Z$/, 'Z'), cluster: req.cluster, audience: t.audience, jti: t.jti,
    } });
  }

  /** `portcullis idp test NAME`: discovery now, and (with an ID token) what a login would map. */
  async function test(ctx: RequestContext, name: string): Promise<void> {
    const user = userFrom(ctx);
    const allowed = await d.authorize({ user, cluster: ROOT_CLUSTER, verb: 'get', isResourceRequest: true, path: '', apiGroup: identityProviderType.group,
      apiVersion: identityProviderType.version, resource: identityProviderType.resource, subresource: '', namespace: '', name });
    if (allowed.decision !== 'allow') throw forbidden(identityProviderType, name, `User "${user.username}" cannot get identityproviders in root`);
    const req = ctx.req.method === 'POST' ? await body(ctx, z.object({ idToken: z.string().max(64 * 1024).optional() }).strict()) : {};
    const p = await d.registry.discoverNow(name);
    if (!p) throw notFound(identityProviderType, name);
    const meta = p.ready ? p.config!.serverMetadata() : undefined;
    const s = p.settings;
    const out: Record<string, unknown> = {
      name, ready: p.ready, reason: p.reason, message: p.message, issuer: s.issuer, project: s.project,
      endpoints: meta ? { authorization: meta.authorization_endpoint, token: meta.token_endpoint, deviceAuthorization: meta.device_authorization_endpoint,
        userinfo: meta.userinfo_endpoint, jwks: meta.jwks_uri } : undefined,
      mapping: { username: `${s.usernamePrefix}<${s.usernameClaim}>`, groups: s.groupsClaim ? `${s.groupsPrefix}<${s.groupsClaim}>` : '(none)',
        requiredGroups: s.requiredGroups, allowedEmailDomains: s.allowedEmailDomains, claimValidationRules: s.claimValidationRules,
        groupRefreshInterval: `${s.refreshMs / 1000}s`, maxGroupStaleness: `${s.staleMs / 1000}s`, tokenTTL: `${s.tokenTtlMs / 1000}s` },
    };
    if (req.idToken) {
      try {
        const r = mapClaims(s, await verifyIdToken(p, req.idToken, d.now()));
        out.login = r.ok ? { allowed: true, username: r.identity.username, groups: r.identity.groups,
          droppedGroups: r.identity.dropped } : { allowed: false, code: r.code, message: r.message };
      } catch (e) {
        if (!(e instanceof TokenProblem)) throw e;
        out.login = { allowed: false, code: 401, message: e.message };
      }
    }
    writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'IdentityProviderTest', status: out });
  }

  const wrap = (f: (ctx: RequestContext) => Promise<void>) => async (ctx: RequestContext) => {
    if (ctx.cluster !== ROOT_CLUSTER) throw notFound({ group: 'platform', resource: 'idp' }, ctx.path);
    try { await f(ctx); } catch (e) { throw asStatus(e); }
  };
  return [
    { prefix: `${IDP_API}/exchange`, public: true, handle: wrap(exchange) },
    { prefix: `${IDP_API}/device/start`, public: true, handle: wrap(deviceStart) },
    { prefix: `${IDP_API}/device/poll`, public: true, handle: wrap(devicePoll) },
    { prefix: `${IDP_API}/token`, handle: wrap(pluginToken) },
    { prefix: `${IDP_API}/test`, handle: wrap((ctx) => {
      const name = decodeURIComponent(ctx.path.slice(`${IDP_API}/test/`.length));
      if (!name || name.includes('/')) throw notFound(identityProviderType, name);
      return test(ctx, name);
    }) },
  ];
}
