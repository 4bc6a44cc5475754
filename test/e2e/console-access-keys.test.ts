// Browser end-to-end, seed 000: an admin creates a scoped access key for a user in the console's drawer, copies it
// from the one-time pop-up, and the key works with curl and `portcullis login --access-key` inside its scope and is
// refused outside it; then the key is revoked in the credential inventory and refused everywhere.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { Page } from 'playwright-core';
import { setupPlatform } from './credentials-harness.ts';
import { startConsole, type ConsoleHarness } from './console-harness.ts';

function curl(args: string[]): Promise<{ code: number; status: number; body: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '-w', '\n%{http_code}', ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const out = String(stdout);
      const i = out.lastIndexOf('\n');
      resolve({ code: err ? 1 : 0, status: Number(out.slice(i + 1)), body: out.slice(0, i) + String(stderr) });
    });
  });
}

describe('console: access keys (seed 000)', () => {
  let c: ConsoleHarness;
  let page: Page;
  let key = '';
  let ca = '';
  const withKey = (p: string) => curl(['--cacert', ca, '-H', `Authorization: Bearer ${key}`, `${c.h.server.url}${p}`]);

  before(async () => {
    c = await startConsole();
    await setupPlatform(c.h);
    ca = c.h.writeFile('ca.pem', c.h.server.pki.caCertPem);
    ({ page } = await c.newPage());
    await c.signIn(page, 'admin', c.adminPassword);
  });
  after(async () => { await c?.close(); });

  it('creates a key scoped to one tenant cluster in the drawer and shows it once with a copy button', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('searchbox', { name: 'Search users' }).fill('ali');
    await page.getByRole('table', { name: 'Users' }).getByRole('row').nth(2).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'alice' }).click();
    await page.getByRole('tab', { name: 'Access Keys' }).click();
    await page.getByRole('button', { name: 'Create Access Key' }).click();
    const drawer = page.getByRole('dialog', { name: 'Create Access Key' });
    await drawer.getByPlaceholder('Enter a display name for this access key').fill('deploy-payments');
    await drawer.getByRole('button', { name: 'Limit Access Key Scope' }).click();
    const clusters = drawer.getByRole('combobox', { name: 'Tenant clusters' });
    await clusters.fill('payments');
    await page.getByRole('option', { name: 'payments-dev' }).click();
    await c.axe(page, 'the access-key drawer');
    await c.screenshot(page, 'access-key-drawer');
    await drawer.getByRole('button', { name: 'Create Access Key' }).click();

    const popup = page.getByRole('dialog', { name: 'Copy your access key' });
    await popup.getByText('you will not be able to fetch this key again').waitFor();
    const shown = await popup.getByTestId('secret-value').inputValue();
    assert.match(shown, /^pcak_[A-Za-z0-9_-]{40,}$/);
    await popup.getByRole('button', { name: 'Copy' }).click();
    await popup.getByText('Copied to the clipboard.').waitFor();
    key = await page.evaluate('navigator.clipboard.readText()') as string;
    assert.equal(key, shown);
    await popup.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('table', { name: 'Access keys' }).getByRole('row', { name: /deploy-payments/ });
    await row.getByText('clusters: payments-dev').waitFor();
  });

  it('works with curl inside its scope and is refused outside it, naming the scope', async () => {
    const ok = await withKey('/clusters/payments-dev/api/v1/namespaces/app/configmaps');
    assert.equal(ok.status, 200, ok.body);
    assert.match(ok.body, /"name":\s*"cfg"/);
    const other = await withKey('/clusters/other-dev/api/v1/namespaces/app/configmaps');
    assert.equal(other.status, 403, other.body);
    assert.match(other.body, /access key \\"deploy-payments\\" is scoped to cluster payments-dev; cluster \\"other-dev\\" is outside its scope/);
    const root = await withKey('/apis/management.portcullis.io/v1/users');
    assert.equal(root.status, 403, root.body);
  });

  it('logs the CLI in with `portcullis login --access-key`; kubectl works in scope only', async () => {
    const login = await c.h.cli(['login', c.h.server.url, '--access-key', key, '--ca-file', ca]);
    assert.equal(login.code, 0, login.stderr);
    const who = await c.h.cli(['whoami', '-o', 'json']);
    assert.equal(JSON.parse(who.stdout).username, 'alice');
    const kc = await c.h.cli(['kubeconfig', '--cluster', 'payments-dev', '--token']);
    assert.equal(kc.code, 0, kc.stderr);
    const file = c.h.writeFile('scoped.kubeconfig', kc.stdout);
    const got = await c.h.kubectl(['-n', 'app', 'get', 'configmaps', '-o', 'name'], { kubeconfig: file });
    assert.match(got.stdout, /configmap\/cfg/);
    const outside = await c.h.cli(['kubeconfig', '--cluster', 'other-dev', '--token']);
    assert.notEqual(outside.code, 0);
    assert.match(outside.stderr, /outside its scope/);
  });

  it('revokes the key in the credential inventory; it is refused at once', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credentials' }).click();
    await page.getByLabel("Every user's credentials").check();
    await page.getByRole('searchbox', { name: 'Search credentials' }).fill('deploy-payments');
    await page.getByRole('button', { name: 'Revoke AccessKey deploy-payments' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByText('Nothing matches the search.').waitFor();
    const refused = await withKey('/clusters/payments-dev/api/v1/namespaces/app/configmaps');
    assert.equal(refused.status, 401, refused.body);
    assert.match(refused.body, /access key \\"deploy-payments\\" has been deleted/);
    const cli = await c.h.cli(['whoami']);
    assert.notEqual(cli.code, 0);
    assert.deepEqual(c.cspViolations, []);
  });
});
