import { it } from 'node:test';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { startHarness } from './support/harness.ts';
import { call, certFor } from './e2e/clusters-support.ts';
import { upstreamRbac } from '../src/cli/clusters.ts';
it('dbg', async () => {
  const [h, up] = await Promise.all([startHarness(), startHarness()]);
  await up.kubectl(['create', 'serviceaccount', 'portcullis-proxy', '-n', 'default']);
  await up.kubectl(['apply', '-f', '-'], { input: upstreamRbac({ kind: 'ServiceAccount', namespace: 'default', name: 'portcullis-proxy' }) });
  const tok = (await up.kubectl(['create', 'token', 'portcullis-proxy', '-n', 'default'])).stdout.trim();
  const ca = Buffer.from(up.server.pki.caCertPem).toString('base64');
  await h.kubectl(['apply','-f','-'], { input: `apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: alice}
spec: {}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: payments}
spec: {}
---
apiVersion: v1
kind: Namespace
metadata: {name: portcullis-connected-clusters}
---
apiVersion: v1
kind: Secret
metadata: {name: prod, namespace: portcullis-connected-clusters}
stringData: {token: "${tok}"}
---
apiVersion: management.portcullis.io/v1
kind: ConnectedCluster
metadata: {name: prod}
spec: {project: payments, server: "${up.server.url}", caData: "${ca}", access: {rules: [{users: [alice], clusterRole: edit}]}}
` });
  await h.server.settle();
  const a = await certFor(h, 'alice');
  for (const p of ['/clusters/prod/api', '/clusters/prod/openapi/v2', '/clusters/prod/api/v1/namespaces/default/configmaps']) {
    const r = await call(h, 'GET', p, a);
    console.log(p, r.status, r.body.slice(0, 300));
  }
  console.log((await h.kubectl(['get', 'connectedcluster', 'prod', '-o', 'yaml'])).stdout);
  await h.close(); await up.close();
});
