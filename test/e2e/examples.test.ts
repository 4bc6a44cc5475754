// End-to-end: every manifest in examples/ is applied with kubectl, in dependency order, and does what its
// comment says (an example that stops working fails here). A file added to examples/ must be listed below.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness.ts';
import { canI, userCreds } from './platform-helpers.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
/** Applied in this order (later files refer to earlier ones). */
const ORDER = [
  'logical-cluster.yaml', 'users.yaml', 'team.yaml', 'project.yaml', 'template-restricted-storage.yaml',
  'tenant-cluster.yaml', 'tenant-cluster-from-template.yaml', 'tenant-cluster-aggregated-role.yaml',
  'tenant-cluster-host-rbac.yaml', 'access-keys.yaml', 'kubeconfig.yaml',
];

describe('examples/', () => {
  let h: Harness;
  const json = async (...args: string[]) => JSON.parse((await h.kubectl([...args, '-o', 'json'])).stdout);

  before(async () => {
    h = await startHarness();
    await h.kubectl(['create', 'namespace', 'team-a']);
    await h.kubectl(['-n', 'team-a', 'apply', '-f', path.join(EXAMPLES, 'role.yaml')]);
    for (const f of ORDER) {
      await h.kubectl(['apply', '-f', path.join(EXAMPLES, f)]);
      await h.server.settle();
    }
  });
  after(async () => { await h?.close(); });

  it('lists every example file here', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();
    assert.deepEqual(files, [...ORDER, 'role.yaml'].sort());
  });

  it('role.yaml: a namespaced Role', async () => {
    const role = await json('-n', 'team-a', 'get', 'role', 'pod-reader');
    assert.deepEqual(role.rules[0].resources, ['pods', 'pods/log']);
  });

  it('logical-cluster.yaml: a cluster of its own, with a context in the admin kubeconfig', async () => {
    const ns = await json('--context', 'tenant-b', 'get', 'namespaces');
    assert.ok(ns.items.some((n: { metadata: { name: string } }) => n.metadata.name === 'kube-system'));
  });

  it('tenant-cluster.yaml: seed 002 role mapping (alice edit, dev-team view)', async () => {
    const tc = await json('get', 'tc', 'payments-dev');
    assert.equal(tc.status.phase, 'Ready');
    const alice = await userCreds(h, 'alice');
    const bob = await userCreds(h, 'bob');
    assert.equal(await canI(h, alice, 'payments-dev', 'create', 'deployments'), true);
    assert.equal(await canI(h, alice, 'payments-dev', 'create', 'roles'), false);
    assert.equal(await canI(h, bob, 'payments-dev', 'list', 'pods'), true);
    assert.equal(await canI(h, bob, 'payments-dev', 'create', 'pods'), false);
  });

  it('template + tenant-cluster-from-template.yaml: edit-no-pvc-write for dev-team', async () => {
    const bob = await userCreds(h, 'bob');
    assert.equal(await canI(h, bob, 'payments-staging', 'create', 'pods'), true);
    assert.equal(await canI(h, bob, 'payments-staging', 'delete', 'persistentvolumeclaims'), true);
    assert.equal(await canI(h, bob, 'payments-staging', 'create', 'persistentvolumeclaims'), false);
  });

  it('tenant-cluster-aggregated-role.yaml: admin gains namespace creation by aggregation', async () => {
    const admin = await json('--context', 'payments-sandbox', 'get', 'clusterrole', 'admin');
    assert.ok(admin.rules.some((r: { resources?: string[]; verbs: string[] }) =>
      r.resources?.includes('namespaces') && r.verbs.includes('create')));
    const carol = await userCreds(h, 'carol');
    assert.equal(await canI(h, carol, 'payments-sandbox', 'create', 'namespaces'), true);
  });

  it('tenant-cluster-host-rbac.yaml: overwrite and extra rules, multi-namespace ClusterRole in the host', async () => {
    const cr = await json('--context', 'host', 'get', 'clusterrole', 'vc-payments-batch');
    // The overwrite rules, plus the rule delegation needs (SubjectAccessReviews in the host).
    assert.deepEqual(cr.rules.map((r: { resources: string[] }) => r.resources),
      [['nodes'], ['storageclasses'], ['subjectaccessreviews']]);
    // Namespace sync: the Role's rules (defaults + extra) move to the ClusterRole vc-<name>-multi.
    const multi = await json('--context', 'host', 'get', 'clusterrole', 'vc-payments-batch-multi');
    const resources = multi.rules.flatMap((r: { resources: string[] }) => r.resources);
    for (const r of ['namespaces', 'pods', 'deployments']) assert.ok(resources.includes(r), r);
  });

  it('access-keys.yaml: two scoped keys of alice; the secret is never returned', async () => {
    const keys = await json('get', 'accesskeys');
    const byName = new Map(keys.items.map((k: { metadata: { name: string } }) => [k.metadata.name, k]));
    assert.deepEqual((byName.get('alice-ci') as { spec: { scope: unknown } }).spec.scope, { projects: ['payments'] });
    assert.ok(byName.has('alice-monitoring'));
    assert.doesNotMatch(JSON.stringify(keys), /pcak_/);
  });

  it('kubeconfig.yaml: a ready kubeconfig Secret whose certificate can view payments-dev', async () => {
    const kc = await json('-n', 'default', 'get', 'kubeconfig', 'ci-robot');
    assert.equal(kc.status.phase, 'Ready');
    const secret = await json('-n', 'default', 'get', 'secret', 'ci-robot-kubeconfig');
    const file = h.writeFile('ci-robot.kubeconfig', Buffer.from(secret.data.kubeconfig, 'base64').toString('utf8'));
    const get = await h.kubectl(['get', 'pods', '-n', 'default'], { kubeconfig: file });
    assert.equal(get.code, 0);
    const create = await h.kubectl(['-n', 'default', 'create', 'configmap', 'x'], { kubeconfig: file, allowFail: true });
    assert.match(create.stderr, /forbidden/);
  });
});
