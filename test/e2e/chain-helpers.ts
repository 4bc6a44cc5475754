// Helpers for the credential-chain suites: HTTPS requests with a bearer token or a client certificate, and minting
// each credential kind (users, access keys, login sessions, platform and ServiceAccount tokens, Kubeconfig certificates).
import https from 'node:https';
import { parse } from 'yaml';
import type { CredHarness } from './credentials-harness.ts';

export interface Cred { token?: string; cert?: { cert: string; key: string } }
export interface Res { status: number; body: string; json(): any }

const G = '/apis/management.portcullis.io/v1';

export function chainClient(h: CredHarness, baseUrl = () => h.server.url) {
  const admin = h.server.pki.issueClientCert({ commonName: 'chain-admin', organizations: ['system:masters'], validitySeconds: 3600 });
  async function req(method: string, p: string, o: { as?: Cred | 'admin'; body?: unknown; type?: string } = {}): Promise<Res> {
    const c: Cred | undefined = o.as === 'admin' ? { cert: await admin.then((a) => ({ cert: a.certPem, key: a.keyPem })) } : o.as;
    const text = o.body === undefined ? undefined : JSON.stringify(o.body);
    return new Promise((resolve, reject) => {
      const r = https.request(`${baseUrl()}${p}`, {
        method, ca: h.server.pki.caCertPem, agent: false, ...(c?.cert ? { cert: c.cert.cert, key: c.cert.key } : {}),
        headers: { ...(text ? { 'content-type': o.type ?? 'application/json' } : {}), ...(c?.token ? { authorization: `Bearer ${c.token}` } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => { const body = Buffer.concat(chunks).toString(); resolve({ status: res.statusCode ?? 0, body, json: () => JSON.parse(body) }); });
      });
      r.on('error', reject);
      r.end(text);
    });
  }
  const ok = (r: Res, what: string): Res => {
    if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${r.body.slice(0, 400)}`);
    return r;
  };
  const api = {
    req, ok,
    async user(name: string, password = `${name}-password-1`): Promise<void> {
      ok(await req('POST', `${G}/users`, { as: 'admin', body: { apiVersion: 'management.portcullis.io/v1', kind: 'User', metadata: { name }, spec: { password } } }), `user ${name}`);
    },
    async key(user: string, spec: Record<string, unknown> = {}): Promise<{ name: string; token: string }> {
      const r = ok(await req('POST', `${G}/accesskeys`, { as: 'admin', body: {
        apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: `${user}-` }, spec: { user, displayName: `${user}-key`, ...spec },
      } }), `key for ${user}`).json();
      return { name: r.metadata.name, token: r.status.key };
    },
    async login(user: string): Promise<{ name: string; token: string }> {
      const r = ok(await req('POST', '/platform/v1/login', { body: { username: user, password: `${user}-password-1` } }), `login ${user}`).json();
      return { name: r.status.accessKeyName, token: r.status.key };
    },
    async platformToken(as: Cred, cluster: string, expirationSeconds?: number): Promise<{ token: string; jti: string; exp: number }> {
      const r = ok(await req('POST', '/platform/v1/tokens', { as, body: { cluster, ...(expirationSeconds ? { expirationSeconds } : {}) } }), 'platform token').json();
      return { token: r.status.token, jti: r.status.jti, exp: Date.parse(r.status.expirationTimestamp) };
    },
    async saToken(as: Cred | 'admin', cluster: string, ns = 'app', sa = 'bot'): Promise<{ token: string; exp: number }> {
      const r = ok(await req('POST', `/clusters/${cluster}/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, { as, body: {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 },
      } }), 'service account token').json();
      return { token: r.status.token, exp: Date.parse(r.status.expirationTimestamp) };
    },
    /** The status of a SelfSubjectReview in `cluster` (201: the credential authenticates; 401: refused). */
    async whoami(as: Cred, cluster: string): Promise<Res> {
      return req('POST', `/clusters/${cluster}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { as, body: {
        apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    },
    async kubeconfig(name: string, username: string, target: string): Promise<{ cred: Cred; serial: string }> {
      ok(await req('POST', `${G}/namespaces/default/kubeconfigs`, { as: 'admin', body: {
        apiVersion: 'management.portcullis.io/v1', kind: 'Kubeconfig', metadata: { name },
        spec: { username, secretRef: { name: `${name}-kc` }, target: { tenantCluster: target }, validity: '1h' },
      } }), `kubeconfig ${name}`);
      for (let i = 0; i < 200; i++) {
        await h.server.settle();
        const o = ok(await req('GET', `${G}/namespaces/default/kubeconfigs/${name}`, { as: 'admin' }), 'get kubeconfig').json();
        if (o.status?.phase === 'Ready') {
          const s = ok(await req('GET', `/api/v1/namespaces/default/secrets/${name}-kc`, { as: 'admin' }), 'kubeconfig secret').json();
          const doc = parse(Buffer.from(s.data.kubeconfig, 'base64').toString()) as { users: Array<{ user: Record<string, string> }> };
          const u = doc.users[0].user;
          const b = (v: string) => Buffer.from(v, 'base64').toString();
          return { cred: { cert: { cert: b(u['client-certificate-data']), key: b(u['client-key-data']) } }, serial: o.status.serial };
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`kubeconfig ${name} never became Ready`);
    },
    async deleteUser(name: string) { ok(await req('DELETE', `${G}/users/${name}`, { as: 'admin' }), `delete user ${name}`); },
    async disableUser(name: string, disabled = true) {
      ok(await req('PATCH', `${G}/users/${name}`, { as: 'admin', type: 'application/merge-patch+json', body: { spec: { disabled } } }), `disable user ${name}`);
    },
  };
  return api;
}
