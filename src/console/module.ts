// consoleModule(): serves the web console (web/dist) on the API's own port under /console/, with a strict
// Content-Security-Policy, long-cached hashed assets and an uncached index.html; `/` sends browsers there.
// The console's data comes from the platform's REST (/platform/v1) and Kubernetes API, authenticated by the session cookie.
import { randomBytes } from 'node:crypto';
import type { Route, ServerModule } from '../apiserver/extension.ts';
import type { RequestContext } from '../apiserver/context.ts';
import { methodNotSupported, unavailable } from '../apiserver/errors.ts';
import { loadAssets, NONCE_PLACEHOLDER, type ConsoleAssets } from './assets.ts';

export const CONSOLE_BASE = '/console';

export interface ConsoleModuleOptions {
  /** Directory of the built console (default web/dist in the repository). */
  dist?: string;
}

/** Headers every console response carries. */
function securityHeaders(nonce?: string): Record<string, string> {
  const csp = [
    "default-src 'none'", "script-src 'self'", `style-src 'self'${nonce ? ` 'nonce-${nonce}'` : ''}`, "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()', 'Strict-Transport-Security': 'max-age=31536000',
  };
}

function send(ctx: RequestContext, code: number, body: string | Buffer, headers: Record<string, string | number>): void {
  ctx.responseCode = code;
  ctx.res.writeHead(code, { 'Content-Length': Buffer.byteLength(body), ...headers });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
}

function readOnly(ctx: RequestContext): void {
  const m = ctx.req.method ?? 'GET';
  if (m !== 'GET' && m !== 'HEAD') throw methodNotSupported({ group: '', resource: 'console' }, m.toLowerCase());
}

export function consoleRoutes(assets: ConsoleAssets | undefined): Route[] {
  const serve = async (ctx: RequestContext) => {
    readOnly(ctx);
    if (ctx.path === CONSOLE_BASE) return send(ctx, 301, '', { Location: `${CONSOLE_BASE}/`, ...securityHeaders() });
    if (!assets) throw unavailable('the web console has not been built: run `npm run build:web` (npm ci does it) and restart the server');
    const rel = ctx.path.slice(CONSOLE_BASE.length + 1);
    const file = rel.startsWith('assets/') ? assets.files.get(rel) : undefined;
    if (rel.startsWith('assets/')) {
      if (!file) return send(ctx, 404, 'not found', { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...securityHeaders() });
      const gz = file.gzip && /\bgzip\b/.test(String(ctx.req.headers['accept-encoding'] ?? ''));
      // file names carry a content hash: cache for a year, never revalidate
      return send(ctx, 200, gz ? file.gzip! : file.body, {
        'Content-Type': file.type, 'Cache-Control': 'public, max-age=31536000, immutable', Vary: 'Accept-Encoding',
        ...(gz ? { 'Content-Encoding': 'gzip' } : {}), ...securityHeaders(),
      });
    }
    // every other path is a page of the single-page app: index.html, never cached (it names the current assets)
    const nonce = randomBytes(16).toString('base64');
    return send(ctx, 200, assets.index.replaceAll(NONCE_PLACEHOLDER, nonce), {
      'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...securityHeaders(nonce),
    });
  };
  return [
    { prefix: CONSOLE_BASE, public: true, handle: serve },
    { prefix: '/', public: true, async handle(ctx) {
      readOnly(ctx);
      send(ctx, 302, '', { Location: `${CONSOLE_BASE}/`, 'Cache-Control': 'no-store', ...securityHeaders() });
    } },
  ];
}

export function consoleModule(opts: ConsoleModuleOptions = {}): ServerModule {
  return {
    name: 'console',
    setup(m) {
      const assets = loadAssets(opts.dist);
      if (!assets) m.log('portcullis: the web console is not built (npm run build:web); /console/ answers 503 until it is');
      m.routes.push(...consoleRoutes(assets));
    },
  };
}
