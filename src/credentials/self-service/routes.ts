// The /platform/v1 credential routes: login (public), JWKS and CRL (public), whoami, logout, tokens, the access-key
// self-service (list, delete, rotate, dry run) and the inventory (list, revoke). Bodies are validated with zod.
import { goQueryBool } from '../../apiserver/query.ts';
import { z } from 'zod';
import { type RequestContext, userFrom } from '../../apiserver/context.ts';
import { badRequest, methodNotSupported, notFound, routeNotFound, unauthorized } from '../../apiserver/errors.ts';
import { readBody, parseJson } from '../../apiserver/codec/body.ts';
import { writeJson, writeRaw } from '../../apiserver/handlers/respond.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import type { Route } from '../../apiserver/extension.ts';
import type { AuthnRequest, AuthnResult } from '../../apiserver/auth/types.ts';
import type { CredentialsCore } from './core.ts';
import type { PasswordLogin, PasswordVerifier } from './login-throttle.ts';
import type { Lineage } from '../../apiserver/auth/credential-chain.ts';
import { page, pageQuery } from '../../platform/index.ts';
import { requestScope, clusterAccess } from '../scope/index.ts';
import { parseDuration, API_VERSION, SESSION_LABEL, accessKeyType, isScoped, scopeSchema, type AccessKeySpec } from '../resources/index.ts';

export type { PasswordVerifier };

export interface RouteDeps {
  core: CredentialsCore;
  caPem: () => string;
  crl: () => Promise<ArrayBuffer>;
  /** Password check of the login route (throttled and audited). */
  passwordLogin: PasswordLogin;
  authenticate: (r: AuthnRequest) => Promise<AuthnResult>;
  /** What a credential minted by this request derives from (the server's CredentialChains). */
  lineage: (ctx: RequestContext) => Lineage;
  /** Every logical cluster name (dry run). */
  clusterNames: () => string[];
  /** Effective RBAC rules of a user in a cluster/namespace, when the authorizer can tell (dry run). */
  rulesFor?: (cluster: string, user: AuthnResult['user'], namespace: string) => Promise<unknown[] | undefined>;
}

const P = '/platform/v1';
const loginSchema = z.object({ username: z.string().min(1), password: z.string().min(1) }).strict();
const tokenSchema = z.object({ cluster: z.string().min(1), expirationSeconds: z.number().int().positive().optional() }).strict();
const rotateSchema = z.object({ grace: z.string().optional() }).strict();
const disableSchema = z.object({ disabled: z.boolean() }).strict();
const dryRunSchema = z.object({ user: z.string().optional(), scope: scopeSchema.optional() }).strict();

async function body<T>(ctx: RequestContext, schema: z.ZodType<T>): Promise<T> {
  const buf = await readBody(ctx.req, 64 * 1024);
  const r = schema.safeParse(buf.length ? parseJson(buf) : {});
  if (!r.success) throw badRequest(`invalid request body: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

function method(ctx: RequestContext, ...allowed: string[]): string {
  const m = ctx.req.method ?? 'GET';
  if (!allowed.includes(m)) throw methodNotSupported({ group: 'platform', resource: ctx.path }, m.toLowerCase());
  return m;
}

function rootOnly(ctx: RequestContext): void {
  if (ctx.cluster && ctx.cluster !== ROOT_CLUSTER) throw routeNotFound(ctx.path);
}

export function credentialRoutes(d: RouteDeps): Route[] {
  const { core } = d;
  return [
    { prefix: `${P}/login`, public: true, async handle(ctx) {
      rootOnly(ctx); method(ctx, 'POST');
      if (ctx.req.headers.authorization) {
        // validates the credential the client holds (an access key) and says whose it is
        const r = await d.authenticate({ req: ctx.req, cluster: ROOT_CLUSTER });
        if (!r.credentialId?.startsWith('accesskey:')) throw unauthorized('login accepts an access key (Authorization: Bearer pcak_...) or a username and password');
        const e = core.d.keys.get(r.credentialId.slice('accesskey:'.length));
        return writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'LoginResponse', status: {
          username: r.user.username, groups: r.user.groups, accessKeyName: e?.name, expirationTimestamp: e?.expiresMs ? new Date(e.expiresMs).toISOString() : undefined,
          caData: Buffer.from(d.caPem()).toString('base64'),
        } });
      }
      const { username, password } = await body(ctx, loginSchema);
      if (!(await d.passwordLogin(ctx, username, password))) throw unauthorized('invalid username or password');
      const s = await core.createSessionKey(username);
      writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'LoginResponse', status: {
        username, key: s.key, accessKeyName: s.name, expirationTimestamp: s.expires, caData: Buffer.from(d.caPem()).toString('base64'),
      } });
    } },
    { prefix: `${P}/jwks`, public: true, async handle(ctx) {
      method(ctx, 'GET');
      writeJson(ctx, 200, core.d.tokens.keys.jwks());
    } },
    { prefix: `${P}/crl`, public: true, async handle(ctx) {
      method(ctx, 'GET');
      const der = Buffer.from(await d.crl());
      if (ctx.url.searchParams.get('format') === 'pem') {
        writeRaw(ctx, 200, `-----BEGIN X509 CRL-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END X509 CRL-----\n`, 'application/x-pem-file');
        return;
      }
      ctx.responseCode = 200;
      ctx.res.writeHead(200, { 'Content-Type': 'application/pkix-crl', 'Content-Length': der.length });
      ctx.res.end(der);
    } },
    { prefix: `${P}/whoami`, async handle(ctx) {
      method(ctx, 'GET');
      const u = userFrom(ctx);
      const s = requestScope(ctx);
      writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'WhoAmI', status: { username: u.username, groups: u.groups, credentialId: ctx.credentialId, scope: s?.scope } });
    } },
    { prefix: `${P}/logout`, async handle(ctx) {
      rootOnly(ctx); method(ctx, 'POST');
      const id = ctx.credentialId ?? '';
      const e = id.startsWith('accesskey:') ? core.d.keys.get(id.slice('accesskey:'.length)) : undefined;
      let deleted = false;
      if (e) {
        const o = await core.d.store.get(ROOT_CLUSTER, accessKeyType, '', e.name).catch(() => undefined);
        if (o?.metadata.labels?.[SESSION_LABEL] === 'true') {
          await core.d.store.delete({ cluster: ROOT_CLUSTER }, accessKeyType, '', e.name);
          deleted = true;
        }
      }
      writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'LogoutResponse', status: { sessionDeleted: deleted } });
    } },
    { prefix: `${P}/tokens`, async handle(ctx) {
      rootOnly(ctx); method(ctx, 'POST');
      const req = await body(ctx, tokenSchema);
      const t = await core.issueToken(userFrom(ctx), d.lineage(ctx), requestScope(ctx), req.cluster, req.expirationSeconds);
      writeJson(ctx, 201, { apiVersion: API_VERSION, kind: 'PlatformToken', status: {
        token: t.token, expirationTimestamp: t.expires.toISOString().replace(/\.\d+Z$/, 'Z'), cluster: req.cluster, audience: t.audience, jti: t.jti,
      } });
    } },
    { prefix: `${P}/accesskeys`, async handle(ctx) {
      rootOnly(ctx);
      const rest = ctx.path.slice(`${P}/accesskeys`.length).split('/').filter(Boolean);
      const me = userFrom(ctx);
      if (rest.length === 0) {
        method(ctx, 'GET');
        const user = ctx.url.searchParams.get('user') ?? me.username;
        await core.assertActFor(me, user, 'list access keys');
        const items = (await core.list(user)).filter((i) => i.kind === 'AccessKey');
        return writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'CredentialList', items });
      }
      if (rest[0] === 'dry-run') {
        method(ctx, 'POST');
        const req = await body(ctx, dryRunSchema);
        const user = req.user ?? me.username;
        await core.assertActFor(me, user, 'inspect access keys');
        return writeJson(ctx, 200, await dryRun(d, user, req.scope, me));
      }
      const name = rest[0];
      const e = core.d.keys.get(name);
      if (!e) throw notFound(accessKeyType, name);
      await core.assertVisible(me, e.user, () => notFound(accessKeyType, name));
      if (rest.length === 1) {
        method(ctx, 'DELETE');
        await core.d.store.delete({ cluster: ROOT_CLUSTER, user: me }, accessKeyType, '', name);
        return writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'Status', status: 'Success', message: `access key "${e.label}" deleted` });
      }
      if (rest[1] === 'rotate' && rest.length === 2) {
        method(ctx, 'POST');
        const req = await body(ctx, rotateSchema);
        let graceMs = 0;
        try { graceMs = req.grace ? parseDuration(req.grace) : 0; } catch (err) { throw badRequest((err as Error).message); }
        const r = await core.rotate(name, graceMs);
        return writeJson(ctx, 200, { ...r.object, status: { ...(r.object.status as object), key: r.key } });
      }
      if (rest[1] === 'disable' && rest.length === 2) {
        method(ctx, 'POST');
        const { disabled } = await body(ctx, disableSchema);
        const { object } = await core.d.store.update({ cluster: ROOT_CLUSTER, user: me }, accessKeyType, '', name, (cur) => {
          if (!cur) throw notFound(accessKeyType, name);
          cur.spec = { ...(cur.spec ?? {}), disabled };
          return cur;
        });
        return writeJson(ctx, 200, object);
      }
      throw routeNotFound(ctx.path);
    } },
    { prefix: `${P}/credentials`, async handle(ctx) {
      rootOnly(ctx);
      const rest = ctx.path.slice(`${P}/credentials`.length).split('/').filter(Boolean).map(decodeURIComponent);
      const me = userFrom(ctx);
      if (rest.length === 0) {
        method(ctx, 'GET');
        const all = goQueryBool(ctx.url.searchParams.get('all')) ?? false;
        const user = all ? undefined : ctx.url.searchParams.get('user') ?? me.username;
        await core.assertActFor(me, user ?? '*', 'list credentials');
        const items = await core.list(user);
        // with ?limit (the console), one page in id order; without it, everything (the CLI)
        const p = page(items, (i) => i.id, (i) => [i.id, i.name, i.user, i.cluster, i.kind], pageQuery(ctx.url));
        return writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'CredentialList', ...p });
      }
      if (rest.length === 2 && rest[1] === 'revoke') {
        method(ctx, 'POST');
        const message = await core.revoke(me, rest[0]);
        return writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'Status', status: 'Success', message });
      }
      throw routeNotFound(ctx.path);
    } },
  ];
}

/** What a key with `scope` could do for `user`, per logical cluster, before any secret exists. */
async function dryRun(d: RouteDeps, user: string, scope: AccessKeySpec['scope'], requester: AuthnResult['user']) {
  const identity = d.core.d.identities.identity(user) ?? (user === requester.username ? requester : undefined);
  if (!identity) throw badRequest(`no such platform user "${user}"`);
  const projectOf = (c: string) => d.core.d.platform.projectOf(c);
  const clusters = [];
  for (const cluster of d.clusterNames().sort()) {
    const access = isScoped(scope) ? clusterAccess(scope, cluster, projectOf) : { kind: 'all' as const };
    const namespaces = access.kind === 'namespaces' ? [...access.namespaces] : undefined;
    let rules: unknown[] | undefined = [];
    if (access.kind === 'all') rules = await d.rulesFor?.(cluster, identity, '');
    else if (access.kind === 'namespaces') {
      for (const ns of namespaces!) rules.push(...((await d.rulesFor?.(cluster, identity, ns)) ?? []).map((r) => ({ namespace: ns, ...(r as object) })));
    }
    clusters.push({ cluster, project: projectOf(cluster), access: access.kind, namespaces, rules });
  }
  return { apiVersion: API_VERSION, kind: 'AccessKeyDryRun', user, scope: isScoped(scope) ? scope : undefined, clusters };
}
