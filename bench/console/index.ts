// Console benchmark: the production build's JavaScript for the first page (gzipped; target ≤ 300 kB) and its first
// paint on loopback in Debian's Chromium (target ≤ 1 s for the sign-in form), beside a bare static page served by a
// plain Node HTTPS server in the same run. Usage: node --import tsx bench/console/index.ts [runs=5]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../src/server/config.ts';
import { startServer } from '../../src/server/server.ts';
import { DEFAULT_DIST } from '../../src/console/assets.ts';
import { machine, printTable } from '../support/load.ts';

const runs = Number(process.argv[2] ?? 5);
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;

/** The entry script of index.html and every chunk it imports statically (what the sign-in page loads). */
function firstPageScripts(dist: string): string[] {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const seen = new Set<string>();
  const visit = (rel: string) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const code = readFileSync(path.join(dist, rel), 'utf8');
    const imports = code.matchAll(/(?:^|[;\s])import\s*(?:[\w${},*\s]+from\s*)?["']\.\/([\w.-]+\.js)["']/g);
    for (const m of imports) visit(path.posix.join(path.posix.dirname(rel), m[1]));
  };
  for (const m of html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/console\/([^"]+\.js)"/g)) visit(m[1]);
  return [...seen];
}

function sizes(dist: string) {
  const first = firstPageScripts(dist);
  let raw = 0; let gz = 0;
  for (const f of first) { const b = readFileSync(path.join(dist, f)); raw += b.length; gz += gzipSync(b, { level: 9 }).length; }
  return { files: first.length, raw, gz };
}

async function paint(browser: Browser, url: string, ready: string): Promise<{ fcp: number; ready: number }> {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(url, { waitUntil: 'commit' });
  await page.locator(ready).first().waitFor();
  const probe = `({ fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, ready: performance.now() })`;
  const t = await page.evaluate(probe) as { fcp: number; ready: number };
  await ctx.close();
  return t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const s = sizes(DEFAULT_DIST);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-console-'));
  const server = await startServer(loadConfig({ dataDir: path.join(dir, 'data'), listen: '127.0.0.1:0' }), () => undefined);
  // the peer: a bare static page with a sign-in form from a plain Node HTTPS server (same certificate)
  const page = '<!doctype html><title>static</title><form><label>Username <input name=u></label><button>Sign in</button></form>';
  const bare = https.createServer({ key: server.pki.serverKeyPem, cert: server.pki.serverCertPem }, (_q, r) => {
    r.writeHead(200, { 'content-type': 'text/html' });
    r.end(page);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({
    executablePath: process.env.PORTCULLIS_CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic'],
  });
  const ours: Array<{ fcp: number; ready: number }> = [];
  const peer: Array<{ fcp: number; ready: number }> = [];
  try {
    for (let i = 0; i < runs + 1; i++) { // the first of each is a warm-up, not recorded
      const a = await paint(browser, `${server.url}/console/`, 'button:has-text("Sign in")');
      const b = await paint(browser, `https://127.0.0.1:${(bare.address() as AddressInfo).port}/`, 'button');
      if (i > 0) { ours.push(a); peer.push(b); }
    }
  } finally {
    await browser.close();
    bare.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`console benchmark — ${machine()}, ${runs} cold-cache loads each (median)`);
  printTable('Production build: JavaScript of the first page (sign-in)', [
    { what: 'first page JS (gzip -9)', value: kb(s.gz), target: '≤ 300 kB', files: s.files, raw: kb(s.raw) },
  ]);
  const row = (name: string, xs: Array<{ fcp: number; ready: number }>, target: string) => ({
    page: name, 'first contentful paint': median(xs.map((x) => x.fcp)).toFixed(0), 'sign-in form ready': median(xs.map((x) => x.ready)).toFixed(0), target,
  });
  printTable('First paint on loopback (ms from navigation start)', [
    row('Portcullis console /console/ (sign-in form)', ours, '≤ 1000'),
    row('bare static page (plain Node HTTPS)', peer, '—'),
  ]);
}

await main();
