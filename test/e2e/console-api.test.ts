// End-to-end over HTTP: the APIs the console added — the user and team directory (search, pages, admins only), what
// another user can reach (impersonators only), project subjects and tenant settings (managers only), a batch of
// permission changes, disabling one's own key, the audit query (managers and admins), and the sign-in options.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setupPlatform, startCredHarness, type CredHarness } from './credentials-harness.ts';

describe('console APIs', () => {
  let h: CredHarness;
  let alice = '';
  let carol = '';
  const login = async (username: string, password: string) => {
    const r = await h.request('POST', '/platform/v1/login', { body: { username, password } });
    assert.equal(r.status, 200, r.body);
    return r.json().status.key as string;
  };

  before(async () => {
    h = await startCredHarness();
    await setupPlatform(h);
    const users = Array.from({ length: 30 }, (_, i) => `apiVersion: management.portcullis.io/v1\nkind: User\nmetadata: {name: bulk-${String(i).padStart(2, '0')}}\nspec: {displayName: Bulk ${i % 3 === 0 ? 'Fizz' : 'Plain'}}`);
    await h.kubectl(['create', '-f', '-'], { input: `${users.join('\n---\n')}\n---\napiVersion: management.portcullis.io/v1\nkind: Team\nmetadata: {name: devteam}\nspec: {members: [bulk-01, bulk-02]}\n` });
    await h.kubectl(['patch', 'project', 'payments', '--type', 'merge', '-p', JSON.stringify({ spec: { members: [{ user: 'alice', role: 'admin' }, { team: 'devteam', role: 'viewer' }] } })]);
    await h.server.settle();
    alice = await login('alice', 'alice-password-1');
    carol = await login('carol', 'carol-password-1');
  });
  after(async () => { await h?.close(); });

  it('pages and searches the user directory for admins only', async () => {
    const first = await h.request('GET', '/platform/v1/users?limit=10&search=bulk', { admin: true });
    assert.equal(first.status, 200, first.body);
    assert.equal(first.json().total, 30);
    assert.equal(first.json().items.length, 10);
    const second = await h.request('GET', `/platform/v1/users?limit=10&search=bulk&continue=${first.json().continue}`, { admin: true });
    assert.equal(second.json().items[0].name, 'bulk-10');
    const fizz = await h.request('GET', '/platform/v1/users?search=fizz', { admin: true });
    assert.equal(fizz.json().total, 10);
    const teams = (await h.request('GET', '/platform/v1/users/bulk-01', { admin: true })).json();
    assert.deepEqual(teams.teams, ['devteam']);
    assert.deepEqual(teams.projects, [{ name: 'payments', role: 'viewer' }]);
    assert.equal((await h.request('GET', '/platform/v1/users', { token: alice })).status, 403);
    assert.equal((await h.request('GET', '/platform/v1/teams', { token: alice })).status, 403);
    assert.equal((await h.request('GET', '/platform/v1/users/alice', { token: alice })).status, 200, 'oneself');
    assert.equal((await h.request('GET', '/platform/v1/users/carol', { token: alice })).status, 403);
  });

  it('lists what another user can reach only for those who may impersonate them', async () => {
    const asAdmin = await h.request('GET', '/platform/v1/tenantclusters?user=carol', { admin: true });
    assert.deepEqual(asAdmin.json().items.map((t: { name: string }) => t.name), ['payments-dev']);
    assert.equal((await h.request('GET', '/platform/v1/tenantclusters?user=carol', { token: alice })).status, 403);
    const own = await h.request('GET', '/platform/v1/tenantclusters?project=other&limit=1', { token: alice });
    assert.equal(own.json().total, 2);
    assert.equal(own.json().items.length, 1);
    assert.ok(own.json().continue);
  });

  it('shows project subjects and tenant settings to managers, and applies a batch of permission changes at once', async () => {
    const subjects = await h.request('GET', '/platform/v1/projects/payments/subjects?search=dev', { token: alice });
    assert.equal(subjects.status, 200, subjects.body);
    assert.deepEqual(subjects.json().items.map((s: { kind: string; name: string }) => `${s.kind}/${s.name}`), ['Team/devteam']);
    assert.equal((await h.request('GET', '/platform/v1/projects/payments/subjects', { token: carol })).status, 403);
    const settings = await h.request('GET', '/platform/v1/tenantclusters/payments-dev', { token: alice });
    assert.equal(settings.status, 200);
    assert.deepEqual(settings.json().clusterRoles.builtin, ['cluster-admin', 'admin', 'edit', 'view']);
    assert.equal(settings.json().permissions.manage, true);
    assert.equal((await h.request('GET', '/platform/v1/tenantclusters/payments-dev', { token: carol })).status, 403);
    const batch = await h.request('POST', '/platform/v1/tenantclusters/payments-dev/permissions', { token: alice, body: { changes: [
      { action: 'add', team: 'devteam', role: 'edit' }, { action: 'remove', user: 'carol', role: 'view' }, { action: 'add', user: 'carol', role: 'admin' },
    ] } });
    assert.equal(batch.status, 200, batch.body);
    assert.deepEqual(batch.json().access.rules, [{ teams: ['devteam'], clusterRole: 'edit' }, { users: ['carol'], clusterRole: 'admin' }]);
    const unknown = await h.request('POST', '/platform/v1/tenantclusters/payments-dev/permissions', { token: alice, body: { changes: [
      { action: 'add', team: 'devteam', role: 'view' }, { action: 'add', user: 'nobody', role: 'view' },
    ] } });
    assert.equal(unknown.status, 422, 'nothing is applied when one change is invalid');
    const rules = await h.kubectl(['get', 'tenantcluster', 'payments-dev', '-o', 'jsonpath={.spec.access.rules}']);
    assert.doesNotMatch(rules.stdout, /"view"/);
  });

  it('lets the owner disable and enable their own key; nobody else', async () => {
    const made = await h.request('POST', '/apis/management.portcullis.io/v1/accesskeys', { token: carol, body: {
      apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { name: 'carol-key' }, spec: { displayName: 'carol-key' } } });
    assert.equal(made.status, 201, made.body);
    const key = made.json().status.key as string;
    assert.equal((await h.request('POST', '/platform/v1/accesskeys/carol-key/disable', { token: alice, body: { disabled: true } })).status, 404, 'as if it did not exist');
    assert.equal((await h.request('POST', '/platform/v1/accesskeys/carol-key/disable', { token: carol, body: { disabled: true } })).status, 200);
    await h.server.settle();
    const off = await h.request('GET', '/platform/v1/whoami', { token: key });
    assert.equal(off.status, 401);
    assert.match(off.json().message, /is disabled/);
    const listed = await h.request('GET', '/platform/v1/accesskeys', { token: carol });
    assert.equal(listed.json().items.find((i: { name: string }) => i.name === 'carol-key').disabled, true);
    assert.equal((await h.request('POST', '/platform/v1/accesskeys/carol-key/disable', { token: carol, body: { disabled: false } })).status, 200);
    await h.server.settle();
    assert.equal((await h.request('GET', '/platform/v1/whoami', { token: key })).status, 200);
  });

  it('reads a tenant cluster\'s recent audit events for its managers and admins only', async () => {
    await h.kubectl(['--context', 'payments-dev', '-n', 'app', 'get', 'configmaps']);
    const asAlice = await h.request('GET', '/platform/v1/audit?cluster=payments-dev&verb=list&resource=configmaps&limit=5', { token: alice });
    assert.equal(asAlice.status, 200, asAlice.body);
    assert.ok(asAlice.json().items.length >= 1);
    assert.ok(asAlice.json().items.every((e: { verb: string; resource: string }) => e.verb === 'list' && e.resource === 'configmaps'));
    assert.equal((await h.request('GET', '/platform/v1/audit?cluster=payments-dev', { token: carol })).status, 403);
    assert.equal((await h.request('GET', '/platform/v1/audit?cluster=other-dev', { token: carol })).status, 403);
    assert.equal((await h.request('GET', '/platform/v1/audit?cluster=root', { admin: true })).status, 200);
    assert.equal((await h.request('GET', '/platform/v1/audit?cluster=Bad_Name', { admin: true })).status, 400);
    assert.equal((await h.request('GET', '/platform/v1/audit?cluster=root&decision=maybe', { admin: true })).status, 400);
  });

  it('offers the sign-in options without credentials', async () => {
    const r = await h.request('GET', '/platform/v1/session/login?project=payments');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), { apiVersion: 'management.portcullis.io/v1', kind: 'LoginOptions', password: true, providers: [] });
  });
});
