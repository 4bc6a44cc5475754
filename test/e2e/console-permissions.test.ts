// Browser end-to-end, seeds 002 and 003: a project admin picks the project in the top-left dropdown, opens Tenant
// Clusters → Edit → Permissions, grants a team `view` and saves; a member of that team then generates a token
// kubeconfig from the user menu (Generate Token → target cluster) and kubectl gets exactly view with it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { setupPlatform } from './credentials-harness.ts';
import { startConsole, type ConsoleHarness } from './console-harness.ts';

const TEAM = `
apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: dave}
spec: {displayName: Dave, password: dave-password-1}
---
apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: devteam}
spec: {displayName: Dev Team, members: [dave]}
`;

describe('console: tenant cluster permissions (seed 002) and Generate Token (seed 003)', () => {
  let c: ConsoleHarness;
  let kubeconfig = '';

  before(async () => {
    c = await startConsole();
    await setupPlatform(c.h);
    await c.h.kubectl(['create', '-f', '-'], { input: TEAM });
    await c.h.kubectl(['patch', 'project', 'payments', '--type', 'merge', '-p',
      JSON.stringify({ spec: { members: [{ user: 'alice', role: 'admin' }, { team: 'devteam', role: 'member' }] } })]);
    await c.h.server.settle();
  });
  after(async () => { await c?.close(); });

  it('a project admin grants team devteam the view ClusterRole in the Permissions tab', async () => {
    const { page } = await c.newPage();
    await c.signIn(page, 'alice', 'alice-password-1');
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0, 'no admin pages for a project admin');
    await page.getByRole('combobox', { name: 'Project' }).fill('pay');
    await page.getByRole('option', { name: /^payments/ }).click();
    await nav.getByRole('link', { name: 'Tenant Clusters' }).click();
    await page.getByRole('heading', { name: 'Tenant Clusters in payments' }).waitFor();
    await page.getByRole('link', { name: 'Edit payments-dev' }).click();
    await page.getByRole('tab', { name: 'Permissions' }).click();
    await page.getByRole('combobox', { name: 'Add permission to' }).fill('dev');
    await page.getByRole('option', { name: /team devteam/ }).click();
    await page.getByRole('combobox', { name: 'ClusterRole' }).click();
    for (const r of ['cluster-admin', 'admin', 'edit', 'view']) await page.getByRole('option', { name: r, exact: true }).waitFor();
    await page.getByRole('option', { name: 'view', exact: true }).click();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('Add team devteam → view').waitFor();
    const yaml = await page.getByLabel('Access rules as YAML').textContent();
    assert.match(yaml ?? '', /clusterRole: view/);
    assert.match(yaml ?? '', /teams:\n\s+- devteam/);
    await c.axe(page, 'the Permissions tab');
    await c.screenshot(page, 'permissions-tab');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Permissions saved').waitFor();
    await c.h.server.settle();
    const tc = await c.h.kubectl(['get', 'tenantcluster', 'payments-dev', '-o', 'jsonpath={.spec.access.rules}']);
    assert.match(tc.stdout, /"teams":\["devteam"\]/);
  });

  it('the team member generates a token kubeconfig from the user menu (seed 003)', async () => {
    const { page } = await c.newPage();
    await c.signIn(page, 'dave', 'dave-password-1');
    await page.getByRole('button', { name: 'dave', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Generate Token' }).click();
    await page.getByRole('combobox', { name: 'Target cluster' }).click();
    await page.getByRole('option', { name: /payments-dev/ }).click();
    assert.equal(await page.getByRole('option', { name: /other-dev/ }).count(), 0);
    await page.getByRole('button', { name: 'Generate kubeconfig' }).click();
    kubeconfig = await page.getByTestId('kubeconfig').inputValue();
    assert.match(kubeconfig, /server: https:\/\/127\.0\.0\.1:\d+\/clusters\/payments-dev/);
    assert.match(kubeconfig, /token: eyJ/);
    await page.getByText(/The token expires at/).waitFor();
    await c.axe(page, 'Generate Token');
    await c.screenshot(page, 'generate-token');
    await page.getByRole('radio', { name: /All my clusters/ }).check();
    await page.getByRole('button', { name: 'Generate kubeconfig' }).click();
    await page.getByText('credential-plugin').first().waitFor({ state: 'attached' });
    const all = await page.getByTestId('kubeconfig').inputValue();
    assert.match(all, /- credential-plugin\n\s+- --cluster\n\s+- payments-dev/);
    assert.doesNotMatch(all, /other-dev/);
  });

  it('kubectl with the generated kubeconfig gets exactly view in payments-dev', async () => {
    const file = c.h.writeFile('dave.kubeconfig', kubeconfig);
    const k = (args: string[]) => c.h.kubectl(args, { kubeconfig: file, allowFail: true });
    const list = await k(['-n', 'app', 'get', 'configmaps', '-o', 'name']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /configmap\/cfg/);
    assert.equal((await k(['auth', 'can-i', 'list', 'pods', '-n', 'app'])).stdout.trim(), 'yes');
    assert.equal((await k(['auth', 'can-i', 'create', 'configmaps', '-n', 'app'])).stdout.trim(), 'no');
    assert.equal((await k(['auth', 'can-i', 'get', 'secrets', '-n', 'app'])).stdout.trim(), 'no');
    const create = await k(['-n', 'app', 'create', 'configmap', 'x', '--from-literal=a=b']);
    assert.notEqual(create.code, 0);
    assert.match(create.stderr, /forbidden/);
    const bindings = await c.h.kubectl(['--context', 'payments-dev', 'get', 'clusterrolebindings', '-l', 'management.portcullis.io/managed=true',
      '-o', 'jsonpath={range .items[*]}{.metadata.name}={.subjects[*].name}{"\\n"}{end}']);
    const holding = (user: string) => bindings.stdout.split('\n').filter((l) => l.split('=')[1]?.split(' ').includes(user)).map((l) => l.split('=')[0]);
    assert.deepEqual(holding('dave'), ['portcullis:access:view']);
    assert.deepEqual(c.cspViolations, []);
  });
});
