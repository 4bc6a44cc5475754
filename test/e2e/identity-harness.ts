// Shared set-up of the identity e2e suites: a Portcullis server (movable clock) and two real OpenID Providers on
// loopback — "corp" as a global IdP and "payments-sso" as the IdP of project payments — with test users and groups,
// teams bound to IdP groups, tenant clusters, and helpers for the browser login and the CLI.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startCredHarness, type CredHarness } from './credentials-harness.ts';
import { startTestIdp, type TestAccount, type TestIdp } from '../support/oidc-idp.ts';
import { signInAtIdp, TestBrowser, type Page } from '../support/test-browser.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/portcullis.mjs');

export interface IdentityHarness {
  h: CredHarness;
  corp: TestIdp;
  pay: TestIdp;
  /** A new browser that trusts Portcullis and both IdPs. */
  browser(): TestBrowser;
  /** Logs in through /login (or /login/<project>) with the IdP's form; returns the page after login. */
  browserLogin(b: TestBrowser, idp: string, login: string, password: string, project?: string): Promise<Page>;
  /** Runs `portcullis <args>` in the background, reading its stderr as it comes (for login URLs and device codes). */
  cliLive(args: string[]): { stderr(): string; waitFor(re: RegExp): Promise<RegExpExecArray>; done: Promise<{ code: number; stdout: string; stderr: string }> };
  close(): Promise<void>;
}

export const CORP_ACCOUNTS: Record<string, TestAccount> = {
  alice: { password: 'alice-idp-pw', email: 'alice@example.com', groups: ['engineering', 'payments-devs'], name: 'Alice' },
  bob: { password: 'bob-idp-pw', email: 'bob@example.com', groups: ['ops'] },
  dave: { password: 'dave-idp-pw', email: 'dave@example.com', groups: ['engineering', 'payments-devs'] },
  erin: { password: 'erin-idp-pw', email: 'erin@example.com', groups: ['engineering', 'payments-devs'] },
  frank: { password: 'frank-idp-pw', email: 'frank@example.com', groups: ['engineering', 'payments-devs'] },
  mallory: { password: 'mallory-idp-pw', email: 'mallory@example.com', groups: ['engineering'], emailVerified: false },
};
export const PAY_ACCOUNTS: Record<string, TestAccount> = {
  pat: { password: 'pat-idp-pw', email: 'pat@payments.example', groups: ['devs'] },
};

const setup = (corp: TestIdp, pay: TestIdp) => `
apiVersion: v1
kind: Secret
metadata: {name: corp-oidc, namespace: kube-system}
stringData: {secret: ${corp.clientSecret}}
---
apiVersion: v1
kind: Secret
metadata: {name: payments-oidc, namespace: kube-system}
stringData: {secret: ${pay.clientSecret}}
---
apiVersion: management.portcullis.io/v1
kind: IdentityProvider
metadata: {name: corp}
spec:
  displayName: Corp SSO
  oidc:
    issuer: ${corp.issuer}
    certificateAuthority: ${JSON.stringify(corp.caPem)}
    clientID: ${corp.clientId}
    clientSecretRef: {name: corp-oidc, key: secret}
    scopes: [openid, email, profile, groups, offline_access]
    usernameClaim: email
    usernamePrefix: "corp:"
    groupsClaim: groups
    groupsPrefix: "corp:"
    requiredGroups: [engineering]
---
apiVersion: management.portcullis.io/v1
kind: IdentityProvider
metadata: {name: payments-sso}
spec:
  project: payments
  displayName: Payments SSO
  oidc:
    issuer: ${pay.issuer}
    certificateAuthority: ${JSON.stringify(pay.caPem)}
    clientID: ${pay.clientId}
    clientSecretRef: {name: payments-oidc, key: secret}
    scopes: [openid, email, profile, groups, offline_access]
    usernameClaim: preferred_username
    usernamePrefix: "pay:"
    groupsClaim: groups
    groupsPrefix: "pay:"
---
apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: payments-team}
spec: {groups: ["corp:payments-devs", "pay:devs"]}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: payments}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: other}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: short}
spec: {credentialPolicy: {maxTokenTTL: 8s}}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: payments-dev}
spec:
  project: payments
  access: {rules: [{teams: [payments-team], clusterRole: edit}]}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: other-dev}
spec:
  project: other
  access: {rules: [{teams: [payments-team], clusterRole: view}]}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: short-dev}
spec:
  project: short
  access: {rules: [{teams: [payments-team], clusterRole: view}]}
`;

export async function startIdentityHarness(): Promise<IdentityHarness> {
  const h = await startCredHarness();
  const redirectUris = [`${h.server.url}/login/-/callback`];
  const corp = await startTestIdp({ redirectUris, accounts: CORP_ACCOUNTS });
  const pay = await startTestIdp({ redirectUris, accounts: PAY_ACCOUNTS });
  await h.kubectl(['create', '-f', '-'], { input: setup(corp, pay) });
  await h.server.settle();
  for (let i = 0; ; i++) {
    const api = h.identity.api!;
    if (api.registry.get('corp')?.ready && api.registry.get('payments-sso')?.ready) break;
    if (i > 100) {
      const states = api.registry.all().map((p) => [p.settings.name, p.reason, p.message]);
      throw new Error(`identity providers not ready: ${JSON.stringify(states)}\n${h.logs.slice(-10).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await h.kubectl(['--context', 'payments-dev', 'create', 'configmap', 'cfg', '--from-literal=a=1']);
  await h.kubectl(['--context', 'other-dev', 'create', 'configmap', 'cfg', '--from-literal=a=1']);
  const ca = [h.server.pki.caCertPem, corp.caPem];
  const ih: IdentityHarness = {
    h, corp, pay,
    browser: () => new TestBrowser(ca),
    async browserLogin(b, idp, login, password, project) {
      const list = await b.get(`${h.server.url}/login${project ? `/${project}` : ''}`);
      const href = new RegExp(`href="(/login/-/start\\?idp=${idp}[^"]*)"`).exec(list.body)?.[1];
      if (!href) throw new Error(`no "${idp}" on the login page:\n${list.body}`);
      const atIdp = await b.get(`${h.server.url}${href.replace(/&amp;/g, '&')}`);
      return signInAtIdp(b, atIdp, login, password);
    },
    cliLive(args) {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, HOME: path.join(h.dir, 'home'),
        PORTCULLIS_CONFIG: h.configFile }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const waiters: Array<() => void> = [];
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); for (const w of waiters.splice(0)) w(); });
      const done = new Promise<{ code: number; stdout: string; stderr: string }>((r) => child.on('close',
        (code) => { for (const w of waiters.splice(0)) w(); r({ code: code ?? 1, stdout: out, stderr: err }); }));
      return {
        stderr: () => err, done,
        async waitFor(re) {
          for (let i = 0; i < 600; i++) {
            const m = re.exec(err);
            if (m) return m;
            if (child.exitCode !== null) break;
            await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 100); });
          }
          throw new Error(`CLI never printed ${re}:\n${err}\n${out}`);
        },
      };
    },
    async close() {
      await corp.close();
      await pay.close();
      await h.close();
    },
  };
  return ih;
}
