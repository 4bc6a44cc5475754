// `portcullis clusters`: connect a real Kubernetes cluster (a ConnectedCluster plus its credential Secret, and the
// RBAC Portcullis needs upstream), and print the webhook configuration for a kube-apiserver that keeps serving.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { parse as parseYaml, stringify } from 'yaml';
import { ApiError, clientFrom, resolveConnection, withConnectionOptions, type ApiClient, type ConnectionFlags } from './client.ts';

const NS = 'portcullis-connected-clusters';
const CC = '/apis/management.portcullis.io/v1/connectedclusters';

async function run(action: () => Promise<void>): Promise<void> {
  try { await action(); } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

/** Creates the object, or leaves it when it exists (409). */
async function ensure(c: ApiClient, p: string, obj: unknown): Promise<void> {
  try { await c.request('POST', p, obj); } catch (e) { if (!(e instanceof ApiError && e.status === 409)) throw e; }
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
  clusters?: Array<{ name: string; cluster: Record<string, string> }>;
  users?: Array<{ name: string; user: Record<string, string> }>;
}

/** The server, CA and credential of a kubeconfig's context (files are read relative to the kubeconfig). */
export function upstreamFromKubeconfig(file: string, contextName?: string): { server: string; caData?: string; data: Record<string, string> } {
  const kc = parseYaml(readFileSync(file, 'utf8')) as Kubeconfig;
  const name = contextName ?? kc['current-context'];
  const ctx = kc.contexts?.find((c) => c.name === name)?.context;
  if (!ctx) throw new Error(`${file}: no context "${name ?? ''}"`);
  const cluster = kc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  const user = kc.users?.find((u) => u.name === ctx.user)?.user ?? {};
  if (!cluster?.server) throw new Error(`${file}: context "${name}" names no cluster with a server`);
  const dir = path.dirname(file);
  const b64file = (p: string) => readFileSync(path.resolve(dir, p)).toString('base64');
  const caData = cluster['certificate-authority-data'] ?? (cluster['certificate-authority'] ? b64file(cluster['certificate-authority']) : undefined);
  const data: Record<string, string> = {};
  const token = user.token ?? (user.tokenFile ? readFileSync(path.resolve(dir, user.tokenFile), 'utf8').trim() : undefined);
  if (token) data.token = Buffer.from(token).toString('base64');
  const crt = user['client-certificate-data'] ?? (user['client-certificate'] ? b64file(user['client-certificate']) : undefined);
  const key = user['client-key-data'] ?? (user['client-key'] ? b64file(user['client-key']) : undefined);
  if (crt && key) { data['tls.crt'] = crt; data['tls.key'] = key; }
  if (!data.token && !data['tls.crt']) throw new Error(`${file}: the user of context "${name}" has neither a token nor a client certificate (exec plugins are not stored)`);
  return { server: cluster.server, caData, data };
}

/** The RBAC Portcullis' identity needs in the connected cluster: impersonation, reviews, and managing its bindings. */
export function upstreamRbac(subject: { kind: 'ServiceAccount'; namespace: string; name: string } | { kind: 'User'; name: string }): string {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'portcullis-proxy' },
    rules: [
      { apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'], verbs: ['impersonate'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['uids', 'userextras/original-user-info.portcullis.io'], verbs: ['impersonate'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      // Role mapping: Portcullis creates and removes the ClusterRoleBindings it owns (bind: any ClusterRole).
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterrolebindings'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'] },
    ],
  };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'portcullis-proxy' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'portcullis-proxy' },
    subjects: [subject.kind === 'User' ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: subject.name } : subject],
  };
  return `${stringify(role)}---\n${stringify(binding)}`;
}

export function clustersCommand(): Command {
  const cmd = new Command('clusters').description('Front real Kubernetes clusters (connected clusters)');

  cmd.addCommand(withConnectionOptions(new Command('connect'))
    .argument('<name>', 'the connected cluster, reachable at <server>/clusters/<name>')
    .requiredOption('--kubeconfig <file>', "a kubeconfig for the real cluster (its context's server, CA and token or certificate)")
    .requiredOption('--project <project>', 'the Project the cluster belongs to')
    .option('--context <context>', 'the kubeconfig context (default: its current context)')
    .option('--owner <user>', 'the owning user (has management access)')
    .option('--default-cluster-role <role>', 'ClusterRole upstream for users with management access matching no rule (default cluster-admin)')
    .description('Register a real cluster: Portcullis proxies to it with impersonation; prints the RBAC it needs there')
    .action((name: string, o: ConnectionFlags & { kubeconfig: string; project: string; context?: string; owner?: string; defaultClusterRole?: string }) => run(async () => {
      const up = upstreamFromKubeconfig(o.kubeconfig, o.context);
      const c = clientFrom(o);
      await ensure(c, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
      const cc = await c.request<{ metadata: { uid: string } }>('POST', CC, {
        apiVersion: 'management.portcullis.io/v1', kind: 'ConnectedCluster', metadata: { name },
        spec: {
          project: o.project, server: up.server, ...(up.caData ? { caData: up.caData } : {}), ...(o.owner ? { owner: { user: o.owner } } : {}),
          ...(o.defaultClusterRole ? { access: { defaultClusterRole: o.defaultClusterRole } } : {}),
        },
      });
      // The credential lives in a root Secret owned by the ConnectedCluster (deleted with it); never printed.
      const secret = {
        apiVersion: 'v1', kind: 'Secret', type: 'Opaque', data: up.data,
        metadata: { name, namespace: NS, ownerReferences: [{ apiVersion: 'management.portcullis.io/v1', kind: 'ConnectedCluster', name, uid: cc.metadata.uid }] },
      };
      try { await c.request('POST', `/api/v1/namespaces/${NS}/secrets`, secret); } catch (e) {
        if (!(e instanceof ApiError && e.status === 409)) throw e;
        await c.request('PUT', `/api/v1/namespaces/${NS}/secrets/${encodeURIComponent(name)}`, secret);
      }
      const server = resolveConnection(o).server;
      console.log(`connected cluster ${name} created: kubectl reaches it at ${server}/clusters/${name}`);
      console.log('# Portcullis needs this RBAC in the connected cluster for the identity in the kubeconfig (apply it there):');
      console.log(upstreamRbac({ kind: 'User', name: '<the kubeconfig user, or use a ServiceAccount subject>' }));
    })));

  cmd.addCommand(new Command('rbac')
    .option('--service-account <namespace/name>', 'the ServiceAccount whose token Portcullis uses upstream')
    .option('--user <name>', 'the user whose certificate Portcullis uses upstream')
    .description('Print the RBAC manifest Portcullis needs in a connected cluster')
    .action((o: { serviceAccount?: string; user?: string }) => run(async () => {
      if ((o.serviceAccount === undefined) === (o.user === undefined)) throw new Error('pass exactly one of --service-account or --user');
      if (o.user) { console.log(upstreamRbac({ kind: 'User', name: o.user })); return; }
      const [namespace, sa] = o.serviceAccount!.split('/');
      if (!namespace || !sa) throw new Error('--service-account is namespace/name');
      console.log(upstreamRbac({ kind: 'ServiceAccount', namespace, name: sa }));
    })));

  cmd.addCommand(withConnectionOptions(new Command('webhook-config'))
    .argument('<name>', 'the connected cluster')
    .option('--output-dir <dir>', 'write the files there (mode 0600) instead of printing them')
    .option('--token-ttl <seconds>', 'lifetime of the webhook credential', '31536000')
    .description('Print the TokenReview/SubjectAccessReview webhook configuration for the real kube-apiserver')
    .action((name: string, o: ConnectionFlags & { outputDir?: string; tokenTtl: string }) => run(async () => {
      const files = await webhookFiles(clientFrom(o), resolveConnection(o), name, Number(o.tokenTtl));
      if (o.outputDir) {
        mkdirSync(o.outputDir, { recursive: true, mode: 0o700 });
        for (const [f, text] of Object.entries(files)) writeFileSync(path.join(o.outputDir, f), text, { mode: 0o600 });
        console.log(`wrote ${Object.keys(files).join(', ')} to ${o.outputDir}`);
      } else {
        for (const [f, text] of Object.entries(files)) console.log(`# ---- ${f}\n${text}`);
      }
      const dir = o.outputDir ?? '/etc/kubernetes/portcullis';
      console.log(`# kube-apiserver flags:\n#   --authentication-token-webhook-config-file=${dir}/authn-webhook.kubeconfig`
        + `\n#   --authentication-token-webhook-version=v1\n#   --authentication-token-webhook-cache-ttl=30s`
        + `\n#   --authorization-config=${dir}/authorization-config.yaml`);
    })));
  return cmd;
}

/** Webhook identity (a root ServiceAccount allowed to POST to this cluster's two webhook paths) and the files. */
async function webhookFiles(c: ApiClient, conn: { server: string; ca?: string }, name: string, ttl: number): Promise<Record<string, string>> {
  await c.request('GET', `${CC}/${encodeURIComponent(name)}`); // 404 names the missing cluster
  const sa = `${name}-webhook`;
  const base = `/platform/v1/connectedclusters/${name}`;
  await ensure(c, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await ensure(c, `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: NS } });
  const roleName = `portcullis:connected-cluster:${name}:webhook`;
  await ensure(c, '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: roleName },
    rules: [
      { nonResourceURLs: [`${base}/tokenreview`, `${base}/subjectaccessreview`], verbs: ['post'] },
      { apiGroups: ['management.portcullis.io'], resources: ['connectedclusters/tokenreview', 'connectedclusters/subjectaccessreview'], resourceNames: [name], verbs: ['create'] },
    ],
  });
  await ensure(c, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: roleName },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ kind: 'ServiceAccount', namespace: NS, name: sa }],
  });
  const tr = await c.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${NS}/serviceaccounts/${sa}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: ttl },
  });
  const kubeconfig = (what: string) => stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'portcullis',
    clusters: [{ name: 'portcullis', cluster: { server: `${conn.server}${base}/${what}`, ...(conn.ca ? { 'certificate-authority-data': Buffer.from(conn.ca).toString('base64') } : {}) } }],
    users: [{ name: 'kube-apiserver', user: { token: tr.status.token } }],
    contexts: [{ name: 'portcullis', context: { cluster: 'portcullis', user: 'kube-apiserver' } }],
  });
  const authz = stringify({
    apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AuthorizationConfiguration',
    authorizers: [
      { type: 'Node', name: 'node' },
      {
        type: 'Webhook', name: 'portcullis',
        webhook: {
          timeout: '3s', subjectAccessReviewVersion: 'v1', matchConditionSubjectAccessReviewVersion: 'v1',
          authorizedTTL: '30s', unauthorizedTTL: '10s', failurePolicy: 'Deny',
          connectionInfo: { type: 'KubeConfigFile', kubeConfigFile: '/etc/kubernetes/portcullis/authz-webhook.kubeconfig' },
          // Only identities Portcullis authenticated (its TokenReview names the cluster in an extra) are sent.
          matchConditions: [{ expression: `'clusters.portcullis.io/cluster' in request.extra` }],
        },
      },
      { type: 'RBAC', name: 'rbac' },
    ],
  });
  return { 'authn-webhook.kubeconfig': kubeconfig('tokenreview'), 'authz-webhook.kubeconfig': kubeconfig('subjectaccessreview'), 'authorization-config.yaml': authz };
}
