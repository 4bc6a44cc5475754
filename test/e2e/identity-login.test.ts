// End-to-end: identity providers with a real OpenID Provider (oidc-provider) as a global IdP ("corp") and as the IdP
// of project payments ("payments-sso"): validation and readiness, the login URLs, the browser login driven over HTTP,
// required groups, CSRF/state/return-URL attacks, the CLI loopback and device logins, kubectl through the exec plugin
// across a token expiry, kubectl with a raw ID token (forged, expired, wrong audience, other IdP, key rotation), audit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { startIdentityHarness, CORP_ACCOUNTS, PAY_ACCOUNTS, type IdentityHarness } from './identity-harness.ts';
import { secretsInClear } from './credentials-harness.ts';
import { forms, signInAtIdp } from '../support/test-browser.ts';

describe('identity providers: logins', () => {
  let ih: IdentityHarness;
  const url = () => ih.h.server.url;

  const tokens: string[] = [];
  const crafted = (t: string) => { tokens.push(t); return t; };
  let admin: string[] | undefined;
  /** CLI flags that act as a system:masters admin (client certificate). */
  const adminFlags = async () => {
    if (admin) return admin;
    const c = await ih.h.server.pki.issueClientCert({ commonName: 'cli-admin', organizations: ['system:masters'], validitySeconds: 3600 });
    admin = ['--server', url(), '--ca-file', ih.h.writeFile('admin-ca.pem', ih.h.server.pki.caCertPem), '--client-cert',
      ih.h.writeFile('admin.crt', c.certPem), '--client-key', ih.h.writeFile('admin.key', c.keyPem)];
    return admin;
  };

  before(async () => { ih = await startIdentityHarness(); });
  after(async () => { await ih?.close(); });

  it('lists the global IdPs on /login and adds a project\'s own only on /login/<project>', async () => {
    const b = ih.browser();
    const global = await b.get(`${url()}/login`);
    assert.equal(global.status, 200);
    assert.match(global.body, /Log in with Corp SSO/);
    assert.doesNotMatch(global.body, /Payments SSO/);
    const payments = await b.get(`${url()}/login/payments`);
    assert.match(payments.body, /Log in with Corp SSO/);
    assert.match(payments.body, /Log in with Payments SSO/);
    const other = await b.get(`${url()}/login/other`);
    assert.match(other.body, /Corp SSO/);
    assert.doesNotMatch(other.body, /Payments SSO/);
    assert.equal((await b.get(`${url()}/login/no-such-project`)).status, 404);
  });

  it('logs in through the browser: IdP form, callback, session cookie, the page with both options', async () => {
    const b = ih.browser();
    const home = await ih.browserLogin(b, 'corp', 'alice', 'alice-idp-pw');
    assert.equal(home.status, 200, home.body);
    assert.match(home.body, /Signed in as <strong>corp:alice@example.com<\/strong>/);
    assert.match(home.body, /Generate kubectl configuration/);
    assert.match(home.body, /Credentials plugin instructions/);
    const user = JSON.parse((await ih.h.kubectl(['get', 'users.management.portcullis.io', 'corp:alice@example.com', '-o', 'json'])).stdout);
    assert.deepEqual(user.spec.identity, { provider: 'corp', issuer: ih.corp.issuer, subject: 'alice' });
    assert.deepEqual(user.spec.groups, ['corp:engineering', 'corp:payments-devs']);
    const jar = b.cookies(new URL(url()).origin);
    assert.ok(jar.get('portcullis_session')?.secure);
    const dl = await b.submit(home, {}, /\/login\/-\/kubeconfig/);
    assert.equal(dl.status, 200, dl.body);
    assert.match(String(dl.headers['content-disposition']), /portcullis-other-dev|portcullis-payments-dev|portcullis-short-dev/);
    const kc = parseYaml(dl.body) as { contexts: Array<{ name: string }> };
    const file = ih.h.writeFile('browser.kubeconfig', dl.body);
    const ctxName = kc.contexts[0].name;
    const r = await ih.h.kubectl(['--context', ctxName, 'get', 'configmaps'], { kubeconfig: file, allowFail: true });
    assert.equal(r.code, 0, r.stderr);
  });

  it('refuses a user missing a required group (403 naming it) and an unverified email, and audits both', async () => {
    const bob = await ih.browserLogin(ih.browser(), 'corp', 'bob', 'bob-idp-pw');
    assert.equal(bob.status, 403);
    assert.match(bob.body, /user &#34;corp:bob@example.com&#34; is not a member of group &#34;engineering&#34; required by identity provider &#34;corp&#34;/);
    const mallory = await ih.browserLogin(ih.browser(), 'corp', 'mallory', 'mallory-idp-pw');
    assert.equal(mallory.status, 401);
    assert.match(mallory.body, /email address of this user is not verified/);
    assert.equal((await ih.h.kubectl(['get', 'users.management.portcullis.io', 'corp:bob@example.com'],
      { allowFail: true })).code, 1, 'no User for a refused login');
  });

  it('checks state, CSRF and return URLs: no login without its cookie, no form from elsewhere, no open redirect', async () => {
    const b = ih.browser();
    const start = await b.request('GET', `${url()}/login/-/start?idp=corp&return=${encodeURIComponent('https://evil.example/steal')}`);
    assert.equal(start.status, 302);
    const authorize = new URL(String(start.headers.location));
    assert.equal(authorize.origin, ih.corp.issuer);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('nonce') && authorize.searchParams.get('state'));
    // a callback with a state this browser never started is refused
    const stranger = await ih.browser().get(`${url()}/login/-/callback?code=abc&state=${authorize.searchParams.get('state')}`);
    assert.equal(stranger.status, 400);
    assert.match(stranger.body, /expired or was started in another browser/);
    const home = await signInAtIdp(b, await b.get(authorize.href), 'alice', 'alice-idp-pw');
    assert.equal(new URL(home.url).origin, url(), 'the return URL to another origin was replaced by the home page');
    assert.match(home.url, /\/login\/-\/home$/);
    const f = forms(home).find((x) => x.action.endsWith('/login/-/kubeconfig'))!;
    const noCsrf = await b.go('POST', f.action, new URLSearchParams({ cluster: f.fields.cluster }).toString());
    assert.equal(noCsrf.status, 403);
    assert.match(noCsrf.body, /CSRF check failed/);
    const crossSite = await b.go('POST', f.action, new URLSearchParams(f.fields).toString(), { origin: 'https://evil.example' });
    assert.equal(crossSite.status, 403);
    const anonymous = await ih.browser().go('POST', f.action, new URLSearchParams(f.fields).toString());
    assert.equal(anonymous.status, 401);
    const cookie = b.cookies(url()).get('portcullis_session')!;
    const tampered = ih.browser();
    tampered.cookies(url()).set('portcullis_session', { ...cookie, value: `${cookie.value.slice(0, -4)}AAAA` });
    assert.match((await tampered.get(`${url()}/login/-/home`)).url, /\/login\?return=/, 'a tampered cookie is no session');
  });

  it('logs a project IdP\'s users in with its prefix and keeps them in that project', async () => {
    const b = ih.browser();
    const home = await ih.browserLogin(b, 'payments-sso', 'pat', 'pat-idp-pw', 'payments');
    assert.equal(home.status, 200, home.body);
    assert.match(home.body, /Signed in as <strong>pay:pat<\/strong>/);
    assert.match(home.body, /payments-dev/);
    // the payments team's rule on other-dev would let pat in, but a project IdP's users stay in their project
    assert.match(home.body, /other-dev/);
    const dl = await b.submit(home, { cluster: 'other-dev' }, /\/login\/-\/kubeconfig/);
    const kc = ih.h.writeFile('pat-other.kubeconfig', dl.body);
    const r = await ih.h.kubectl(['get', 'configmaps'], { kubeconfig: kc, allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /comes from identity provider "payments-sso" of project "payments" and may only reach that project's clusters/);
    const ok = await b.submit(home, { cluster: 'payments-dev' }, /\/login\/-\/kubeconfig/);
    assert.match((await ih.h.kubectl(['get', 'configmaps'], { kubeconfig: ih.h.writeFile('pat-pay.kubeconfig', ok.body) })).stdout, /cfg/);
  });

  it('logs the CLI in through a browser and a loopback port, then kubectl uses the exec plugin across a token expiry', async () => {
    const cli = ih.cliLive(['login', url(), '--idp', 'corp', '--no-browser', '--ca-file', ih.h.writeFile('ca.pem', ih.h.server.pki.caCertPem)]);
    const [, loginUrl] = await cli.waitFor(/(https:\/\/\S+\/login\/-\/start\?\S+)/);
    assert.match(loginUrl, /cli_port=\d+/);
    const b = ih.browser();
    const done = await signInAtIdp(b, await b.get(loginUrl), 'erin', 'erin-idp-pw');
    assert.match(done.url, /^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    assert.match(done.body, /You can close this window/);
    const r = await cli.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Logged in to .* as corp:erin@example.com through identity provider corp/);
    assert.equal(statSync(ih.h.configFile).mode & 0o777, 0o600);
    const config = JSON.parse(readFileSync(ih.h.configFile, 'utf8'));
    assert.equal(config.credential.idp, 'corp');
    assert.match((await ih.h.cli(['whoami'])).stdout, /corp:erin@example.com/);
    // a replayed loopback code is refused (single use)
    const code = new URL(done.url).searchParams.get('code')!;
    const replay = await ih.h.request('POST', '/platform/v1/idp/exchange', { body: { code, codeVerifier: 'x'.repeat(43) } });
    assert.equal(replay.status, 401);

    const kc = ih.h.writeFile('plugin.kubeconfig', (await ih.h.cli(['kubeconfig', '--cluster', 'short-dev'])).stdout);
    await ih.h.kubectl(['get', 'namespaces'], { kubeconfig: kc });
    const refreshes = ih.corp.counts.refreshGrants;
    // past the project's 8 s token maximum, and past the IdP's refresh interval on the server's clock
    ih.h.clock.advance(6 * 60_000);
    await new Promise((res) => setTimeout(res, 8000));
    const again = await ih.h.kubectl(['get', 'namespaces'], { kubeconfig: kc });
    assert.match(again.stdout, /default/);
    assert.ok(ih.corp.counts.refreshGrants > refreshes, 'the server re-confirmed the user with the IdP before minting the new token');
  });

  it('logs the CLI in with the device authorization grant (the code is approved at the IdP)', async () => {
    const cli = ih.cliLive(['login', url(), '--idp', 'corp', '--device']);
    const [, verify] = await cli.waitFor(/open (https:\/\/\S+) on any device/);
    const [, userCode] = await cli.waitFor(/enter the code:\s+(\S+)/);
    const b = ih.browser();
    const entry = await b.get(verify);
    const confirm = await b.submit(entry, { user_code: userCode });
    assert.match(confirm.body, /Confirm/);
    const login = await b.submit(confirm);
    const finished = await signInAtIdp(b, login, 'frank', 'frank-idp-pw');
    assert.match(finished.body, /Device login complete/);
    const r = await cli.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /as corp:frank@example.com through identity provider corp/);
    assert.match((await ih.h.cli(['whoami'])).stdout, /corp:frank@example.com/);
  });

  it('validates IdentityProviders (422 with causes) and shows discovery failures in status while serving on', async () => {
    const bad = await ih.h.kubectl(['apply', '-f', '-'], { allowFail: true, input: `
apiVersion: management.portcullis.io/v1
kind: IdentityProvider
metadata: {name: bad}
spec:
  project: payments
  oidc: {issuer: "http://idp.example.com", clientID: x, usernamePrefix: "system:"}
` });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec.oidc.issuer: must be an https:\/\/ URL/);
    assert.match(bad.stderr, /spec.oidc.usernamePrefix: must not be one of system:/);
    const dup = await ih.h.kubectl(['apply', '-f', '-'], { allowFail: true, input: `
apiVersion: management.portcullis.io/v1
kind: IdentityProvider
metadata: {name: dup}
spec: {oidc: {issuer: "${ih.corp.issuer}", clientID: portcullis, usernamePrefix: "corp:"}}
` });
    assert.match(dup.stderr, /identity provider "corp" already uses issuer .* with this client ID/);
    assert.match(dup.stderr, /identity provider "corp" already uses the prefix "corp:"/);
    // the right issuer without its CA bundle: TLS fails, the condition says so, everything else keeps working
    await ih.h.kubectl(['apply', '-f', '-'], { input: `
apiVersion: management.portcullis.io/v1
kind: IdentityProvider
metadata: {name: no-ca}
spec: {oidc: {issuer: "${ih.corp.issuer}", clientID: other-client, usernamePrefix: "noca:"}}
` });
    let cond: { status: string; reason: string; message: string } | undefined;
    for (let i = 0; i < 100 && cond?.status !== 'False'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const o = JSON.parse((await ih.h.kubectl(['get', 'identityproviders', 'no-ca', '-o', 'json'])).stdout);
      cond = o.status?.conditions?.[0];
    }
    assert.equal(cond?.status, 'False');
    assert.equal(cond?.reason, 'DiscoveryFailed');
    assert.match(cond!.message, /certificate/);
    const list = await ih.h.cli(['idp', 'list', ...(await adminFlags())]);
    assert.match(list.stdout, /no-ca\s+\(global\)\s+\S+\s+other-client\s+False\s+DiscoveryFailed/, list.stderr);
    assert.match(list.stdout, /payments-sso\s+payments\s+\S+\s+portcullis\s+True\s+Ready/);
    const show = await ih.h.cli(['idp', 'show', 'corp', ...(await adminFlags())]);
    assert.match(show.stdout, /Username:\s+corp:<claim email>/);
    assert.doesNotMatch(show.stdout, new RegExp(ih.corp.clientSecret));
    assert.match((await ih.h.kubectl(['get', 'identityproviders'])).stdout, /no-ca\s+\S+\s+False/);
    assert.equal((await ih.h.kubectl(['get', 'namespaces'])).code, 0);
    const page = await ih.browser().get(`${url()}/login`);
    assert.match(page.body, /no-ca <span class="muted">\(not available right now\)/);
    await ih.h.kubectl(['delete', 'identityprovider', 'no-ca']);
  });

  it('authenticates kubectl with a raw ID token of a configured IdP, and nothing else', async () => {
    const { corp, pay } = ih;
    const claims = { sub: 'alice', email: 'alice@example.com', email_verified: true, groups: ['engineering', 'payments-devs'] };
    const token = crafted(await corp.sign(claims));
    const kc = (t: string, cluster = 'payments-dev') => ih.h.kubeconfigFor({ token: t }, cluster);
    assert.match((await ih.h.kubectl(['get', 'configmaps'], { kubeconfig: kc(token) })).stdout, /cfg/);
    const who = await ih.h.request('GET', '/platform/v1/whoami', { token });
    assert.equal(who.json().status.username, 'corp:alice@example.com');
    const refuse = async (t: string, re: RegExp) => {
      const r = await ih.h.request('GET', '/clusters/payments-dev/api/v1/namespaces/default/configmaps', { token: t });
      assert.equal(r.status, 401, `${re}: ${r.body}`);
      assert.match(r.json().message, re);
    };
    await refuse(await corp.sign(claims, { key: 'foreign' }), /signed with a key the IdP does not publish/);
    const [h, p] = token.split('.');
    const other = (await corp.sign({ ...claims, groups: ['engineering'] }, { key: 'foreign' })).split('.')[2];
    await refuse(`${h}.${p}.${other}`, /invalid signature/);
    await refuse(await corp.sign(claims, { expiresInS: -10 }), /ID token of identity provider "corp" has expired/);
    await refuse(await corp.sign(claims, { audience: 'someone-else' }), /audience \["someone-else"\] is not the client ID of identity provider "corp"/);
    // the other IdP's keys cannot speak for corp, and its own tokens only ever map through its own prefix
    await refuse(await pay.sign({ ...claims, iss: corp.issuer }), /signed with a key the IdP does not publish/);
    const payToken = await pay.sign({ sub: 'alice', preferred_username: 'alice', groups: ['devs'] });
    assert.equal((await ih.h.request('GET', '/platform/v1/whoami', { token: payToken })).json().status.username, 'pay:alice');
    const unknown = await ih.h.request('GET', '/api/v1/namespaces', { token: await pay.sign({ ...claims, iss: 'https://unknown.example' }) });
    assert.equal(unknown.status, 401);
    // required groups hold for raw tokens too (403 naming the group)
    const noEng = await ih.h.request('GET', '/api/v1/namespaces', { token: await corp.sign({ ...claims, groups: ['payments-devs'] }) });
    assert.equal(noEng.status, 403);
    assert.match(noEng.json().message, /not a member of group "engineering" required by identity provider "corp"/);
    // key rotation: tokens signed with the new key are accepted (the JWKS is fetched again for the unknown key)
    await corp.rotateKeys();
    const rotated = crafted(await corp.sign(claims));
    assert.notEqual(JSON.parse(Buffer.from(rotated.split('.')[0], 'base64url').toString()).kid,
      JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid);
    assert.match((await ih.h.kubectl(['get', 'configmaps'], { kubeconfig: kc(rotated) })).stdout, /cfg/);
    // `portcullis idp test` runs discovery and maps a token as a login would
    const test = await ih.h.cli(['idp', 'test', 'corp', '--id-token', ih.h.writeFile('id.jwt', rotated), ...(await adminFlags())]);
    assert.equal(test.code, 0, test.stderr);
    assert.match(test.stdout, /Discovery: OK/);
    assert.match(test.stdout, /Login would map to user corp:alice@example.com with groups corp:engineering, corp:payments-devs/);
    const refusedTest = await ih.h.cli(['idp', 'test', 'corp', '--id-token', ih.h.writeFile('bob.jwt',
      await corp.sign({ ...claims, groups: [] })), ...(await adminFlags())]);
    assert.match(refusedTest.stdout, /Login would be refused \(403\): .*"engineering"/);
  });

  it('records logins and refused logins in the audit log, without tokens', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const lines = readFileSync(`${ih.h.dataDir}/audit.log`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const login = lines.find((e) => e.verb === 'login' && e.user.username === 'corp:alice@example.com');
    assert.ok(login, 'a login event');
    assert.equal(login.annotations['identity.portcullis.io/provider'], 'corp');
    const refused = lines.find((e) => e.verb === 'login-failed' && /required by identity provider "corp"/.test(e.responseStatus.message));
    assert.ok(refused, 'a refused login with its reason');
    assert.equal(refused.responseStatus.code, 403);
  });

  it('keeps client secrets, IdP tokens and IdP passwords out of the data dir, the database, the audit log and the server log', async () => {
    await ih.h.stop();
    const fromIdps = [...ih.corp.issued, ...ih.pay.issued];
    assert.ok(fromIdps.length >= 15, `tokens seen: ${fromIdps.length}`);
    const passwords = [...Object.values(CORP_ACCOUNTS), ...Object.values(PAY_ACCOUNTS)].map((a) => a.password);
    assert.deepEqual(secretsInClear(ih.h, [ih.corp.clientSecret, ih.pay.clientSecret, ...fromIdps, ...tokens, ...passwords]), []);
  });
});
