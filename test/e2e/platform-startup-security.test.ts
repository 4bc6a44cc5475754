// End-to-end: readiness after a restart is not a lie. Only root is replayed before /readyz; the other clusters and
// the stored tenants' resync run in the background (both held here by a gate). Right after /readyz answers 200, and
// while all that is held: a deleted user's key, a deleted access key and a revoked platform token are refused, a valid
// key is accepted, RBAC decides as before the restart (a member lists pods in its tenant, a user with no access rule
// is refused), and a tenant's ValidatingAdmissionPolicy holds and its custom resources are served (a cluster is
// replayed before its first request goes further).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness.ts';
import { defaultModules } from '../../src/server/modules.ts';
import { gateModule, until } from '../support/startup-gate.ts';

const G = '/apis/management.portcullis.io/v1';
const obj = (kind: string, name: string, spec: unknown) => ({ apiVersion: 'management.portcullis.io/v1', kind, metadata: { name }, spec });
const TENANTS = ['t-0', 't-1', 't-2', 't-3', 't-4'];

describe('platform: credentials and RBAC right after a restart', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-startup-sec-'));
  const dataDir = path.join(dir, 'data');
  let h: Harness | undefined;
  after(async () => { await h?.close(); rmSync(dir, { recursive: true, force: true }); });

  const post = async (p: string, body: unknown, headers?: Record<string, string>) => {
    const r = await h!.request('POST', p, { body, ...(headers ? { headers, anonymous: true } : {}) });
    assert.ok(r.status < 300, `POST ${p}: HTTP ${r.status} ${r.body}`);
    return r.json();
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const whoami = async (token: string) => (await h!.request('POST', '/clusters/t-0/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    anonymous: true, headers: { ...bearer(token), 'content-type': 'application/json' },
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  })).status;
  const pods = async (token: string) => (await h!.request('GET', '/clusters/t-0/api/v1/namespaces/default/pods', { anonymous: true, headers: bearer(token) })).status;

  it('refuses ended credentials and decides RBAC correctly as soon as /readyz is 200', { timeout: 120_000 }, async () => {
    h = await startHarness({ dataDir });
    await post(`${G}/projects`, obj('Project', 'p', {}));
    for (const u of ['alice', 'bob', 'carol', 'dave']) await post(`${G}/users`, obj('User', u, {}));
    for (const t of TENANTS) {
      await post(`${G}/tenantclusters`, obj('TenantCluster', t, { project: 'p', access: { rules: [{ users: ['alice', 'bob', 'carol'], clusterRole: 'view' }] } }));
    }
    const key = async (user: string) => {
      const k = await post(`${G}/accesskeys`, { ...obj('AccessKey', '', { user, displayName: `${user}-key` }), metadata: { generateName: `${user}-` } });
      return { name: k.metadata.name as string, token: k.status.key as string };
    };
    const [alice, bob, carol, dave] = [await key('alice'), await key('bob'), await key('carol'), await key('dave')];
    await h.server.settle();
    const token = await post('/platform/v1/tokens', { cluster: 't-0' }, bearer(carol.token));
    for (const t of [alice.token, bob.token, carol.token, token.status.token]) assert.equal(await whoami(t), 201, 'works before');
    assert.equal(await pods(alice.token), 200);
    const vap = '/clusters/t-0/apis/admissionregistration.k8s.io/v1';
    await post(`${vap}/validatingadmissionpolicies`, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'no-forbidden' }, spec: { failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] },
        validations: [{ expression: "object.metadata.name != 'forbidden'", message: 'no configmap named forbidden' }] } });
    await post(`${vap}/validatingadmissionpolicybindings`, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'no-forbidden' }, spec: { policyName: 'no-forbidden', validationActions: ['Deny'] } });
    const configMap = async (name: string) => (await h!.request('POST', '/clusters/t-0/api/v1/namespaces/default/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } } })).status;
    assert.equal(await configMap('forbidden'), 422, 'the policy denies');
    assert.equal(await configMap('fine'), 201, 'and only what it matches');
    await post('/clusters/t-1/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    });
    const widgets = '/clusters/t-1/apis/example.com/v1/namespaces/default/widgets';
    await until(async () => ((await h!.request('GET', widgets)).status === 200 ? true : undefined));
    assert.equal(await pods(dave.token), 403, 'dave authenticates (not 401) but has no access rule in t-0');

    // End three credentials, then restart on the same store.
    assert.equal((await h.request('DELETE', `${G}/users/alice`)).status, 200);
    assert.equal((await h.request('DELETE', `${G}/accesskeys/${bob.name}`)).status, 200);
    await post(`/platform/v1/credentials/platformtoken:${token.status.jti}/revoke`, {});
    await h.server.settle();
    await h.close();

    const gate = gateModule({ holdReplay: true });
    h = await startHarness({ dataDir, modules: [...defaultModules(), gate.module] });
    assert.equal((await h.request('GET', '/readyz', { anonymous: true })).status, 200);
    assert.equal(await configMap('forbidden'), 422, 'the tenant\'s policy holds at its first request after the restart');
    assert.equal((await h.request('GET', widgets)).status, 200, 'a tenant\'s custom resources are served at its first request');
    const check = async (when: string) => {
      assert.equal(await whoami(alice.token), 401, `${when}: the deleted user's key is refused`);
      assert.equal(await whoami(bob.token), 401, `${when}: the deleted access key is refused`);
      assert.equal(await whoami(token.status.token), 401, `${when}: the revoked platform token is refused`);
      assert.equal(await whoami(carol.token), 201, `${when}: a valid key works`);
      assert.equal(await pods(carol.token), 200, `${when}: carol's access rule holds`);
      assert.equal(await pods(dave.token), 403, `${when}: dave is still refused in t-0`);
    };
    await check('before the resync');
    await until(async () => (gate.held() >= 1 ? true : undefined));
    await check('during the resync');
    assert.ok(gate.held() < TENANTS.length, 'the resync of the stored tenants had not finished');
    gate.open();
    await h.server.settle();
    await check('after the resync');
  });
});
