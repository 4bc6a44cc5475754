// Serving the built console: index.html uncached with a fresh CSP nonce, hashed assets cached for a year (gzip when
// asked), unknown assets 404, `/` sends browsers to /console/, writes refused, and a clear 503 when not built.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { newContext } from '../apiserver/context.ts';
import { matchRoute } from '../apiserver/filters/public-routes.ts';
import { toStatusError, writeStatus } from '../apiserver/errors.ts';
import { consoleRoutes } from './module.ts';
import { loadAssets } from './assets.ts';

function serve(dist: string | undefined): http.Server {
  const routes = consoleRoutes(dist ? loadAssets(dist) : undefined);
  return http.createServer((req, res) => {
    const ctx = newContext(req, res);
    const r = matchRoute(routes, ctx.path);
    if (!r) { res.writeHead(404); res.end(); return; }
    r.handle(ctx).catch((e) => writeStatus(res, toStatusError(e)));
  });
}

function get(port: number, p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.request({ port, path: p, headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

describe('console static serving', () => {
  let built: http.Server;
  let missing: http.Server;
  let port = 0;
  let port2 = 0;
  const js = `console.log(${JSON.stringify('x'.repeat(5000))});`;
  before(async () => {
    const dist = mkdtempSync(path.join(os.tmpdir(), 'console-dist-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), '<meta name="csp-nonce" content="__CSP_NONCE__"><script type="module" src="/console/assets/index-abc.js"></script>');
    writeFileSync(path.join(dist, 'assets', 'index-abc.js'), js);
    built = serve(dist);
    missing = serve(undefined);
    await new Promise<void>((r) => built.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => missing.listen(0, '127.0.0.1', r));
    port = (built.address() as AddressInfo).port;
    port2 = (missing.address() as AddressInfo).port;
  });
  after(() => { built.close(); missing.close(); });

  it('serves index.html for every app path, uncached, with a fresh nonce in the page and the CSP', async () => {
    const a = await get(port, '/console/users/alice');
    const b = await get(port, '/console/');
    assert.equal(a.status, 200);
    assert.equal(a.headers['cache-control'], 'no-store');
    const nonce = /content="([^"]+)"/.exec(a.body.toString())![1];
    assert.notEqual(nonce, /content="([^"]+)"/.exec(b.body.toString())![1]);
    const csp = String(a.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline or eval scripts');
    assert.ok(csp.includes(`style-src 'self' 'nonce-${nonce}'`));
    for (const d of ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "connect-src 'self'"]) assert.ok(csp.includes(d), d);
    assert.equal(a.headers['x-frame-options'], 'DENY');
    assert.equal(a.headers['x-content-type-options'], 'nosniff');
  });

  it('serves hashed assets for a year, gzipped when asked; unknown assets are a 404', async () => {
    const plain = await get(port, '/console/assets/index-abc.js');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.body.toString(), js);
    const gz = await get(port, '/console/assets/index-abc.js', { 'accept-encoding': 'gzip, br' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), js);
    assert.equal((await get(port, '/console/assets/nope.js')).status, 404);
    const escape = await get(port, '/console/assets/../../package.json');
    assert.doesNotMatch(escape.body.toString(), /"name": "portcullis"/, 'never a file outside the build');
  });

  it('sends / to the console, refuses writes, and says when the console is not built', async () => {
    const root = await get(port, '/');
    assert.equal(root.status, 302);
    assert.equal(root.headers.location, '/console/');
    assert.equal((await get(port, '/console')).headers.location, '/console/');
    assert.equal((await get(port, '/console/', {}, 'POST')).status, 405);
    const none = await get(port2, '/console/');
    assert.equal(none.status, 503);
    assert.match(none.body.toString(), /has not been built: run `npm run build:web`/);
  });
});
