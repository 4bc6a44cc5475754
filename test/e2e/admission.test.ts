// End-to-end admission through kubectl: a ValidatingAdmissionPolicy that denies Deployments without a label
// (Deny and Warn bindings, per logical cluster), and webhooks served by a test HTTPS server: one that mutates,
// one that denies, failurePolicy Fail/Ignore when the webhook is down, dry-run, and the address policy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from '../support/harness.ts';
import { createCa, issueLeafCert, loadSigningCa } from '../../src/pki/certs.ts';

const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: require-team }
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [deployments]
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: deployments must have a team label
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: require-team }
spec:
  policyName: require-team
  validationActions: [Deny]
`;

const deployment = (name: string, labels = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
${labels ? `  labels: {${labels}}\n` : ''}spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: c, image: nginx }] }
`;

async function eventually<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Seen { path: string; review: any; headers: Record<string, unknown> }

describe('admission: ValidatingAdmissionPolicy and webhooks', () => {
  let h: Harness;
  let hook: https.Server;
  let hookUrl: string;
  let caBundle: string;
  const seen: Seen[] = [];

  before(async () => {
    h = await startHarness();
    await h.kubectl(['apply', '-f', '-'], { input: 'apiVersion: tenancy.portcullis.io/v1alpha1\nkind: LogicalCluster\nmetadata:\n  name: tenant-b\n' });
    const now = Date.now();
    const caPair = await createCa({ commonName: 'webhook-test-ca', notBefore: new Date(now - 60_000), notAfter: new Date(now + 3600_000) });
    const leaf = await issueLeafCert(await loadSigningCa(caPair), { commonName: '127.0.0.1', usage: 'server', ips: ['127.0.0.1'], notBefore: new Date(now - 60_000), notAfter: new Date(now + 3600_000) });
    caBundle = Buffer.from(caPair.certPem).toString('base64');
    hook = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString());
        seen.push({ path: req.url ?? '', review, headers: req.headers });
        const r = review.request;
        const response: Record<string, unknown> = { uid: r.uid, allowed: true };
        if (req.url === '/mutate') {
          const patch = [{ op: 'add', path: '/metadata/labels', value: { ...(r.object.metadata.labels ?? {}), mutated: 'yes' } }];
          Object.assign(response, { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64'), warnings: ['mutated by test webhook'] });
        }
        if (req.url === '/deny' && String(r.name ?? '').startsWith('bad-')) {
          Object.assign(response, { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'names starting with bad- are not allowed' } });
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    hookUrl = `https://127.0.0.1:${(hook.address() as AddressInfo).port}`;
  });
  after(async () => {
    hook?.closeAllConnections();
    await new Promise((r) => hook?.close(r));
    await h?.close();
  });

  it('denies a Deployment without a team label (policy + Deny binding), allows one with it', async () => {
    await h.kubectl(['apply', '-f', '-'], { input: POLICY });
    const r = await eventually(() => h.kubectl(['apply', '-f', '-'], { input: deployment('web'), allowFail: true }), (x) => x.code !== 0);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ValidatingAdmissionPolicy 'require-team' with binding 'require-team' denied request: deployments must have a team label/);
    const none = await h.kubectl(['get', 'deploy', 'web', '-n', 'default'], { allowFail: true });
    assert.match(none.stderr, /NotFound/);
    await h.kubectl(['apply', '-f', '-'], { input: deployment('web', 'team: a') });
    const dry = await h.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: deployment('web2'), allowFail: true });
    assert.match(dry.stderr, /deployments must have a team label/);
  });

  it('applies only in the logical cluster that defines it; Warn bindings warn', async () => {
    await h.kubectl(['--context', 'tenant-b', 'apply', '-f', '-'], { input: deployment('free') });
    await h.kubectl(['--context', 'tenant-b', 'apply', '-f', '-'], { input: POLICY.replace('validationActions: [Deny]', 'validationActions: [Warn]') });
    const r = await eventually(() => h.kubectl(['--context', 'tenant-b', 'apply', '-f', '-'], { input: deployment('warned') }), (x) => /Warning/.test(x.stderr));
    assert.equal(r.code, 0);
    assert.match(r.stderr, /Warning: Validation failed for ValidatingAdmissionPolicy 'require-team' with binding 'require-team': deployments must have a team label/);
  });

  it('takes limits from params (paramKind ConfigMap, paramRef by name) and records Audit failures', async () => {
    const policy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: max-replicas }
spec:
  paramKind: { apiVersion: v1, kind: ConfigMap }
  matchConstraints:
    resourceRules: [{ apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments] }]
  matchConditions:
  - name: only-labelled
    expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
  validations:
  - expression: "object.spec.replicas <= int(params.data.maxReplicas)"
    messageExpression: "'replicas must be at most ' + params.data.maxReplicas"
    reason: Forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: max-replicas }
spec:
  policyName: max-replicas
  validationActions: [Deny, Audit]
  paramRef: { name: limits, namespace: default, parameterNotFoundAction: Deny }
`;
    await h.kubectl(['apply', '-f', '-'], { input: policy });
    const many = deployment('many', 'team: a').replace('spec:\n  selector', 'spec:\n  replicas: 5\n  selector');
    const missing = await eventually(() => h.kubectl(['apply', '-f', '-'], { input: many, allowFail: true }), (x) => /no params found/.test(x.stderr));
    assert.match(missing.stderr, /failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction/);
    await h.kubectl(['create', 'configmap', 'limits', '-n', 'default', '--from-literal=maxReplicas=3']);
    const denied = await h.kubectl(['apply', '-f', '-'], { input: many, allowFail: true });
    assert.match(denied.stderr, /Error from server \(Forbidden\).*ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas' denied request: replicas must be at most 3/);
    await h.kubectl(['apply', '-f', '-'], { input: many.replace('replicas: 5', 'replicas: 2') });
    const log = await eventually(async () => readFileSync(path.join(h.dir, 'data', 'audit.log'), 'utf8'), (t) => t.includes('validation_failure'));
    assert.match(log, /"validation.policy.admission.k8s.io\/validation_failure":"\[\{\\"message\\":\\"replicas must be at most 3\\",\\"policy\\":\\"max-replicas\\"/);
    await h.kubectl(['delete', 'validatingadmissionpolicybinding', 'max-replicas']);
  });

  it('refuses policies whose expressions do not compile', async () => {
    const r = await h.kubectl(['apply', '-f', '-'], { input: POLICY.split('---')[0].replace('require-team }', 'broken }').replace("has(object.metadata.labels) && 'team' in object.metadata.labels", 'object.spec.replicas >'), allowFail: true });
    assert.match(r.stderr, /spec.validations\[0\].expression: Invalid value: .*compilation failed/);
  });

  it('calls a mutating and a validating webhook over HTTPS with the caBundle', async () => {
    const config = (kind: string, name: string, path: string, extra = '') => `apiVersion: admissionregistration.k8s.io/v1
kind: ${kind}
metadata: { name: ${name} }
webhooks:
- name: ${name}.example.com
  clientConfig: { url: "${hookUrl}${path}", caBundle: ${caBundle} }
  rules: [{ apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [configmaps] }]
  admissionReviewVersions: [v1]
  sideEffects: None
  timeoutSeconds: 5
${extra}`;
    await h.kubectl(['apply', '-f', '-'], { input: config('MutatingWebhookConfiguration', 'mutate', '/mutate') });
    await h.kubectl(['apply', '-f', '-'], { input: config('ValidatingWebhookConfiguration', 'deny', '/deny') });
    const created = await eventually(() => h.kubectl(['create', 'configmap', `m-${Date.now()}`, '-n', 'default', '-o', 'json']),
      (x) => JSON.parse(x.stdout).metadata.labels?.mutated === 'yes');
    assert.equal(JSON.parse(created.stdout).metadata.labels.mutated, 'yes');
    assert.match(created.stderr, /Warning: mutated by test webhook/);
    const denied = await eventually(() => h.kubectl(['create', 'configmap', 'bad-one', '-n', 'default'], { allowFail: true }), (x) => x.code !== 0);
    assert.match(denied.stderr, /admission webhook "deny.example.com" denied the request: names starting with bad- are not allowed/);
    const review = seen.find((s) => s.path === '/deny')!;
    assert.equal(review.review.apiVersion, 'admission.k8s.io/v1');
    assert.equal(review.review.request.operation, 'CREATE');
    assert.equal(review.review.request.userInfo.username, 'admin');
    assert.equal(review.headers.authorization, undefined, 'no credentials are sent to webhooks');
    seen.length = 0;
    await h.kubectl(['--context', 'tenant-b', 'create', 'configmap', 'bad-in-b', '-n', 'default']);
    assert.equal(seen.length, 0, "another logical cluster's writes never reach this cluster's webhooks");
    await h.kubectl(['create', 'configmap', 'dry', '-n', 'default', '--dry-run=server']);
    assert.equal(seen.find((s) => s.path === '/deny')?.review.request.dryRun, true);
    assert.match((await h.kubectl(['get', 'cm', 'dry', '-n', 'default'], { allowFail: true })).stderr, /NotFound/);
    await h.kubectl(['delete', 'mutatingwebhookconfiguration', 'mutate']);
    await h.kubectl(['delete', 'validatingwebhookconfiguration', 'deny']);
  });

  it('honours failurePolicy when the webhook is down, and refuses calls to forbidden addresses', async () => {
    const down = 'https://127.0.0.1:1/down';
    const config = (name: string, url: string, policy: string, resource: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: ${name} }
webhooks:
- name: ${name}.example.com
  clientConfig: { url: "${url}" }
  rules: [{ apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [${resource}] }]
  failurePolicy: ${policy}
  admissionReviewVersions: [v1]
  sideEffects: None
  timeoutSeconds: 2
`;
    await h.kubectl(['apply', '-f', '-'], { input: config('down-fail', down, 'Fail', 'secrets') });
    await h.kubectl(['apply', '-f', '-'], { input: config('down-ignore', down, 'Ignore', 'serviceaccounts') });
    const fail = await eventually(() => h.kubectl(['create', 'secret', 'generic', `s-${Date.now()}`, '-n', 'default'], { allowFail: true }), (x) => x.code !== 0);
    assert.match(fail.stderr, /Internal error occurred: failed calling webhook "down-fail.example.com": failed to call webhook: Post "https:\/\/127.0.0.1:1\/down"/);
    await h.kubectl(['create', 'serviceaccount', 'ignored', '-n', 'default']);

    const metadata = await h.kubectl(['apply', '-f', '-'], { input: config('metadata', 'https://169.254.169.254/latest', 'Fail', 'pods'), allowFail: true });
    assert.match(metadata.stderr, /link-local addresses \(169.254.0.0\/16\) are not allowed/);
    const plain = await h.kubectl(['apply', '-f', '-'], { input: config('plain', 'http://example.com/x', 'Fail', 'pods'), allowFail: true });
    assert.match(plain.stderr, /'https' is the only allowed URL scheme/);
    const selfUrl = `https://127.0.0.1:${h.server.port}/clusters/tenant-b/api/v1/namespaces`;
    await h.kubectl(['apply', '-f', '-'], { input: config('self', selfUrl, 'Fail', 'configmaps') });
    const self = await eventually(() => h.kubectl(['create', 'configmap', `c-${Date.now()}`, '-n', 'default'], { allowFail: true }), (x) => x.code !== 0);
    assert.match(self.stderr, /the Portcullis API server itself may not be called as a webhook/);
    await h.kubectl(['delete', 'validatingwebhookconfiguration', 'self', 'down-fail', 'down-ignore']);
  });
});
