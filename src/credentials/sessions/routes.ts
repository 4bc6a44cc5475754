// The browser-session routes: password sign-in (public; sets the cookies), the current session (who, until when,
// what the console may show), sign-out, and "log out everywhere" (every session of a user, console and CLI).
import { z } from 'zod';
import type { RequestContext } from '../../apiserver/context.ts';
import { userFrom } from '../../apiserver/context.ts';
import { badRequest, methodNotSupported, routeNotFound, unauthorized } from '../../apiserver/errors.ts';
import { parseJson, readBody } from '../../apiserver/codec/body.ts';
import { writeJson } from '../../apiserver/handlers/respond.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import type { Route } from '../../apiserver/extension.ts';
import type { UserInfo } from '../../apiserver/auth/types.ts';
import { API_VERSION } from '../resources/index.ts';
import { clearedCookies, sessionCookies } from './cookie.ts';
import { assertSameOrigin, ownOrigins } from './csrf.ts';
import type { SessionStore } from './store.ts';
import type { PasswordLogin } from '../self-service/index.ts';

export const SESSION_PATH = '/platform/v1/session';

export interface SessionRouteDeps {
  sessions: SessionStore;
  /** Password check (throttled and audited). */
  passwordLogin: PasswordLogin;
  externalUrl?: string;
  caPem: () => string;
  /** What the user may do, for the console to show or hide pages (the API decides again on every call). */
  capabilities: (u: UserInfo) => Promise<Record<string, boolean>>;
  /** Throws 403 unless `requester` may manage `owner`'s credentials. */
  assertActFor: (requester: UserInfo, owner: string, what: string) => Promise<void>;
  /** Sign-in buttons besides the password form (identity providers register theirs; `project` for /login/<project>). */
  loginProviders: LoginProviders;
}

export interface LoginProvider { name: string; displayName?: string; /** where the button leads (starts the provider's login) */ url: string }
/** Each source lists the providers to offer on the global sign-in page (project undefined) or a project's. */
export type LoginProviders = Array<(project: string | undefined) => LoginProvider[]>;

const loginSchema = z.object({ username: z.string().min(1).max(253), password: z.string().min(1).max(1024) }).strict();
const everywhereSchema = z.object({ user: z.string().min(1).optional() }).strict();

async function jsonBody<T>(ctx: RequestContext, schema: z.ZodType<T>): Promise<T> {
  const buf = await readBody(ctx.req, 16 * 1024);
  const r = schema.safeParse(buf.length ? parseJson(buf) : {});
  if (!r.success) throw badRequest(`invalid request body: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

function post(ctx: RequestContext): void {
  if (ctx.cluster && ctx.cluster !== ROOT_CLUSTER) throw routeNotFound(ctx.path);
  if (ctx.req.method !== 'POST') throw methodNotSupported({ group: 'platform', resource: ctx.path }, (ctx.req.method ?? 'GET').toLowerCase());
}

export function sessionRoutes(d: SessionRouteDeps): Route[] {
  const sessionOf = (ctx: RequestContext): string | undefined => {
    const id = ctx.credentialId;
    return id?.startsWith('accesskey:') ? id : undefined;
  };
  return [
    { prefix: `${SESSION_PATH}/login`, public: true, async handle(ctx) {
      if (ctx.req.method === 'GET') {
        const project = ctx.url.searchParams.get('project') || undefined;
        return writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'LoginOptions', password: true, providers: d.loginProviders.flatMap((f) => f(project)) });
      }
      post(ctx);
      // Login CSRF: only our own pages may sign a browser in (a JSON body needs a CORS preflight we never grant).
      assertSameOrigin(ctx.req, ownOrigins(ctx.req, d.externalUrl));
      if (!String(ctx.req.headers['content-type'] ?? '').startsWith('application/json')) throw badRequest('sign in with a JSON body {"username", "password"} (Content-Type: application/json)');
      const { username, password } = await jsonBody(ctx, loginSchema);
      if (!(await d.passwordLogin(ctx, username, password))) throw unauthorized('invalid username or password');
      const s = await d.sessions.create({ user: username, chain: ['password'] });
      writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'Session', status: { username, expirationTimestamp: s.expires, csrfToken: s.csrfToken } },
        { 'Set-Cookie': sessionCookies(s.secret, s.csrfToken, s.maxAgeSeconds), 'Cache-Control': 'no-store' });
    } },
    { prefix: SESSION_PATH, async handle(ctx) {
      if (ctx.cluster && ctx.cluster !== ROOT_CLUSTER) throw routeNotFound(ctx.path);
      const rest = ctx.path.slice(SESSION_PATH.length).replace(/\/+$/, '');
      const me = userFrom(ctx);
      if (rest === '') {
        if (ctx.req.method !== 'GET') throw methodNotSupported({ group: 'platform', resource: ctx.path }, (ctx.req.method ?? '').toLowerCase());
        return writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'Session', status: {
          username: me.username, groups: me.groups, credentialId: ctx.credentialId,
          capabilities: await d.capabilities(me), caData: Buffer.from(d.caPem()).toString('base64'),
          settings: { ttlSeconds: d.sessions.settings.ttlMs / 1000, idleTimeoutSeconds: d.sessions.settings.idleMs / 1000 },
        } }, { 'Cache-Control': 'no-store' });
      }
      if (rest === '/logout') {
        post(ctx);
        const id = sessionOf(ctx);
        const ended = id ? await d.sessions.revoke(id) : false;
        return writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'Status', status: 'Success', message: ended ? 'signed out' : 'no session to end' },
          { 'Set-Cookie': clearedCookies() });
      }
      if (rest === '/logout-everywhere') {
        post(ctx);
        const { user = me.username } = await jsonBody(ctx, everywhereSchema);
        await d.assertActFor(me, user, 'end the sessions');
        const n = await d.sessions.revokeAllForUser(user);
        return writeJson(ctx, 200, { apiVersion: API_VERSION, kind: 'Status', status: 'Success', message: `${n} session(s) of user "${user}" ended` },
          user === me.username ? { 'Set-Cookie': clearedCookies() } : undefined);
      }
      throw routeNotFound(ctx.path);
    } },
  ];
}
