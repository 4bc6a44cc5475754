// A real OpenID Provider for the identity tests: oidc-provider@9 over HTTPS on 127.0.0.1 (its own test CA), with test
// accounts and groups that tests change or delete, a login form, automatic consent, the device flow, refresh-token
// rotation, key rotation, going down and coming back on the same port, and a record of every token it handed out.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes, randomUUID, type webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';
import { createCa, issueLeafCert, loadSigningCa, type PemPair } from '../../src/pki/certs.ts';

export interface TestAccount { password: string; email: string; groups: string[]; name?: string; emailVerified?: boolean }
interface SigningKey { kid: string; privateJwk: JWK; privateKey: webcrypto.CryptoKey }

export interface TestIdp {
  issuer: string;
  caPem: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** Every token and code the provider sent (ID, access and refresh tokens, device codes), for the secret grep. */
  issued: Set<string>;
  counts: { refreshGrants: number; deviceGrants: number };
  /** Signs a token with the provider's current key (for expired / wrong-audience tokens the provider would not make). */
  sign(claims: JWTPayload, o?: { expiresInS?: number; audience?: string; key?: 'current' | 'foreign' }): Promise<string>;
  /** Puts a new signing key first (the old one stays published for a while, as real IdPs do). */
  rotateKeys(): Promise<void>;
  /** Stops answering (connections refused) until up(). */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

let sharedCa: Promise<PemPair> | undefined;
/** One CA for every test IdP of a process (its PEM is the IdentityProvider's certificateAuthority). */
export function testIdpCa(): Promise<PemPair> {
  sharedCa ??= createCa({ commonName: 'test-idp-ca', notBefore: new Date(Date.now() - 3_600_000), notAfter: new Date(Date.now() + 7 * 86_400_000) });
  return sharedCa;
}

async function newKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey: privateKey as webcrypto.CryptoKey, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' } };
}

const withButton = (form: string) => form.replace('</form>', '<button type="submit">Continue</button></form>');
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (res: ServerResponse, body: string, code = 200) => {
  res.writeHead(code, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><body>${body}</body></html>`);
};

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

export async function startTestIdp(o: { redirectUris: string[]; accounts: Record<string,
  TestAccount>; clientId?: string; idTokenTtlS?: number }): Promise<TestIdp> {
  const ca = await testIdpCa();
  const leaf = await issueLeafCert(await loadSigningCa(ca), { commonName: '127.0.0.1', usage: 'server', ips: ['127.0.0.1'],
    notBefore: new Date(Date.now() - 3_600_000), notAfter: new Date(Date.now() + 7 * 86_400_000) });
  const accounts = new Map(Object.entries(o.accounts));
  const issued = new Set<string>();
  const counts = { refreshGrants: 0, deviceGrants: 0 };
  const clientId = o.clientId ?? 'portcullis';
  const clientSecret = `idp-client-secret-${randomBytes(12).toString('hex')}`;
  let keys: SigningKey[] = [await newKey()];
  const foreign = await newKey();
  const sockets = new Set<Socket>();
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  const server = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => handler(req, res));
  server.on('secureConnection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const issuer = `https://127.0.0.1:${port}`;

  const build = () => {
    const provider = new Provider(issuer, {
      clients: [{
        client_id: clientId, client_secret: clientSecret, redirect_uris: o.redirectUris, response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
          token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'ES256',
      }],
      findAccount: async (_ctx: unknown, id: string) => {
        const a = accounts.get(id);
        if (!a) return undefined;
        return { accountId: id, claims: async () => {
          const cur = accounts.get(id);
          return cur ? { sub: id, email: cur.email, email_verified: cur.emailVerified ?? true, groups: cur.groups,
            name: cur.name ?? id, preferred_username: id } : { sub: id };
        } };
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'], groups: ['groups'] },
      scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
      conformIdTokenClaims: false,
      features: {
        devInteractions: { enabled: false },
        deviceFlow: {
          enabled: true,
          userCodeInputSource: async (ctx: { body: string },
            form: string) => { ctx.body = `<!doctype html><html><body><h1>Device login</h1>${withButton(form)}</body></html>`; },
          userCodeConfirmSource: async (ctx: { body: string }, form: string, _c: unknown, _i: unknown, code: string) => {
            ctx.body = `<!doctype html><html><body><h1>Confirm ${esc(code)}</h1>${withButton(form)}</body></html>`;
          },
          successSource: async (ctx: { body: string }) => { ctx.body = '<!doctype html><html><body><h1>Device login complete</h1></body></html>'; },
        },
        revocation: { enabled: true },
      },
      pkce: { required: () => true },
      jwks: { keys: keys.map((k) => k.privateJwk) },
      cookies: { keys: ['test-idp-cookie-key-0123456789'] },
      issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
      rotateRefreshToken: true,
      ttl: { IdToken: o.idTokenTtlS ?? 86_400, AccessToken: 3600, RefreshToken: 14 * 86_400, DeviceCode: 600,
        Interaction: 600, Session: 86_400, Grant: 14 * 86_400 },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      renderError: async (ctx: { type: string; body: string }, out: Record<string,
        string>) => { ctx.type = 'html'; ctx.body = `<!doctype html><html><body><h1>IdP error</h1><pre>${esc(JSON.stringify(out))}</pre></body></html>`; },
    });
    provider.proxy = false;
    provider.on('grant.success', (ctx: { oidc: { params: { grant_type?: string } } }) => {
      if (ctx.oidc.params.grant_type === 'refresh_token') counts.refreshGrants++;
      if (ctx.oidc.params.grant_type === 'urn:ietf:params:oauth:grant-type:device_code') counts.deviceGrants++;
    });
    const callback = provider.callback();
    return async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', issuer);
      if (url.pathname.startsWith('/interaction/')) {
        try { await interaction(provider, req, res, url); } catch (e) { page(res, `<h1>interaction failed</h1><p>${esc((e as Error).message)}</p>`, 400); }
        return;
      }
      if (req.method === 'POST' && (url.pathname === '/token' || url.pathname === '/device/auth')) record(res);
      callback(req, res);
    };
  };

  /** Collects tokens and codes from JSON responses. */
  const record = (res: ServerResponse) => {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = ((c: unknown,
      ...rest: unknown[]) => { if (c) chunks.push(Buffer.from(c as string)); return (write as (...a: unknown[]) => boolean)(c, ...rest); }) as typeof res.write;
    res.end = ((c?: unknown, ...rest: unknown[]) => {
      if (c && typeof c !== 'function') chunks.push(Buffer.from(c as string));
      try {
        const j = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
        for (const k of ['access_token', 'id_token', 'refresh_token', 'device_code']) if (typeof j[k] === 'string') issued.add(j[k] as string);
      } catch { /* not JSON */ }
      return (end as (...a: unknown[]) => ServerResponse)(c, ...rest);
    }) as typeof res.end;
  };

  async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const uid = details.uid;
    if (req.method === 'POST' && url.pathname.endsWith('/login')) {
      const f = await readForm(req);
      const a = accounts.get(f.get('login') ?? '');
      if (!a || a.password !== f.get('password')) {
        page(res, `<h1>Sign in</h1><p class="error">Invalid login or password</p>${loginForm(uid)}`);
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: f.get('login') } }, { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name === 'login') { page(res, `<h1>Sign in to the test IdP</h1>${loginForm(uid)}`); return; }
    // consent: granted at once (a test IdP; the login form is the part the tests drive)
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: details.session?.accountId, clientId: details.params.client_id });
    const d = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [ind, sc] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(ind, sc.join(' '));
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }

  const loginForm = (uid: string) => `<form method="post" action="/interaction/${esc(uid)}/login">
<label>Login <input name="login" type="text"></label><label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form>`;

  handler = build();
  const idp: TestIdp = {
    issuer, caPem: ca.certPem, clientId, clientSecret, accounts, issued, counts,
    async sign(claims, so = {}) {
      const k = so.key === 'foreign' ? foreign : keys[0];
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: k.kid, typ: 'JWT' }).setIssuer(String(claims.iss ?? issuer))
        .setAudience(so.audience ?? clientId).setIssuedAt(now - (so.expiresInS !== undefined && so.expiresInS < 0 ? 3600 : 0))
        .setExpirationTime(now + (so.expiresInS ?? 600)).sign(k.privateKey);
    },
    async rotateKeys() {
      keys = [await newKey(), keys[0]];
      handler = build();
    },
    async down() {
      server.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => setImmediate(r));
    },
    async up() {
      await new Promise<void>((r, j) => { server.once('error', j); server.listen(port, '127.0.0.1', () => r()); });
    },
    async close() {
      await idp.down();
    },
  };
  return idp;
}
