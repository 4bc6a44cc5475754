// Helpers of the security suites: identities as client certificates (a personal one, or the one inside a Kubeconfig
// object's Secret), with kubectl and raw HTTPS requests as that identity, and waiting for a Kubeconfig's status.
import https from 'node:https';
import type { CredHarness } from './credentials-harness.ts';
import type { KubectlResult } from '../support/harness.ts';

export interface CertIdentity {
  certPem: string;
  keyPem: string;
  kubectl(context: string, args: string[], o?: { input?: string }): Promise<KubectlResult>;
  request(method: string, p: string, body?: unknown): Promise<{ status: number; json(): any }>;
}

export function certIdentity(h: CredHarness, certPem: string, keyPem: string): CertIdentity {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const files = new Map<string, string>();
  const kubeconfig = (context: string) => {
    if (!files.has(context)) files.set(context, h.kubeconfigFor({ 'client-certificate-data': b64(certPem), 'client-key-data': b64(keyPem) }, context));
    return files.get(context)!;
  };
  return {
    certPem, keyPem,
    kubectl: (context, args, o = {}) => h.kubectl(args, { kubeconfig: kubeconfig(context), input: o.input, allowFail: true }),
    request: (method, p, body) => new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(`${h.server.url}${p}`, {
        method, ca: h.server.pki.caCertPem, cert: certPem, key: keyPem,
        headers: text ? { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } : {},
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const s = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(s) });
        });
      });
      req.on('error', reject);
      req.end(text);
    }),
  };
}

/** A personal certificate for `name` (CN=name, these groups), honoured in every cluster. */
export async function personalIdentity(h: CredHarness, name: string, groups: string[] = []): Promise<CertIdentity> {
  const c = await h.server.pki.issueClientCert({ commonName: name, organizations: groups, validitySeconds: 3600 });
  return certIdentity(h, c.certPem, c.keyPem);
}

/** The identity inside the ready kubeconfig a Kubeconfig object wrote into its Secret. */
export async function kubeconfigIdentity(h: CredHarness, ns: string, secret: string): Promise<CertIdentity> {
  const s = JSON.parse((await h.kubectl(['-n', ns, 'get', 'secret', secret, '-o', 'json'])).stdout);
  const text = Buffer.from(s.data.kubeconfig, 'base64').toString();
  const field = (k: string) => Buffer.from((text.match(new RegExp(`${k}: (\\S+)`)) ?? [])[1] ?? '', 'base64').toString();
  return certIdentity(h, field('client-certificate-data'), field('client-key-data'));
}

/** The Kubeconfig object ns/name as JSON (after the controllers settled). */
export async function kubeconfigObject(h: CredHarness, ns: string, name: string): Promise<any> {
  await h.server.settle();
  return JSON.parse((await h.kubectl(['-n', ns, 'get', 'kubeconfig', name, '-o', 'json'])).stdout);
}

/** A Kubeconfig manifest. */
export function kubeconfigYaml(ns: string, name: string, o: { username: string; target: string; roles?: string[]; groups?: string[]; secret?: string }): string {
  return JSON.stringify({
    apiVersion: 'management.portcullis.io/v1', kind: 'Kubeconfig', metadata: { name, namespace: ns },
    spec: {
      username: o.username, ...(o.groups ? { groups: o.groups } : {}), secretRef: { name: o.secret ?? `${name}-kubeconfig` },
      target: { tenantCluster: o.target }, validity: '24h',
      ...(o.roles ? { authorization: { clusterRoleBindings: { cluster: o.target, clusterRoles: o.roles } } } : {}),
    },
  });
}
