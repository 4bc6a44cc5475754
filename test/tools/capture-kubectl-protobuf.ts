// Records the protobuf request bodies the real kubectl sends, into src/apiserver/codec/fixtures/<name>.pb.
// Runs a throw-away HTTPS server (discovery, 404 GETs, 201 echo for POSTs) and a fixed list of kubectl commands.
// Usage: node --import tsx test/tools/capture-kubectl-protobuf.ts [--out <dir>]
// (`create secret tls` is left out on purpose: its body would put a private key in the repository.)
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf('--out');
const outDir = resolve(outArg > 0 ? process.argv[outArg + 1] : join(here, '../../src/apiserver/codec/fixtures'));

type Res = [resource: string, kind: string, scope: 'Namespaced' | 'Cluster', verbs: string[], subs?: Array<[string, string, string, string]>];
const CRUD = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const GROUPS: Array<[group: string, resources: Res[]]> = [
  ['', [
    ['namespaces', 'Namespace', 'Cluster', CRUD], ['nodes', 'Node', 'Cluster', CRUD],
    ['serviceaccounts', 'ServiceAccount', 'Namespaced', CRUD, [['token', 'authentication.k8s.io', 'v1', 'TokenRequest']]],
    ['configmaps', 'ConfigMap', 'Namespaced', CRUD], ['secrets', 'Secret', 'Namespaced', CRUD],
    ['services', 'Service', 'Namespaced', CRUD], ['resourcequotas', 'ResourceQuota', 'Namespaced', CRUD],
    ['pods', 'Pod', 'Namespaced', CRUD, [['log', '', 'v1', 'Pod'], ['exec', '', 'v1', 'PodExecOptions']]],
  ]],
  ['apps', [['deployments', 'Deployment', 'Namespaced', CRUD, [['scale', 'autoscaling', 'v1', 'Scale']]]]],
  ['batch', [['jobs', 'Job', 'Namespaced', CRUD], ['cronjobs', 'CronJob', 'Namespaced', CRUD]]],
  ['networking.k8s.io', [['ingresses', 'Ingress', 'Namespaced', CRUD]]],
  ['policy', [['poddisruptionbudgets', 'PodDisruptionBudget', 'Namespaced', CRUD]]],
  ['scheduling.k8s.io', [['priorityclasses', 'PriorityClass', 'Cluster', CRUD]]],
  ['rbac.authorization.k8s.io', [
    ['roles', 'Role', 'Namespaced', CRUD], ['rolebindings', 'RoleBinding', 'Namespaced', CRUD],
    ['clusterroles', 'ClusterRole', 'Cluster', CRUD], ['clusterrolebindings', 'ClusterRoleBinding', 'Cluster', CRUD],
  ]],
  ['authorization.k8s.io', [
    ['selfsubjectaccessreviews', 'SelfSubjectAccessReview', 'Cluster', ['create']],
    ['selfsubjectrulesreviews', 'SelfSubjectRulesReview', 'Cluster', ['create']],
    ['subjectaccessreviews', 'SubjectAccessReview', 'Cluster', ['create']],
    ['localsubjectaccessreviews', 'LocalSubjectAccessReview', 'Namespaced', ['create']],
  ]],
  ['authentication.k8s.io', [
    ['selfsubjectreviews', 'SelfSubjectReview', 'Cluster', ['create']],
    ['tokenreviews', 'TokenReview', 'Cluster', ['create']],
  ]],
];

function aggregated(core: boolean): unknown {
  const items = GROUPS.filter(([g]) => (g === '') === core).map(([group, resources]) => ({
    metadata: { name: group },
    versions: [{
      version: 'v1', freshness: 'Current',
      resources: resources.map(([resource, kind, scope, verbs, subs]) => ({
        resource, responseKind: { group, version: 'v1', kind }, scope, singularResource: kind.toLowerCase(), verbs,
        ...(subs ? { subresources: subs.map(([subresource, g, v, k]) => ({ subresource, responseKind: { group: g, version: v, kind: k }, verbs: ['create', 'get'] })) } : {}),
      })),
    }],
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

function resourceList(group: string): unknown {
  const entry = GROUPS.find(([g]) => g === group);
  if (!entry) return undefined;
  const resources = entry[1].flatMap(([name, kind, scope, verbs, subs]) => [
    { name, singularName: kind.toLowerCase(), namespaced: scope === 'Namespaced', kind, verbs },
    ...(subs ?? []).map(([sub, g, v, k]) => ({ name: `${name}/${sub}`, singularName: '', namespaced: scope === 'Namespaced', group: g, version: v, kind: k, verbs: ['create', 'get'] })),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/v1` : 'v1', resources };
}

function reply(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** What the server answers to a POST: the kind from the URL with a plausible status. */
function echo(path: string): unknown {
  const seg = path.split('?')[0].split('/').filter(Boolean);
  const last = seg[seg.length - 1];
  const ns = seg[seg.indexOf('namespaces') + 1];
  if (last === 'token') return { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: {}, spec: { audiences: [] }, status: { token: 'captured', expirationTimestamp: '2030-01-01T00:00:00Z' } };
  if (last === 'selfsubjectaccessreviews') return { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec: {}, status: { allowed: true } };
  if (last === 'selfsubjectrulesreviews') return { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec: {}, status: { resourceRules: [], nonResourceRules: [], incomplete: false } };
  if (last === 'selfsubjectreviews') return { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: {}, status: { userInfo: { username: 'capture', groups: ['system:authenticated'] } } };
  for (const [group, resources] of GROUPS) {
    const r = resources.find(([name]) => name === last);
    if (r) return { kind: r[1], apiVersion: group ? `${group}/v1` : 'v1', metadata: { name: 'captured', ...(ns && r[2] === 'Namespaced' ? { namespace: ns } : {}) } };
  }
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

interface Capture { method: string; path: string; contentType: string; body: Buffer }

function startServer(key: string, cert: string, captures: Capture[]): Promise<Server> {
  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/version') return reply(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.4' });
    if (req.method === 'GET' && (path === '/api' || path === '/apis')) {
      return reply(res, 200, aggregated(path === '/api'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    }
    const gv = /^\/(?:api\/v1|apis\/([^/]+)\/v1)$/.exec(path);
    const list = gv && req.method === 'GET' ? resourceList(gv[1] ?? '') : undefined;
    if (list) return reply(res, 200, list);
    if (req.method === 'POST') {
      captures.push({ method: 'POST', path: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), body });
      return reply(res, 201, echo(req.url ?? ''));
    }
    reply(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'not found', reason: 'NotFound', code: 404 });
  };
  const server = createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** name -> kubectl arguments; each command must POST exactly one body. */
function commands(dir: string): Array<[string, string[]]> {
  return [
    ['role', ['create', 'role', 'pod-reader', '-n', 'team-a', '--verb=get,list,watch', '--resource=pods,deployments.apps,pods/log']],
    ['role-resource-names', ['create', 'role', 'cm-editor', '-n', 'team-a', '--verb=get,update', '--resource=configmaps', '--resource-name=app-config', '--resource-name=feature-flags']],
    ['clusterrole', ['create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes', '--non-resource-url=/healthz', '--non-resource-url=/metrics/*']],
    ['clusterrole-aggregation', ['create', 'clusterrole', 'monitoring', '--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true']],
    ['rolebinding', ['create', 'rolebinding', 'readers', '-n', 'team-a', '--role=pod-reader', '--user=alice', '--group=devs', '--serviceaccount=team-a:builder']],
    ['clusterrolebinding', ['create', 'clusterrolebinding', 'viewers', '--clusterrole=view', '--user=bob', '--group=ops']],
    ['namespace', ['create', 'namespace', 'team-a']],
    ['serviceaccount', ['create', 'serviceaccount', 'builder', '-n', 'team-a']],
    ['configmap', ['create', 'configmap', 'app-config', '-n', 'team-a', '--from-literal=mode=fast', '--from-literal=empty=', `--from-file=blob.bin=${join(dir, 'blob.bin')}`]],
    ['secret-generic', ['create', 'secret', 'generic', 'db-creds', '-n', 'team-a', '--from-literal=username=admin', '--from-literal=password=s3cr3t!']],
    ['secret-docker-registry', ['create', 'secret', 'docker-registry', 'regcred', '-n', 'team-a', '--docker-server=registry.example.com', '--docker-username=robot', '--docker-password=hunter2', '--docker-email=robot@example.com']],
    ['deployment', ['create', 'deployment', 'web', '-n', 'team-a', '--image=nginx:1.27', '--replicas=3', '--port=8080']],
    ['deployment-zero-replicas', ['create', 'deployment', 'idle', '-n', 'team-a', '--image=nginx:1.27', '--replicas=0']],
    ['deployment-multi', ['create', 'deployment', 'cache', '-n', 'team-a', '--image=redis:7', '--image=nginx:1.27']],
    ['deployment-command', ['create', 'deployment', 'sleeper', '-n', 'team-a', '--image=busybox:1.36', '--', 'sleep', '3600']],
    ['service-clusterip', ['create', 'service', 'clusterip', 'web', '-n', 'team-a', '--tcp=80:8080', '--tcp=443:https']],
    ['service-nodeport', ['create', 'service', 'nodeport', 'web-np', '-n', 'team-a', '--tcp=80:8080', '--node-port=30080']],
    ['service-externalname', ['create', 'service', 'externalname', 'ext', '-n', 'team-a', '--external-name=db.example.com']],
    ['job', ['create', 'job', 'once', '-n', 'team-a', '--image=busybox:1.36', '--', 'echo', 'hi']],
    ['cronjob', ['create', 'cronjob', 'tick', '-n', 'team-a', '--image=busybox:1.36', '--schedule=*/5 * * * *', '--', 'date']],
    ['ingress', ['create', 'ingress', 'web', '-n', 'team-a', '--class=nginx', '--rule=foo.com/bar=svc1:8080,tls=my-cert', '--rule=*.example.com/*=svc2:http', '--default-backend=defsvc:80']],
    ['pdb', ['create', 'poddisruptionbudget', 'web-pdb', '-n', 'team-a', '--selector=app=web', '--min-available=50%']],
    ['pdb-max-unavailable', ['create', 'poddisruptionbudget', 'db-pdb', '-n', 'team-a', '--selector=app=db', '--max-unavailable=1']],
    ['priorityclass', ['create', 'priorityclass', 'high', '--value=1000', '--description=important', '--global-default=false', '--preemption-policy=Never']],
    ['priorityclass-zero', ['create', 'priorityclass', 'zero', '--value=0']],
    ['quota', ['create', 'quota', 'compute', '-n', 'team-a', '--hard=pods=10,requests.cpu=2,requests.memory=1Gi', '--scopes=NotTerminating']],
    ['token', ['create', 'token', 'builder', '-n', 'team-a', '--audience=https://api.example.com', '--audience=vault', '--duration=10m']],
    ['can-i', ['auth', 'can-i', 'get', 'pods', '-n', 'team-a']],
    ['can-i-group-subresource', ['auth', 'can-i', 'update', 'deployments.apps/web', '--subresource=scale', '-n', 'team-a']],
    ['can-i-name', ['auth', 'can-i', 'delete', 'pods/shell', '-n', 'team-a']],
    ['can-i-log', ['auth', 'can-i', 'get', 'pods', '--subresource=log', '-n', 'team-a']],
    ['can-i-nonresource', ['auth', 'can-i', 'get', '/healthz']],
    ['can-i-list', ['auth', 'can-i', '--list', '-n', 'team-a']],
    ['whoami', ['auth', 'whoami']],
  ];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'capture-kubectl-'));
  try {
    const openssl = (args: string[]): void => { execFileSync('openssl', args, { stdio: 'ignore' }); };
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt')]);
    writeFileSync(join(dir, 'blob.bin'), Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x01]));
    const captures: Capture[] = [];
    const server = await startServer(readFileSync(join(dir, 'server.key'), 'utf8'), readFileSync(join(dir, 'server.crt'), 'utf8'), captures);
    const port = (server.address() as { port: number }).port;
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: capture',
      'clusters:', '- name: capture', '  cluster:', `    server: https://127.0.0.1:${port}`, '    insecure-skip-tls-verify: true',
      'users:', '- name: capture', '  user:', '    token: capture-token',
      'contexts:', '- name: capture', '  context:', '    cluster: capture', '    user: capture', '',
    ].join('\n'));
    const env = { ...process.env, HOME: dir, KUBECONFIG: kubeconfig };
    mkdirSync(outDir, { recursive: true });
    const manifest: Record<string, { args: string[]; path: string; contentType: string }> = {};
    for (const [name, args] of commands(dir)) {
      const before = captures.length;
      const r = await run('kubectl', [`--cache-dir=${join(dir, 'cache')}`, ...args], { env }).catch((e: { stdout?: string; stderr?: string }) => e);
      const got = captures.slice(before);
      if (got.length !== 1) { console.error(`${name}: expected 1 POST, got ${got.length}: ${r.stderr ?? ''}`); continue; }
      const c = got[0];
      if (!c.contentType.startsWith('application/vnd.kubernetes.protobuf')) { console.error(`${name}: sent ${c.contentType}, not protobuf`); continue; }
      const file = `${name}.pb`;
      writeFileSync(join(outDir, file), c.body);
      manifest[name] = { args: args.map((a) => a.replace(dir, '<tmp>')), path: c.path, contentType: c.contentType };
      console.log(`${name}: ${c.path} ${c.contentType} ${c.body.length} bytes -> ${file}`);
    }
    const doc = { tool: 'test/tools/capture-kubectl-protobuf.ts', serverVersion: 'v1.32.4', fixtures: manifest };
    writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(doc, null, 2) + '\n');
    server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
