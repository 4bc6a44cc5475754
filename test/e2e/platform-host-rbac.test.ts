// End-to-end: host-tier RBAC (seed 001) seen with kubectl in the host cluster: the defaults, overwrite /
// extra rules, multi-namespace mode, role disabled; drift restored; removal with the tenant; host admission.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';
import { DEFAULT_CLUSTER_RULES, DEFAULT_ROLE_RULES, DELEGATION_RULE, MULTI_NAMESPACE_RULES } from '../../src/platform/index.ts';

const tenant = (name: string, extra = '') => `---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: ${name}}
spec:
  project: shop
${extra}`;

const SETUP = `
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: shop}
spec: {}
${tenant('t-default')}
${tenant('t-over', `  rbac:
    clusterRole:
      overwriteRules:
      - {apiGroups: [""], resources: [nodes], verbs: [get, list]}
      - {apiGroups: [storage.k8s.io], resources: [storageclasses], verbs: [get, list, watch]}
    role:
      enabled: true
      overwriteRules:
      - {apiGroups: [""], resources: [pods, services], verbs: [get, list]}`)}
${tenant('t-extra', `  rbac:
    clusterRole:
      extraRules:
      - {apiGroups: [custom.io], resources: [customresources], verbs: [get, list, watch]}
      - {apiGroups: [apps], resources: [daemonsets], verbs: [list]}
    role:
      extraRules:
      - {apiGroups: [apps], resources: [deployments], verbs: [get]}`)}
${tenant('t-mns', `  sync: {toHost: {namespaces: {enabled: true}}}`)}
${tenant('t-bare', `  delegation: {}
  rbac: {role: {enabled: false}}`)}
`;

const SA = (t: string) => `system:serviceaccount:tc-${t}:vc-${t}`;

describe('platform: host-tier RBAC', () => {
  let h: Harness;
  const host = (...args: string[]) => h.kubectl(['--context', 'host', ...args]);
  const json = async (...args: string[]) => JSON.parse((await host(...args, '-o', 'json')).stdout);
  const exists = async (...args: string[]) => (await h.kubectl(['--context', 'host', 'get', ...args], { allowFail: true })).code === 0;
  const can = async (t: string, ...args: string[]) => {
    const r = await h.kubectl(['--context', 'host', 'auth', 'can-i', ...args, `--as=${SA(t)}`], { allowFail: true });
    return r.stdout.trim() === 'yes';
  };
  const vcClusterRoles = async () => (await host('get', 'clusterroles', '-o', 'name')).stdout.split('\n').filter((l) => l.includes('/vc-')).sort();

  before(async () => {
    h = await startHarness();
    await h.kubectl(['apply', '-f', '-'], { input: SETUP });
    await h.server.settle();
  });
  after(async () => { await h?.close(); });

  it('shows the ClusterRoles of every tenant that needs one (`get clusterroles | grep vc-`)', async () => {
    assert.deepEqual(await vcClusterRoles(), [
      'clusterrole.rbac.authorization.k8s.io/vc-t-default', 'clusterrole.rbac.authorization.k8s.io/vc-t-extra',
      'clusterrole.rbac.authorization.k8s.io/vc-t-mns', 'clusterrole.rbac.authorization.k8s.io/vc-t-mns-multi', 'clusterrole.rbac.authorization.k8s.io/vc-t-over',
    ]);
    const managed = (await host('get', 'clusterrolebindings', '-l', 'management.portcullis.io/managed-by=platform', '-o', 'name')).stdout.trim().split('\n').sort();
    assert.equal(managed.length, 5);
  });

  it('creates the seed defaults: namespace, ServiceAccount, Role with its binding, ClusterRole for delegation', async () => {
    const ns = await json('get', 'namespace', 'tc-t-default');
    assert.equal(ns.metadata.labels['management.portcullis.io/managed-by'], 'platform');
    const sa = await json('get', 'serviceaccount', 'vc-t-default', '-n', 'tc-t-default');
    assert.equal(sa.automountServiceAccountToken, true);
    const role = await json('get', 'role', 'vc-t-default', '-n', 'tc-t-default');
    assert.deepEqual(role.rules, DEFAULT_ROLE_RULES);
    assert.equal(role.metadata.labels['management.portcullis.io/tenant-cluster'], 't-default');
    const rb = await json('get', 'rolebinding', 'vc-t-default', '-n', 'tc-t-default');
    assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'vc-t-default' });
    assert.deepEqual(rb.subjects, [{ kind: 'ServiceAccount', name: 'vc-t-default', namespace: 'tc-t-default' }]);
    const cr = await json('get', 'clusterrole', 'vc-t-default');
    assert.deepEqual(cr.rules, [...DEFAULT_CLUSTER_RULES, DELEGATION_RULE]);
    assert.equal(await can('t-default', 'create', 'pods/exec', '-n', 'tc-t-default'), true);
    assert.equal(await can('t-default', 'create', 'secrets', '-n', 'default'), false);
    assert.equal(await can('t-default', 'watch', 'nodes'), true);
    assert.equal(await can('t-default', 'create', 'persistentvolumes'), true);
    assert.equal(await can('t-default', 'create', 'subjectaccessreviews.authorization.k8s.io'), true);
  });

  it('overwriteRules replace the defaults', async () => {
    const cr = await json('get', 'clusterrole', 'vc-t-over');
    assert.deepEqual(cr.rules.slice(0, 2), [
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] },
      { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
    ]);
    assert.equal(await can('t-over', 'list', 'nodes'), true);
    assert.equal(await can('t-over', 'watch', 'nodes'), false);
    assert.equal(await can('t-over', 'create', 'persistentvolumes'), false);
    assert.equal(await can('t-over', 'list', 'pods', '-n', 'tc-t-over'), true);
    assert.equal(await can('t-over', 'create', 'pods', '-n', 'tc-t-over'), false);
    assert.equal(await can('t-over', 'get', 'configmaps', '-n', 'tc-t-over'), false);
  });

  it('extraRules add to the defaults', async () => {
    const cr = await json('get', 'clusterrole', 'vc-t-extra');
    assert.deepEqual(cr.rules, [...DEFAULT_CLUSTER_RULES, { apiGroups: ['custom.io'], resources: ['customresources'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['list'] }, DELEGATION_RULE]);
    assert.equal(await can('t-extra', 'list', 'daemonsets.apps', '-A'), true);
    assert.equal(await can('t-extra', 'create', 'daemonsets.apps', '-n', 'default'), false);
    assert.equal(await can('t-extra', 'get', 'deployments.apps', '-n', 'tc-t-extra'), true);
    assert.equal(await can('t-extra', 'create', 'pods', '-n', 'tc-t-extra'), true);
  });

  it('multi-namespace mode turns the Role into the ClusterRole vc-<name>-multi', async () => {
    assert.equal(await exists('role', 'vc-t-mns', '-n', 'tc-t-mns'), false);
    const cr = await json('get', 'clusterrole', 'vc-t-mns-multi');
    assert.deepEqual(cr.rules, [...MULTI_NAMESPACE_RULES, ...DEFAULT_ROLE_RULES]);
    const crb = await json('get', 'clusterrolebinding', 'vc-t-mns-multi');
    assert.deepEqual(crb.subjects, [{ kind: 'ServiceAccount', name: 'vc-t-mns', namespace: 'tc-t-mns' }]);
    assert.equal(await can('t-mns', 'create', 'namespaces'), true);
    assert.equal(await can('t-mns', 'create', 'pods', '-n', 'anywhere'), true);
  });

  it('role.enabled: false drops the Role; without delegation or rules no ClusterRole is made', async () => {
    assert.equal(await exists('serviceaccount', 'vc-t-bare', '-n', 'tc-t-bare'), true);
    assert.equal(await exists('role', 'vc-t-bare', '-n', 'tc-t-bare'), false);
    assert.equal(await exists('clusterrole', 'vc-t-bare'), false);
    assert.equal(await can('t-bare', 'get', 'pods', '-n', 'tc-t-bare'), false);
  });

  it('restores drift and follows spec changes', async () => {
    await host('patch', 'role', 'vc-t-default', '-n', 'tc-t-default', '--type=merge', '-p', '{"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]}');
    await host('delete', 'clusterrole', 'vc-t-default');
    await host('delete', 'rolebinding', 'vc-t-default', '-n', 'tc-t-default');
    await h.server.settle();
    assert.deepEqual((await json('get', 'role', 'vc-t-default', '-n', 'tc-t-default')).rules, DEFAULT_ROLE_RULES);
    assert.deepEqual((await json('get', 'clusterrole', 'vc-t-default')).rules, [...DEFAULT_CLUSTER_RULES, DELEGATION_RULE]);
    assert.equal(await exists('rolebinding', 'vc-t-default', '-n', 'tc-t-default'), true);

    await h.kubectl(['patch', 'tc', 't-extra', '--type=merge', '-p', '{"spec":{"rbac":{"role":{"enabled":false}},"sync":{"toHost":{"namespaces":{"enabled":true}}}}}']);
    await h.server.settle();
    assert.equal(await exists('role', 'vc-t-extra', '-n', 'tc-t-extra'), false);
    assert.equal(await exists('rolebinding', 'vc-t-extra', '-n', 'tc-t-extra'), false);
    assert.equal(await exists('clusterrole', 'vc-t-extra-multi'), false);
    await h.kubectl(['patch', 'tc', 't-extra', '--type=merge', '-p', '{"spec":{"rbac":{"role":{"enabled":true}}}}']);
    await h.server.settle();
    assert.equal(await exists('clusterrole', 'vc-t-extra-multi'), true);
  });

  it('removes everything when the tenant is deleted', async () => {
    await h.kubectl(['delete', 'tc', 't-mns', '--wait=false']);
    await h.server.settle();
    assert.equal((await h.kubectl(['get', 'tc', 't-mns'], { allowFail: true })).code, 1);
    assert.ok(!(await vcClusterRoles()).some((n) => n.includes('vc-t-mns')));
    assert.equal(await exists('clusterrolebinding', 'vc-t-mns'), false);
    const ns = await h.kubectl(['--context', 'host', 'get', 'namespace', 'tc-t-mns', '-o', 'jsonpath={.status.phase}'], { allowFail: true });
    assert.ok(ns.code !== 0 || ns.stdout === 'Terminating', ns.stdout);
  });

  it('refuses root, a tenant cluster, or its own name as the host', async () => {
    const bad = async (name: string, hostCluster: string) => (await h.kubectl(['apply', '-f', '-'], {
      input: tenant(name, `  hostCluster: ${hostCluster}`), allowFail: true,
    })).stderr;
    assert.match(await bad('t-x', 'root'), /spec.hostCluster: the root \(management\) cluster cannot host tenant clusters/);
    assert.match(await bad('t-y', 't-default'), /"t-default" is a tenant cluster and cannot host another/);
    assert.match(await bad('t-z', 't-z'), /a tenant cluster cannot be its own host/);
  });
});
