// Browser end-to-end: every console page as a platform admin — it renders its data, axe-core finds no serious or
// critical violation, no Content-Security-Policy violation occurs — at 1280×800 and on a narrow window; the
// screenshots (docs/screenshots with `npm run screenshots`) come from this run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { setupPlatform } from './credentials-harness.ts';
import { startConsole, type ConsoleHarness } from './console-harness.ts';

describe('console: every page, accessible, at two sizes', () => {
  let c: ConsoleHarness;
  let page: Page;
  const visit = async (path: string, ready: (p: Page) => Promise<unknown>, shot: string) => {
    await page.goto(`/console${path}`);
    await ready(page);
    await c.axe(page, path);
    await c.screenshot(page, shot);
  };

  before(async () => {
    c = await startConsole();
    await setupPlatform(c.h);
    await c.h.kubectl(['create', '-f', '-'], { input: `
apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: payments-devs}
spec: {displayName: Payments developers, members: [carol], groups: [corp:payments]}
---
apiVersion: management.portcullis.io/v1
kind: TenantClusterTemplate
metadata: {name: restricted-storage}
spec: {template: {access: {defaultClusterRole: view}}}
` });
    ({ page } = await c.newPage());
    await c.signIn(page, 'admin', c.adminPassword);
  });
  after(async () => { await c?.close(); });

  it('shows the sign-in page accessibly', async () => {
    const anon = await c.newPage();
    await anon.page.goto('/');
    assert.match(anon.page.url(), /\/console\/$/);
    await anon.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await c.axe(anon.page, 'sign-in');
    await c.screenshot(anon.page, 'sign-in');
  });

  it('Users: create a user in the form, then the list and the user page', async () => {
    await visit('/users', (p) => p.getByRole('link', { name: 'alice' }).waitFor(), 'users');
    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add user' });
    await dialog.getByRole('textbox', { name: 'Username' }).fill('erin');
    await dialog.getByRole('textbox', { name: 'Display name' }).fill('Erin');
    await dialog.getByLabel(/^Password/).fill('erin-password-1');
    await c.axe(page, 'the add-user dialog');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('link', { name: 'erin' }).waitFor();
    const got = await c.h.kubectl(['get', 'user', 'erin', '-o', 'jsonpath={.spec.displayName}']);
    assert.equal(got.stdout, 'Erin');
    await visit('/users/carol', (p) => p.getByRole('heading', { name: 'Carol (carol)' }).waitFor(), 'user');
  });

  it('Teams, Projects with their settings, Tenant Clusters and the Edit view', async () => {
    await visit('/teams', (p) => p.getByRole('cell', { name: 'payments-devs', exact: true }).waitFor(), 'teams');
    await visit('/projects', (p) => p.getByRole('cell', { name: 'payments', exact: true }).waitFor(), 'projects');
    await page.getByRole('button', { name: 'Settings of payments' }).click();
    await page.getByRole('heading', { name: 'Project payments' }).waitFor();
    await c.axe(page, 'project settings');
    await c.screenshot(page, 'project-settings');
    await visit('/tenant-clusters', (p) => p.getByRole('cell', { name: 'payments-dev', exact: true }).waitFor(), 'tenant-clusters');
    await visit('/tenant-clusters/payments-dev', (p) => p.getByRole('tab', { name: 'General' }).waitFor(), 'tenant-cluster-general');
    await page.getByRole('tab', { name: 'Objects' }).click();
    await page.getByRole('textbox', { name: 'Objects (YAML)' }).waitFor();
    await c.axe(page, 'the Objects tab');
  });

  it('Generate Token, Credentials, Why can / can\'t I and Audit', async () => {
    await visit('/generate-token', (p) => p.getByRole('button', { name: 'Generate kubeconfig' }).waitFor(), 'generate-token-form');
    await visit('/credentials', (p) => p.getByRole('cell', { name: 'Console session' }).first().waitFor(), 'credentials');
    await visit('/explain', (p) => p.getByRole('button', { name: 'Explain' }).waitFor(), 'explain-form');
    await page.getByRole('textbox', { name: 'User' }).fill('carol');
    await page.getByRole('textbox', { name: 'Cluster' }).fill('payments-dev');
    await page.getByRole('textbox', { name: 'Namespace' }).fill('app');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByText('Verdict:').waitFor();
    await page.getByRole('cell', { name: 'management-access' }).waitFor();
    await c.axe(page, 'an explanation');
    await c.screenshot(page, 'explain');
    await visit('/audit?cluster=payments-dev', (p) => p.getByRole('table', { name: 'Audit events' }).getByRole('row').nth(1).waitFor(), 'audit');
    await page.getByRole('textbox', { name: 'Verb' }).fill('create');
    let verbs: string[] = [];
    for (let i = 0; i < 50; i++) { // the filter is applied by the server after a short debounce
      verbs = await page.getByRole('table', { name: 'Audit events' }).locator('tbody tr td:nth-child(3)').allTextContents();
      if (verbs.length > 0 && verbs.every((v) => v === 'create')) break;
      await page.waitForTimeout(100);
    }
    assert.ok(verbs.length > 0 && verbs.every((v) => v === 'create'), verbs.join(','));
    await page.getByRole('cell', { name: 'configmaps' }).first().waitFor();
  });

  it('works on a narrow window: the navigation opens from a button', async () => {
    const narrow = await c.newPage({ width: 390, height: 844 });
    await c.signIn(narrow.page, 'admin', c.adminPassword);
    await narrow.page.goto('/console/tenant-clusters');
    await narrow.page.getByRole('cell', { name: 'payments-dev', exact: true }).waitFor();
    await c.axe(narrow.page, 'tenant clusters, narrow');
    await c.screenshot(narrow.page, 'narrow-tenant-clusters');
    await narrow.page.getByRole('button', { name: 'Open navigation' }).click();
    await narrow.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credentials' }).click();
    await narrow.page.getByRole('heading', { name: 'Credentials' }).waitFor();
    assert.deepEqual(c.cspViolations, []);
  });
});
