// Derived credentials die with their source (issue 12, findings 5, 6, 7, 9, 17, 18): one test per finding, then the
// class suite "derived-credential revocation" — every source kind × derived kind × way of ending the source, table-driven.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { parse } from 'yaml';
import { startCredHarness, type CredHarness } from './credentials-harness.ts';
import { chainClient, type Cred } from './chain-helpers.ts';
import { startServer } from '../../src/server/server.ts';
import { loadConfig } from '../../src/server/config.ts';
import { defaultModules } from '../../src/server/modules.ts';

const C = 'chain-dev';
const USERS = [...Array.from({ length: 40 }, (_, i) => `c${i}`), 'f5', 'f6', 'f7', 'f9', 'f17', 'late'];
const SETUP = `
apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: chain-team}
spec: {members: [${USERS.join(', ')}]}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: chain}
spec: {members: [{team: chain-team, role: admin}]}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: ${C}}
spec: {project: chain}
`;

describe('security: credential chains', { timeout: 180_000 }, () => {
  let h: CredHarness;
  let api: ReturnType<typeof chainClient>;
  const works = async (cred: Cred, cluster: string, what: string) => {
    const r = await api.whoami(cred, cluster);
    assert.equal(r.status, 201, `${what} should authenticate: ${r.body}`);
  };
  const refused = async (cred: Cred, cluster: string, what: string) => {
    const r = await api.whoami(cred, cluster);
    assert.equal(r.status, 401, `${what} should be refused: HTTP ${r.status} ${r.body}`);
    return r;
  };

  before(async () => {
    h = await startCredHarness();
    api = chainClient(h);
    await h.kubectl(['create', '-f', '-'], { input: SETUP });
    await h.server.settle();
    await h.kubectl(['--context', C, 'create', 'namespace', 'app']);
    await h.kubectl(['--context', C, '-n', 'app', 'create', 'serviceaccount', 'bot']);
    await h.kubectl(['--context', C, 'create', 'clusterrolebinding', 'bot-view', '--clusterrole=view', '--serviceaccount=app:bot']);
    for (const u of USERS) await api.user(u);
    await h.server.settle();
  });
  after(async () => { await h?.close(); });

  it('finding 5: deleting a User ends its certificate kubeconfigs and what they minted', async () => {
    const kc = await api.kubeconfig('f5-robot', 'f5', C);
    await works(kc.cred, C, 'the certificate');
    const sa = await api.saToken(kc.cred, C);
    await api.deleteUser('f5');
    await h.server.settle();
    assert.match((await refused(kc.cred, C, 'the certificate of a deleted user')).json().message, /user "f5" no longer exists/);
    await refused({ token: sa.token }, C, 'a token the certificate minted');
    const mint = await api.req('POST', `/clusters/${C}/api/v1/namespaces/app/serviceaccounts/bot/token`, { as: kc.cred, body: {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } });
    assert.equal(mint.status, 401, 'the certificate cannot mint new tokens');
  });

  it('finding 6: a token minted with a 3-second access key does not outlive the key', async () => {
    const key = await api.key('f6', { ttl: '3s' });
    const keyExp = Date.now() + 3000;
    const t = await api.platformToken({ token: key.token }, C);
    assert.ok(t.exp <= keyExp + 1000, `the token's expiry (${new Date(t.exp).toISOString()}) is clamped to the key's`);
    await works({ token: t.token }, C, 'the token');
    const key2 = await api.key('f6');
    const t2 = await api.platformToken({ token: key2.token }, C);
    api.ok(await api.req('DELETE', `/platform/v1/accesskeys/${key2.name}`, { as: 'admin' }), 'delete key');
    await h.server.settle();
    assert.match((await refused({ token: t2.token }, C, 'a token of a deleted key')).body, /minted from accesskey:/);
    await new Promise((r) => setTimeout(r, Math.max(0, keyExp - Date.now()) + 300));
    await refused({ token: t.token }, C, 'a token of an expired key');
  });

  it('finding 7: a token minted with a Kubeconfig certificate dies with the Kubeconfig', async () => {
    const kc = await api.kubeconfig('f7-robot', 'f7', C);
    const sa = await api.saToken(kc.cred, C);
    await works({ token: sa.token }, C, 'the service account token');
    api.ok(await api.req('DELETE', '/apis/management.portcullis.io/v1/namespaces/default/kubeconfigs/f7-robot', { as: 'admin' }), 'delete');
    await h.server.settle();
    await refused({ token: sa.token }, C, 'a token of a deleted Kubeconfig');
    await refused(kc.cred, C, 'the certificate of a deleted Kubeconfig');
  });

  it('a token one ServiceAccount requested for another dies with the requesting ServiceAccount', async () => {
    await h.kubectl(['--context', C, '-n', 'app', 'create', 'serviceaccount', 'minter']);
    await h.kubectl(['--context', C, '-n', 'app', 'create', 'role', 'mint-bot', '--verb=create', '--resource=serviceaccounts/token', '--resource-name=bot']);
    await h.kubectl(['--context', C, '-n', 'app', 'create', 'rolebinding', 'mint-bot', '--role=mint-bot', '--serviceaccount=app:minter']);
    await h.server.settle();
    const minter = await api.saToken('admin', C, 'app', 'minter');
    const bot = await api.saToken({ token: minter.token }, C);
    await works({ token: bot.token }, C, 'the token minter requested for bot');
    await works({ token: bot.token }, C, 'again (kept verdict)');
    await h.kubectl(['--context', C, '-n', 'app', 'delete', 'serviceaccount', 'minter']);
    await h.server.settle();
    await refused({ token: minter.token }, C, 'the deleted ServiceAccount\'s own token');
    assert.match((await refused({ token: bot.token }, C, 'a token it requested for bot')).body, /serviceaccount app\/minter/);
  });

  it('finding 9: a ServiceAccount token requested through a namespace-scoped key carries the scope', async () => {
    const scoped = await api.key('f9', { scope: { namespaces: [{ cluster: C, namespace: 'app' }] } });
    const sa = await api.saToken({ token: scoped.token }, C);
    const inScope = await api.req('GET', `/clusters/${C}/api/v1/namespaces/app/configmaps`, { as: { token: sa.token } });
    assert.equal(inScope.status, 200, inScope.body);
    const outside = await api.req('GET', `/clusters/${C}/api/v1/namespaces/kube-system/configmaps`, { as: { token: sa.token } });
    assert.equal(outside.status, 403, `outside the key's scope: ${outside.body}`);
    assert.match(outside.body, /minted through access key .* is scoped to namespace chain-dev\/app/);
    // the same ServiceAccount's token requested through an unscoped key reaches kube-system (bot may view it)
    const plain = await api.saToken({ token: (await api.key('f9')).token }, C);
    assert.equal((await api.req('GET', `/clusters/${C}/api/v1/namespaces/kube-system/configmaps`, { as: { token: plain.token } })).status, 200);
  });

  it('finding 17: disabling a User stops every credential at once, and enabling it restores them', async () => {
    const key = await api.key('f17');
    const session = await api.login('f17');
    const kc = await api.kubeconfig('f17-robot', 'f17', C);
    const pt = await api.platformToken({ token: key.token }, C);
    const sa = await api.saToken(kc.cred, C);
    const creds: Array<[string, Cred]> = [['key', { token: key.token }], ['session', { token: session.token }], ['certificate', kc.cred],
      ['platform token', { token: pt.token }], ['service account token', { token: sa.token }]];
    await api.disableUser('f17');
    await h.server.settle();
    for (const [what, c] of creds) await refused(c, C, `${what} of a disabled user`);
    await api.disableUser('f17', false);
    await h.server.settle();
    // login sessions are deleted when their user is disabled; everything else works again
    for (const [what, c] of creds.filter(([w]) => w !== 'session')) await works(c, C, `${what} of a re-enabled user`);
    await refused({ token: session.token }, C, 'a login session ended by the disable');
  });

  it('a Kubeconfig made before its User existed still ends when that User is disabled', async () => {
    // Its owner uid could not be stamped at creation (no User then): the certificate must not escape the User later
    // created under its name (the management-access door applies to the name again once it is a platform user).
    await api.deleteUser('late');
    await h.server.settle();
    const kc = await api.kubeconfig('late-robot', 'late', C);
    await works(kc.cred, C, 'the certificate of a name that is no platform user');
    await api.user('late');
    await h.server.settle();
    await works(kc.cred, C, 'the certificate once the User exists');
    const sa = await api.saToken(kc.cred, C);
    await api.disableUser('late');
    await h.server.settle();
    assert.match((await refused(kc.cred, C, 'the certificate of a disabled user')).json().message, /user "late" is disabled/);
    await refused({ token: sa.token }, C, 'a token the certificate minted');
  });

  it('the credential inventory shows what each credential was minted from', async () => {
    const key = await api.key('c39');
    const pt = await api.platformToken({ token: key.token }, C);
    const list = api.ok(await api.req('GET', '/platform/v1/credentials?user=c39', { as: 'admin' }), 'list').json().items as Array<{ id: string; chain?: string[] }>;
    assert.deepEqual(list.find((i) => i.id === `platformtoken:${pt.jti}`)?.chain, [`accesskey:${key.name}`, 'user:c39']);
    assert.deepEqual(list.find((i) => i.id === `accesskey:${key.name}`)?.chain, ['user:c39']);
  });

  describe('derived-credential revocation: every source × derived kind × way of ending the source', () => {
    type Source = { cred: Cred; end: Record<string, () => Promise<void>> };
    type Kind = 'access key' | 'platform token' | 'Kubeconfig certificate' | 'login session';
    let n = 0;
    const nextUser = () => `c${n++}`;
    const ownerEnds = (user: string) => ({
      'delete owner': () => api.deleteUser(user),
      'disable owner': () => api.disableUser(user),
    });
    const sources: Record<Kind, (expiring: boolean) => Promise<Source>> = {
      'access key': async (expiring) => {
        const user = nextUser();
        const k = await api.key(user, expiring ? { ttl: '4s' } : {});
        const ak = `/platform/v1/accesskeys/${k.name}`;
        return { cred: { token: k.token }, end: {
          delete: async () => { api.ok(await api.req('DELETE', ak, { as: 'admin' }), 'delete key'); },
          disable: async () => { api.ok(await api.req('POST', `${ak}/disable`, { as: 'admin', body: { disabled: true } }), 'disable key'); },
          'rotate (no grace)': async () => { api.ok(await api.req('POST', `${ak}/rotate`, { as: 'admin', body: { grace: '0s' } }), 'rotate key'); },
          expire: async () => {},
          ...ownerEnds(user),
        } };
      },
      'platform token': async (expiring) => {
        const user = nextUser();
        const k = await api.key(user);
        const t = await api.platformToken({ token: k.token }, C, expiring ? 4 : undefined);
        return { cred: { token: t.token }, end: {
          revoke: async () => { api.ok(await api.req('POST', `/platform/v1/credentials/platformtoken:${t.jti}/revoke`, { as: 'admin' }), 'revoke'); },
          'delete the key it was minted with': async () => { api.ok(await api.req('DELETE', `/platform/v1/accesskeys/${k.name}`, { as: 'admin' }), 'delete'); },
          expire: async () => {},
          ...ownerEnds(user),
        } };
      },
      'Kubeconfig certificate': async () => {
        const user = nextUser();
        const kc = await api.kubeconfig(`${user}-robot`, user, C);
        return { cred: kc.cred, end: {
          delete: async () => {
            api.ok(await api.req('DELETE', `/apis/management.portcullis.io/v1/namespaces/default/kubeconfigs/${user}-robot`, { as: 'admin' }), 'delete');
          },
          revoke: async () => { api.ok(await api.req('POST', `/platform/v1/credentials/x509:${kc.serial}/revoke`, { as: 'admin' }), 'revoke'); },
          ...ownerEnds(user),
        } };
      },
      'login session': async () => {
        const user = nextUser();
        const s = await api.login(user);
        return { cred: { token: s.token }, end: {
          'log out': async () => { api.ok(await api.req('POST', '/platform/v1/logout', { as: { token: s.token } }), 'logout'); },
          ...ownerEnds(user),
        } };
      },
    };
    const derive: Record<string, (c: Cred) => Promise<Cred>> = {
      'platform token': async (c) => ({ token: (await api.platformToken(c, C)).token }),
      'ServiceAccount token': async (c) => ({ token: (await api.saToken(c, C)).token }),
    };
    // Kubeconfig certificates are honoured only in their target cluster: what they mint there is a ServiceAccount token.
    const derivable: Record<Kind, string[]> = {
      'access key': ['platform token', 'ServiceAccount token'], 'platform token': ['ServiceAccount token'],
      'Kubeconfig certificate': ['ServiceAccount token'], 'login session': ['platform token', 'ServiceAccount token'],
    };
    const ways: Record<Kind, string[]> = {
      'access key': ['expire', 'delete', 'disable', 'rotate (no grace)', 'delete owner', 'disable owner'],
      'platform token': ['expire', 'revoke', 'delete the key it was minted with', 'delete owner', 'disable owner'],
      'Kubeconfig certificate': ['delete', 'revoke', 'delete owner', 'disable owner'],
      'login session': ['log out', 'delete owner', 'disable owner'],
    };
    const rows: Array<{ name: string; derived: Cred; end: () => Promise<void> }> = [];
    let expiresBy = 0;

    before(async () => {
      // expiring sources first, so each is minted from and checked well within its 4 s
      for (const expiring of [true, false]) {
        for (const kind of Object.keys(sources) as Kind[]) {
          for (const d of derivable[kind]) {
            for (const way of ways[kind].filter((w) => (w === 'expire') === expiring)) {
              const src = await sources[kind](expiring);
              const derived = await derive[d](src.cred);
              await works(derived, C, `${d} from ${kind}`);
              rows.push({ name: `${kind} → ${d}, source ended by: ${way}`, derived, end: src.end[way] });
              if (expiring) expiresBy = Date.now() + 4000;
            }
          }
        }
      }
      for (const r of rows) await r.end();
      await h.server.settle();
      await new Promise((r) => setTimeout(r, Math.max(0, expiresBy - Date.now()) + 300));
    });

    it('covers every pair (table size)', () => {
      assert.equal(rows.length, 2 * 6 + 5 + 4 + 2 * 3);
    });
    for (const kind of Object.keys(ways) as Kind[]) {
      for (const d of derivable[kind]) {
        for (const way of ways[kind]) {
          const name = `${kind} → ${d}, source ended by: ${way}`;
          it(name, async () => {
            const row = rows.find((r) => r.name === name);
            assert.ok(row, name);
            await refused(row.derived, C, name);
          });
        }
      }
    }
  });

  it('finding 18: one short-lived admin certificate, kept across starts, rotated on request with the old one revoked', async () => {
    const file = h.server.adminKubeconfigPath;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const certOf = (text: string) => {
      const u = (parse(text) as { users: Array<{ user: Record<string, string> }> }).users[0].user;
      const b = (v: string) => Buffer.from(v, 'base64').toString();
      return { cert: b(u['client-certificate-data']), key: b(u['client-key-data']) };
    };
    const before1 = certOf(readFileSync(file, 'utf8'));
    const x = new X509Certificate(before1.cert);
    assert.ok(Date.parse(x.validTo) - Date.now() <= 31 * 86_400_000, `admin certificate lifetime is short: until ${x.validTo}`);
    await works({ cert: before1 }, 'root', 'the admin certificate');
    const copy = h.writeFile('admin-copy.kubeconfig', readFileSync(file, 'utf8'));
    const r = await h.cli(['admin', 'rotate-credentials', '--kubeconfig', copy]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /revoked the previous admin certificate/);
    const rotated = certOf(readFileSync(copy, 'utf8'));
    assert.equal(statSync(copy).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8'), readFileSync(copy, 'utf8'), 'the server rewrote its admin kubeconfig too');
    await refused({ cert: before1 }, 'root', 'the previous admin certificate');
    await works({ cert: rotated }, 'root', 'the new admin certificate');
    // a restart keeps the same certificate (no new system:masters certificate per start)
    await h.stop();
    const again = await startServer(loadConfig({ dataDir: h.dataDir, listen: '127.0.0.1:0' }), () => {}, defaultModules());
    try {
      assert.equal(new X509Certificate(certOf(readFileSync(file, 'utf8')).cert).serialNumber, new X509Certificate(rotated.cert).serialNumber);
    } finally {
      await again.close();
    }
    writeFileSync(copy, '');
  });
});
