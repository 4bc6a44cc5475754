// Helpers for the console's browser suites: one server (credentials on a movable clock) and one headless Debian
// Chromium per file, signing in through the real sign-in page, axe-core checks, CSP-violation capture and screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import axe from 'axe-core';
import { startCredHarness, type CredHarness } from './credentials-harness.ts';
import type { CredentialsModuleOptions } from '../../src/credentials/index.ts';

export const CHROMIUM = process.env.PORTCULLIS_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];

export interface ConsoleHarness {
  h: CredHarness;
  browser: Browser;
  base: string;
  adminPassword: string;
  /** A fresh browser context (its own cookies) and page at 1280×800, unless another size is given. */
  newPage(o?: { width?: number; height?: number }): Promise<{ context: BrowserContext; page: Page }>;
  /** Signs in through the sign-in page and waits for the console shell. */
  signIn(page: Page, username: string, password: string): Promise<void>;
  /** Runs axe-core on the page; fails on serious or critical violations. */
  axe(page: Page, label: string): Promise<void>;
  /** Saves a screenshot (docs/screenshots when PORTCULLIS_SCREENSHOTS names it, else the test directory). */
  screenshot(page: Page, name: string): Promise<string>;
  /** Content-Security-Policy violations reported by any page so far. */
  cspViolations: string[];
  close(): Promise<void>;
}

export async function startConsole(o: { sessions?: CredentialsModuleOptions['sessions'] } = {}): Promise<ConsoleHarness> {
  const h = await startCredHarness({ sessions: o.sessions });
  // A browser that cannot start must not leave the server running (the test process would never exit).
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS }).catch(async (e: Error) => {
    await h.close();
    throw new Error(`${e.message}\nInstall Debian's Chromium (apt-get install chromium), as .ci/run does.`);
  });
  const adminPassword = readFileSync(path.join(h.dataDir, 'admin.password'), 'utf8').trim();
  const shots = process.env.PORTCULLIS_SCREENSHOTS ? path.resolve(process.env.PORTCULLIS_SCREENSHOTS) : path.join(h.dir, 'screenshots');
  mkdirSync(shots, { recursive: true });
  const cspViolations: string[] = [];
  const contexts: BrowserContext[] = [];
  const c: ConsoleHarness = {
    h, browser, base: `${h.server.url}/console`, adminPassword, cspViolations,
    async newPage(size = {}) {
      const context = await browser.newContext({
        ignoreHTTPSErrors: true, viewport: { width: size.width ?? 1280, height: size.height ?? 800 },
        permissions: ['clipboard-read', 'clipboard-write'], baseURL: h.server.url,
      });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (m) => { if (/Content.Security.Policy|Refused to (apply|execute|load)/i.test(m.text())) cspViolations.push(m.text()); });
      page.on('pageerror', (e) => { if (/Content.Security.Policy/i.test(e.message)) cspViolations.push(e.message); });
      return { context, page };
    },
    async signIn(page, username, password) {
      await page.goto('/console/');
      await page.getByRole('textbox', { name: 'Username' }).fill(username);
      await page.getByLabel(/^Password/).fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: username, exact: true }).waitFor();
    },
    async axe(page, label) {
      await page.evaluate(axe.source);
      const r = await page.evaluate('axe.run(document, { resultTypes: ["violations"] })') as axe.AxeResults;
      const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`), [],
        `accessibility violations on ${label}`);
    },
    async screenshot(page, name) {
      const file = path.join(shots, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      for (const ctx of contexts) await ctx.close().catch(() => {});
      await browser.close().catch(() => {});
      await h.close();
    },
  };
  return c;
}

/** A fetch made by the page itself (same origin, the session cookie, and the CSRF header the console sends). */
export function pageFetch(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  // runs in the page (a string, so the test files need no DOM types)
  return page.evaluate(`(async ([m, u, b]) => {
    const csrf = document.cookie.split(';').map((x) => x.trim()).find((x) => x.startsWith('__Host-portcullis-csrf='))?.split('=')[1] ?? '';
    const r = await fetch(u, { method: m, headers: { 'X-CSRF-Token': csrf, ...(b ? { 'Content-Type': 'application/json' } : {}) },
      body: b ? JSON.stringify(b) : undefined });
    const t = await r.text();
    let j; try { j = JSON.parse(t); } catch { j = t; }
    return { status: r.status, json: j };
  })(${JSON.stringify([method, url, body ?? null])})`) as Promise<{ status: number; json: any }>;
}
