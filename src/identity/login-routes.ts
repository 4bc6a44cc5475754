// The browser login: /login and /login/<project> list the IdPs of that URL; /login/-/start sends the browser to the
// IdP (authorization code + PKCE, state and nonce in a sealed per-login cookie); /login/-/callback completes it and
// opens a browser session (or hands a one-time code to a CLI waiting on 127.0.0.1); the page after login offers
// "Generate kubectl configuration" and "Credentials plugin instructions". Forms carry a CSRF token.
import * as client from 'openid-client';
import type { Route } from '../apiserver/extension.ts';
import type { RequestContext } from '../apiserver/context.ts';
import { StatusError, ignoreNotFound } from '../apiserver/errors.ts';
import { readBody } from '../apiserver/codec/body.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { formatDuration } from '../credentials/index.ts';
import { describeError } from './idp-fetch.ts';
import { pendingCookie, safeReturnPath, type BrowserSession } from './browser-session.ts';
import { auditLoginFailure, authorizationRequest, CALLBACK_PATH, completeLogin, LoginError, readyProvider, type IdentityDeps } from './flows.ts';
import { homePage, loginPage, messagePage, PAGE_HEADERS, pluginPage, type ProviderLink } from './pages.ts';
import { userKubeconfig } from './kubeconfig-file.ts';
import { identitySessionType } from './types.ts';

const HOME = '/login/-/home';
const CLI_STATE = /^[A-Za-z0-9_-]{16,128}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const PROJECT = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function html(ctx: RequestContext, code: number, body: string, cookies: string[] = []): void {
  ctx.responseCode = code;
  ctx.res.writeHead(code, { ...PAGE_HEADERS, 'Content-Length': Buffer.byteLength(body), ...(cookies.length ? { 'Set-Cookie': cookies } : {}) });
  ctx.res.end(body);
}

function redirect(ctx: RequestContext, location: string, cookies: string[] = []): void {
  ctx.responseCode = 302;
  ctx.res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0, ...(cookies.length ? { 'Set-Cookie': cookies } : {}) });
  ctx.res.end();
}

export function loginRoutes(d: IdentityDeps): Route[] {
  const links = (project?: string): ProviderLink[] => d.registry.all()
    .filter((p) => !p.settings.project || p.settings.project === project)
    .map((p) => ({ name: p.settings.name, displayName: p.settings.displayName, project: p.settings.project, ready: p.ready }));

  /** The browser session of the request, when its IdentitySession is still active and the user may act. */
  const current = (ctx: RequestContext): BrowserSession | undefined => {
    const s = d.sessions.read(ctx.req);
    if (!s || d.links.session(s.sid)?.state !== 'Active' || d.links.problem(s.user, ROOT_CLUSTER)) return undefined;
    return s;
  };

  async function start(ctx: RequestContext): Promise<void> {
    const q = ctx.url.searchParams;
    const p = readyProvider(d, q.get('idp'));
    let cli: { port: number; state: string; challenge: string } | undefined;
    if (q.has('cli_port')) {
      const port = Number(q.get('cli_port'));
      const state = q.get('cli_state') ?? '';
      const challenge = q.get('cli_challenge') ?? '';
      if (!Number.isInteger(port) || port < 1024 || port > 65535 || !CLI_STATE.test(state) || !CHALLENGE.test(challenge)) {
        throw new LoginError(400, 'invalid CLI login request: cli_port, cli_state and cli_challenge (PKCE S256) are required together');
      }
      cli = { port, state, challenge };
    }
    const project = q.get('project') ?? undefined;
    const ar = await authorizationRequest(d, p);
    const pending = { idp: p.settings.name, state: ar.state, nonce: ar.nonce, verifier: ar.verifier, returnTo: safeReturnPath(q.get('return'), HOME),
      project: project && PROJECT.test(project) ? project : undefined, cli };
    redirect(ctx, ar.url.href, [pendingCookie.set(d.sealer, pending, d.now())]);
  }

  async function callback(ctx: RequestContext): Promise<void> {
    const q = ctx.url.searchParams;
    const state = q.get('state') ?? '';
    const pending = state ? pendingCookie.read(d.sealer, ctx.req, state, d.now()) : undefined;
    if (!pending) throw new LoginError(400, 'this login has expired or was started in another browser: start it again');
    const clear = pendingCookie.clear(state);
    const toCli = (params: Record<string, string>) => redirect(ctx,
      `http://127.0.0.1:${pending.cli!.port}/callback?${new URLSearchParams({ ...params, state: pending.cli!.state })}`, [clear]);
    const via = pending.cli ? 'cli' : 'browser';
    try {
      const p = readyProvider(d, pending.idp);
      if (q.has('error')) {
        const detail = q.get('error_description') ? ` (${q.get('error_description')})` : '';
        throw new LoginError(401, `identity provider "${p.settings.name}" refused the login: ${q.get('error')}${detail}`.slice(0, 500));
      }
      let tokens: client.TokenEndpointResponse;
      try {
        tokens = await client.authorizationCodeGrant(p.config!, new URL(`${d.baseUrl()}${CALLBACK_PATH}${ctx.url.search}`),
          { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
      } catch (e) {
        const err = new LoginError(401, `identity provider "${p.settings.name}" did not complete the login: ${describeError(e)}`);
        auditLoginFailure(d, p.settings.name, via, err, ctx.req);
        throw err;
      }
      const now = d.now();
      const cliCode = pending.cli ? { challenge: pending.cli.challenge, expiresAt: new Date(now + 120_000).toISOString() } : undefined;
      const { session, identity } = await completeLogin(d, p, tokens, via, { nonce: pending.nonce, cliCode, req: ctx.req });
      if (pending.cli) {
        toCli({ code: d.sealer.seal('cli-code', { sid: session.metadata.name }, now + 120_000) });
        return;
      }
      const { setCookie } = d.sessions.create({ sid: session.metadata.name!, user: identity.username, provider: p.settings.name });
      redirect(ctx, pending.returnTo, [clear, setCookie]);
    } catch (e) {
      if (pending.cli && e instanceof LoginError) { toCli({ error: 'access_denied', error_description: e.message }); return; }
      throw e;
    }
  }

  async function home(ctx: RequestContext, notice?: string): Promise<void> {
    const s = current(ctx);
    if (!s) { redirect(ctx, `/login?return=${encodeURIComponent(HOME)}`); return; }
    const user = d.identities.identity(s.user);
    if (!user) throw new LoginError(401, `user "${s.user}" no longer exists or is disabled`);
    const clusters = (await d.platform()?.reachable(user)) ?? [];
    html(ctx, 200, homePage({ user: s.user, groups: user.groups.filter((g) => g !== 'system:authenticated'), provider: s.provider,
      clusters: clusters.map((c) => ({ name: c.name, project: c.project, roles: c.roles })), csrf: s.csrf, server: d.baseUrl(), notice }));
  }

  /** A POSTed form of the logged-in browser: same origin, CSRF token checked. */
  async function form(ctx: RequestContext): Promise<{ s: BrowserSession; f: URLSearchParams }> {
    if (ctx.req.method !== 'POST') throw new LoginError(405, 'use the form on the login page');
    const origin = ctx.req.headers.origin;
    if (origin !== undefined && origin !== new URL(d.baseUrl()).origin) throw new LoginError(403, 'cross-site form submission refused');
    const s = current(ctx);
    if (!s) throw new LoginError(401, 'you are not logged in (or your login ended): log in again');
    const f = new URLSearchParams((await readBody(ctx.req, 16 * 1024)).toString('utf8'));
    if (!d.sessions.csrfOk(s, f.get('csrf'))) throw new LoginError(403,
      'the form has expired or did not come from this page (CSRF check failed): reload the page');
    return { s, f };
  }

  async function kubeconfig(ctx: RequestContext): Promise<void> {
    const { s, f } = await form(ctx);
    const user = d.identities.identity(s.user);
    const api = d.credentials();
    if (!user || !api) throw new LoginError(401, 'cannot issue credentials for this login');
    const reachable = (await d.platform()?.reachable(user)) ?? [];
    const server = d.baseUrl();
    if (f.get('all') === 'true') {
      if (!reachable.length) throw new LoginError(403, 'you cannot reach any tenant cluster');
      const text = userKubeconfig(server, d.caPem(), reachable.map((c) => ({ cluster: c.name, user: { exec: {
        apiVersion: 'client.authentication.k8s.io/v1', command: 'portcullis', args: ['credential-plugin', '--cluster', c.name],
        interactiveMode: 'IfAvailable', provideClusterInfo: true } } })));
      return download(ctx, 'portcullis-all.kubeconfig', text);
    }
    const cluster = f.get('cluster') ?? '';
    if (!reachable.some((c) => c.name === cluster)) throw new LoginError(403, `you cannot reach tenant cluster ${JSON.stringify(cluster.slice(0, 63))}`);
    const t = await api.core.issueToken(user, d.chains.walk(undefined, [`identitysession:${s.sid}`], ctx.req), undefined, cluster);
    d.log(`identity: ${s.user} generated a kubeconfig for ${cluster} (token ${t.jti}, ${formatDuration(t.expires.getTime() - d.now())})`);
    download(ctx, `portcullis-${cluster}.kubeconfig`, userKubeconfig(server, d.caPem(), [{ cluster, user: { token: t.token } }]));
  }

  function download(ctx: RequestContext, name: string, text: string): void {
    ctx.responseCode = 200;
    ctx.res.writeHead(200, { 'Content-Type': 'application/yaml', 'Content-Disposition': `attachment; filename="${name}"`,
      'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
    ctx.res.end(text);
  }

  async function logout(ctx: RequestContext): Promise<void> {
    const { s } = await form(ctx);
    // Deleting the IdentitySession deletes what was minted from it (its session access keys) with it.
    const api = d.credentials();
    await d.store.delete({ cluster: ROOT_CLUSTER }, identitySessionType, '',
      s.sid).catch(ignoreNotFound);
    d.links.removeSession(s.sid);
    d.audit({ verb: 'logout', requestURI: '/login/-/logout', user: { username: s.user }, code: 200, annotations: { 'identity.portcullis.io/session': s.sid } });
    redirect(ctx, '/login', [d.sessions.clear()]);
  }

  async function dispatch(ctx: RequestContext): Promise<void> {
    if (ctx.cluster !== ROOT_CLUSTER) throw new LoginError(404, 'login pages are served without a /clusters prefix');
    const rest = ctx.path.replace(/\/+$/, '').slice('/login'.length);
    const get = ctx.req.method === 'GET' || ctx.req.method === 'HEAD';
    if (rest === '' && get) return html(ctx, 200, loginPage({ providers: links(),
      returnTo: safeReturnPath(ctx.url.searchParams.get('return'), '') || undefined, server: d.baseUrl() }));
    if (rest === '/-/start' && get) return start(ctx);
    if (rest === '/-/callback' && get) return callback(ctx);
    if (rest === '/-/home' && get) return home(ctx);
    if (rest === '/-/plugin' && get) return html(ctx, 200, pluginPage({ server: d.baseUrl(), provider: current(ctx)?.provider ?? '<identity-provider>' }));
    if (rest === '/-/kubeconfig') return kubeconfig(ctx);
    if (rest === '/-/logout') return logout(ctx);
    const project = rest.slice(1);
    if (get && PROJECT.test(project)) {
      if (!d.projectExists(project)) throw new LoginError(404, `no project named "${project}"`);
      return html(ctx, 200, loginPage({ project, providers: links(project), server: d.baseUrl() }));
    }
    throw new LoginError(404, 'no such login page');
  }

  return [{
    prefix: '/login', public: true,
    async handle(ctx) {
      try { await dispatch(ctx); } catch (e) {
        if (ctx.res.headersSent) throw e;
        const err = e instanceof LoginError ? e : e instanceof StatusError ? new LoginError(e.code, e.message) : undefined;
        if (!err) throw e;
        html(ctx, err.code, messagePage(err.code === 403 ? 'Access refused' : 'Login failed', err.message, { href: '/login', text: 'Back to the login page' }));
      }
    },
  }];
}
