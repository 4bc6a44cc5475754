// End-to-end: groups of IdP users kept fresh, on a movable clock, with a real OpenID Provider. A group removed at the
// IdP takes the team permission away within the refresh interval; a user deleted at the IdP loses every credential
// (access key, platform token, browser session, generated kubeconfig) and the inventory shows them revoked; an IdP
// down past maxGroupStaleness makes every credential fail closed with a 401 saying why; the secrets stay out of the data dir.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startIdentityHarness, type IdentityHarness } from './identity-harness.ts';
import { secretsInClear } from './credentials-harness.ts';
import type { TestBrowser } from '../support/test-browser.ts';

const MIN = 60_000;

describe('identity providers: groups kept fresh, users removed, IdP down', () => {
  let ih: IdentityHarness;
  const keys: string[] = [];

  /** Logs `login` in through the browser and gives it an access key (made by the admin) and a 24 h kubeconfig token. */
  async function credentialsOf(login: string, password: string): Promise<{ b: TestBrowser; key: string; token: string; username: string }> {
    const b = ih.browser();
    const home = await ih.browserLogin(b, 'corp', login, password);
    assert.equal(home.status, 200, home.body);
    const username = `corp:${login}@example.com`;
    const created = await ih.h.request('POST', '/apis/management.portcullis.io/v1/accesskeys', { admin: true, body: {
      apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: `${login}-` },
        spec: { user: username, displayName: `${login}-ci` },
    } });
    assert.equal(created.status, 201, created.body);
    const key = created.json().status.key as string;
    keys.push(key);
    const dl = await b.submit(home, { cluster: 'payments-dev' }, /\/login\/-\/kubeconfig/);
    const token = /token: (\S+)/.exec(dl.body)![1];
    keys.push(token);
    return { b, key, token, username };
  }
  const cms = (token: string) => ih.h.request('GET', '/clusters/payments-dev/api/v1/namespaces/default/configmaps', { token });
  /** Moves the server's clock and runs one refresh pass (what the leader's timer does), then lets controllers settle. */
  async function later(ms: number): Promise<void> {
    ih.h.clock.advance(ms);
    await ih.h.identity.api!.refresher.pass();
    await ih.h.server.settle();
  }

  before(async () => { ih = await startIdentityHarness(); });
  after(async () => { await ih?.close(); });

  it('takes a team permission away within the refresh interval when the group is removed at the IdP', async () => {
    const alice = await credentialsOf('alice', 'alice-idp-pw');
    assert.equal((await cms(alice.key)).status, 200);
    assert.equal((await cms(alice.token)).status, 200);
    ih.corp.accounts.get('alice')!.groups = ['engineering'];
    await later(2 * MIN);
    assert.equal((await cms(alice.key)).status, 200, 'not due yet: the refresh interval (5m) has not passed');
    await later(3 * MIN + 1000);
    for (const t of [alice.key, alice.token]) {
      const r = await cms(t);
      assert.equal(r.status, 403, r.body);
    }
    const user = JSON.parse((await ih.h.kubectl(['get', 'users.management.portcullis.io', alice.username, '-o', 'json'])).stdout);
    assert.deepEqual(user.spec.groups, ['corp:engineering']);
    // and back when the IdP says so again
    ih.corp.accounts.get('alice')!.groups = ['engineering', 'payments-devs'];
    await later(5 * MIN + 1000);
    assert.equal((await cms(alice.key)).status, 200);
  });

  it('revokes every credential of a user deleted at the IdP, the inventory shows it, the exec plugin says so', async () => {
    const dave = await credentialsOf('dave', 'dave-idp-pw');
    assert.equal((await cms(dave.key)).status, 200);
    const cli = ih.cliLive(['login', ih.h.server.url, '--idp', 'corp', '--no-browser', '--ca-file', ih.h.writeFile('ca.pem', ih.h.server.pki.caCertPem)]);
    const [, loginUrl] = await cli.waitFor(/(https:\/\/\S+\/login\/-\/start\?\S+)/);
    // the browser still has its session at the IdP: single sign-on straight back to the CLI
    assert.match((await dave.b.get(loginUrl)).body, /You can close this window/);
    assert.equal((await cli.done).code, 0);
    const plugin = await ih.h.cli(['credential-plugin', '--cluster', 'payments-dev']);
    assert.equal(plugin.code, 0, plugin.stderr);
    keys.push(JSON.parse(plugin.stdout).status.token, JSON.parse(readFileSync(ih.h.configFile, 'utf8')).credential.accessKey);
    ih.corp.accounts.delete('dave');
    await later(5 * MIN + 1000);
    for (const t of [dave.key, dave.token]) {
      const r = await cms(t);
      assert.equal(r.status, 401, r.body);
      assert.match(r.json().message,
        new RegExp('identity provider "corp" refused to renew the login of user "corp:dave@example.com" \\(invalid_grant.*'
          + 'the user was removed or disabled there.*every credential of this user was revoked'));
    }
    const refused = await ih.h.cli(['credential-plugin', '--cluster', 'other-dev']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /your login through identity provider "corp" is no longer valid \(.*refused to renew.*\): run `portcullis login \S+ --idp corp` again/);
    const home = await dave.b.get(`${ih.h.server.url}/login/-/home`);
    assert.match(home.url, /\/login\?return=/, 'the browser session ended too');
    const inventory = await ih.h.request('GET', `/platform/v1/credentials?user=${encodeURIComponent(dave.username)}`, { admin: true });
    const items = inventory.json().items as Array<{ kind: string; revoked?: boolean; disabled?: boolean }>;
    assert.ok(items.some((i) => i.kind === 'AccessKey' && i.disabled), JSON.stringify(items));
    assert.ok(items.some((i) => i.kind === 'PlatformToken' && i.revoked), JSON.stringify(items));
    // others are not affected
    const alive = await ih.h.request('GET', '/platform/v1/whoami', { token: keys[0] });
    assert.equal(alive.status, 200);
  });

  it('fails closed past maxGroupStaleness while the IdP is down, with a 401 that says why, and recovers with it', async () => {
    const frank = await credentialsOf('frank', 'frank-idp-pw');
    assert.equal((await cms(frank.key)).status, 200);
    await ih.corp.down();
    try {
      await later(6 * MIN);
      assert.equal((await cms(frank.key)).status, 200, 'within the cap the last confirmed groups still count');
      const session = JSON.parse((await ih.h.kubectl(['get', 'identitysessions', '-o', 'json'])).stdout).items
        .find((s: { spec: { user: string } }) => s.spec.user === frank.username);
      assert.match(session.status.lastError, /cannot reach identity provider "corp"/);
      assert.equal(session.status.refreshToken, '<sealed>');
      await later(55 * MIN);
      for (const t of [frank.key, frank.token]) {
        const r = await cms(t);
        assert.equal(r.status, 401, r.body);
        assert.match(r.json().message,
          new RegExp('identity provider "corp" has not confirmed user "corp:frank@example.com" and its groups since .*longer '
            + 'than its maxGroupStaleness of 1h \\(last attempt: cannot reach identity provider "corp".*\\); every credential of this user fails closed'));
      }
      await new Promise((r) => setTimeout(r, 100));
      const audit = readFileSync(`${ih.h.dataDir}/audit.log`, 'utf8');
      assert.match(audit, /"verb":"stale".*corp:frank@example.com/);
      assert.match(audit, /"verb":"idp-refresh"/);
    } finally {
      await ih.corp.up();
    }
    await later(1000);
    assert.equal((await cms(frank.key)).status, 200, 'confirmed again once the IdP answers');
  });

  it('keeps client secrets, refresh tokens and every IdP token out of the data dir, the database, the audit log and the server log', async () => {
    await ih.h.stop();
    const fromIdp = [...ih.corp.issued];
    assert.ok(ih.corp.counts.refreshGrants >= 3);
    assert.deepEqual(secretsInClear(ih.h, [ih.corp.clientSecret, ih.pay.clientSecret, ...fromIdp, ...keys]), []);
  });
});
