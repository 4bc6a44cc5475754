// End-to-end: the audit log written while the real kubectl works — stages, policy levels, authorization
// decision and reason, the logical cluster annotation, Secret redaction, watches, per-cluster on/off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness.ts';
import type { AuditEvent } from '../../src/audit/event.ts';

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  nonResourceURLs: ["/api*", "/openapi*", "/version"]
- level: RequestResponse
  resources: [{group: "", resources: ["secrets"]}]
- level: Request
  resources: [{group: "", resources: ["configmaps"]}]
  namespaces: ["audited"]
- level: None
  clusters: ["quiet"]
- level: Metadata
`;
const SECRET_VALUE = 'TopSecretValue42';
const APPLIED_VALUE = 'AppliedSecret99';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const lc = (name: string, annotations = '') => `apiVersion: tenancy.portcullis.io/v1alpha1
kind: LogicalCluster
metadata:
  name: ${name}
${annotations ? `  annotations: { ${annotations} }\n` : ''}`;

describe('audit log with kubectl', () => {
  let h: Harness;
  let logFile = '';
  let policyDir = '';
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const events = () => readLog().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
  /** Polls the asynchronously written log until the predicate finds something. */
  async function waitFor(pred: (e: AuditEvent) => boolean, what: string): Promise<AuditEvent[]> {
    for (let i = 0; i < 200; i++) {
      const found = events().filter(pred);
      if (found.length > 0) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no audit event: ${what}`);
  }
  const about = (resource: string, verb: string, stage = 'ResponseComplete') =>
    (e: AuditEvent) => e.objectRef?.resource === resource && e.verb === verb && e.stage === stage;

  before(async () => {
    policyDir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-audit-policy-'));
    const policyFile = path.join(policyDir, 'policy.yaml');
    writeFileSync(policyFile, POLICY);
    h = await startHarness({ config: { auditPolicyFile: policyFile } });
    logFile = path.join(h.dir, 'data', 'audit.log');
    await h.server.settle();
    await h.kubectl(['create', 'namespace', 'audited']);
  });
  after(async () => {
    await h?.close();
    rmSync(policyDir, { recursive: true, force: true });
  });

  it('records requests that fail authentication (401) without the presented token', async () => {
    const r = await h.request('GET', '/clusters/root/api/v1/namespaces/audited/configmaps', { anonymous: true, headers: { authorization: 'Bearer bogus-token-value-123' } });
    assert.equal(r.status, 401);
    const [ev] = await waitFor((e) => e.responseStatus?.code === 401 && e.objectRef?.resource === 'configmaps', 'a 401 event');
    assert.equal(ev.stage, 'ResponseComplete');
    assert.equal(ev.user.username, 'system:anonymous');
    assert.doesNotMatch(readLog(), /bogus-token-value-123/);
  });

  it('records RequestResponse for secrets with data redacted everywhere', async () => {
    await h.kubectl(['-n', 'audited', 'create', 'secret', 'generic', 's1', `--from-literal=password=${SECRET_VALUE}`, '--from-literal=other=x']);
    const got = JSON.parse((await h.kubectl(['-n', 'audited', 'get', 'secret', 's1', '-o', 'json'])).stdout);
    assert.equal(got.data.password, b64(SECRET_VALUE), 'the client still gets the real data');
    await h.kubectl(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: Secret\nmetadata: { name: s2, namespace: audited }\nstringData: { token: ${APPLIED_VALUE} }\n` });

    const [created] = await waitFor(about('secrets', 'create'), 'secret create');
    assert.equal(created.level, 'RequestResponse');
    assert.equal(created.objectRef?.namespace, 'audited');
    assert.equal(created.objectRef?.name, 's1');
    assert.equal(created.responseStatus?.code, 201);
    const reqObj = created.requestObject as { kind: string; data: Record<string, string> };
    assert.equal(reqObj.kind, 'Secret');
    assert.deepEqual(reqObj.data, { other: '<redacted>', password: '<redacted>' });
    assert.deepEqual((created.responseObject as { data: unknown }).data, { other: '<redacted>', password: '<redacted>' });
    const [read] = await waitFor((e) => about('secrets', 'get')(e) && e.objectRef?.name === 's1', 'secret get');
    assert.deepEqual((read.responseObject as { data: unknown }).data, { other: '<redacted>', password: '<redacted>' });
    await waitFor((e) => e.objectRef?.resource === 'secrets' && e.objectRef.name === 's2' && e.stage === 'ResponseComplete' && e.verb !== 'get', 'secret apply');

    const log = readLog();
    for (const secret of [SECRET_VALUE, b64(SECRET_VALUE), APPLIED_VALUE, b64(APPLIED_VALUE)]) {
      assert.ok(!log.includes(secret), `the audit log must not contain ${secret}`);
    }
  });

  it('records stages, users, the authorization decision and the cluster at the policy level', async () => {
    await h.kubectl(['-n', 'audited', 'create', 'configmap', 'c1', '--from-literal=k=v1']);
    await h.kubectl(['-n', 'default', 'create', 'configmap', 'c2', '--from-literal=k=v2']);
    const inAudited = await waitFor((e) => about('configmaps', 'create')(e) && e.objectRef?.namespace === 'audited', 'configmap create');
    const [c1] = inAudited;
    assert.equal(c1.level, 'Request');
    assert.deepEqual((c1.requestObject as { data: unknown }).data, { k: 'v1' });
    assert.equal(c1.responseObject, undefined);
    const stages = events().filter((e) => e.auditID === c1.auditID).map((e) => e.stage);
    assert.deepEqual(stages, ['RequestReceived', 'ResponseComplete']);
    assert.equal(c1.user.username, 'admin');
    assert.ok(c1.user.groups?.includes('system:masters'));
    assert.match(c1.userAgent ?? '', /^kubectl\//);
    assert.ok(c1.sourceIPs.includes('127.0.0.1'));
    assert.equal(c1.annotations?.['authorization.k8s.io/decision'], 'allow');
    assert.match(c1.annotations?.['authorization.k8s.io/reason'] ?? '', /system:masters/);
    assert.equal(c1.annotations?.['portcullis.io/cluster'], 'root');
    assert.match(c1.requestReceivedTimestamp, /\.\d{6}Z$/);

    const [c2] = await waitFor((e) => about('configmaps', 'create')(e) && e.objectRef?.namespace === 'default', 'configmap create in default');
    assert.equal(c2.level, 'Metadata');
    assert.equal(c2.requestObject, undefined);
    assert.ok(!events().some((e) => e.requestURI === '/api' || e.requestURI.startsWith('/openapi')), 'discovery is at level None');
  });

  it('records a forbidden request by a ServiceAccount token, and the RBAC reason of an allowed one', async () => {
    await h.kubectl(['-n', 'audited', 'create', 'serviceaccount', 'viewer']);
    await h.kubectl(['-n', 'audited', 'create', 'role', 'cm-reader', '--verb=get,list', '--resource=configmaps']);
    await h.kubectl(['-n', 'audited', 'create', 'rolebinding', 'cm-reader', '--role=cm-reader', '--serviceaccount=audited:viewer']);
    const token = (await h.kubectl(['-n', 'audited', 'create', 'token', 'viewer'])).stdout.trim();
    const kc = h.kubeconfigFor({ token });
    const denied = await h.kubectl(['-n', 'audited', 'get', 'secrets'], { kubeconfig: kc, allowFail: true });
    assert.match(denied.stderr, /forbidden/);
    await h.kubectl(['-n', 'audited', 'get', 'configmaps'], { kubeconfig: kc });

    const sa = 'system:serviceaccount:audited:viewer';
    const [forbidden] = await waitFor((e) => about('secrets', 'list')(e) && e.user.username === sa, 'forbidden list');
    assert.equal(forbidden.responseStatus?.code, 403);
    assert.equal(forbidden.responseStatus?.reason, 'Forbidden');
    assert.match(forbidden.responseStatus?.message ?? '', /cannot list resource "secrets"/);
    assert.equal(forbidden.annotations?.['authorization.k8s.io/decision'], 'forbid');
    assert.equal(typeof forbidden.annotations?.['authorization.k8s.io/reason'], 'string');
    const [allowed] = await waitFor((e) => about('configmaps', 'list')(e) && e.user.username === sa, 'allowed list');
    assert.equal(allowed.annotations?.['authorization.k8s.io/decision'], 'allow');
    assert.match(allowed.annotations?.['authorization.k8s.io/reason'] ?? '', /RBAC: allowed by RoleBinding "cm-reader\/audited"/);
    await h.kubectl(['-n', 'audited', 'get', 'configmaps', '--as=imposter'], { allowFail: true });
    const [imp] = await waitFor((e) => about('configmaps', 'list')(e) && e.impersonatedUser?.username === 'imposter', 'impersonated list');
    assert.equal(imp.user.username, 'admin');
    assert.equal(imp.responseStatus?.code, 403);
    // The token itself never reaches the log (TokenRequest responses are captured at Metadata only, and redacted above it).
    assert.ok(!readLog().includes(token));
  });

  it('records ResponseStarted and ResponseComplete for a watch', async () => {
    const watch = h.kubectl(['-n', 'audited', 'get', 'configmaps', '-w', '--request-timeout=3s'], { allowFail: true });
    const [started] = await waitFor(about('configmaps', 'watch', 'ResponseStarted'), 'watch started');
    assert.equal(started.responseStatus?.code, 200);
    await h.kubectl(['-n', 'audited', 'create', 'configmap', 'c3', '--from-literal=k=v3']);
    await watch;
    const [done] = await waitFor((e) => about('configmaps', 'watch')(e) && e.auditID === started.auditID, 'watch complete');
    assert.ok(done.stageTimestamp >= started.stageTimestamp);
    assert.deepEqual(events().filter((e) => e.auditID === started.auditID).map((e) => e.stage), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
  });

  it('annotates the logical cluster, and honours per-cluster off and the clusters rule', async () => {
    await h.kubectl(['apply', '-f', '-'], { input: [lc('loud'), lc('muted', '"audit.portcullis.io/enabled": "false"'), lc('quiet')].join('---\n') });
    await h.server.settle();
    for (const c of ['loud', 'muted', 'quiet']) await h.kubectl(['--context', c, 'create', 'configmap', `in-${c}`]);
    // At Metadata level the body is not read, so a create's objectRef has no name (see src/audit/filter.ts).
    const [loud] = await waitFor((e) => about('configmaps', 'create')(e) && e.requestURI.startsWith('/clusters/loud/'), 'loud create');
    assert.equal(loud.annotations?.['portcullis.io/cluster'], 'loud');
    assert.match(loud.requestURI, /^\/clusters\/loud\/api\/v1\/namespaces\/default\/configmaps/);
    await h.kubectl(['--context', 'loud', 'get', 'configmap', 'in-loud']); // a later request, so earlier ones are flushed
    await waitFor((e) => about('configmaps', 'get')(e) && e.objectRef?.name === 'in-loud', 'loud get');
    assert.ok(!events().some((e) => e.annotations?.['portcullis.io/cluster'] === 'muted'), 'auditing is off for muted');
    assert.ok(!events().some((e) => e.annotations?.['portcullis.io/cluster'] === 'quiet'), 'quiet is at level None');

    await h.kubectl(['annotate', 'logicalcluster', 'muted', 'audit.portcullis.io/enabled-', '--overwrite']);
    await h.server.settle();
    await h.kubectl(['--context', 'muted', 'get', 'configmap', 'in-muted']);
    const [back] = await waitFor((e) => e.annotations?.['portcullis.io/cluster'] === 'muted', 'muted back on');
    assert.equal(back.objectRef?.name, 'in-muted');
  });
});
