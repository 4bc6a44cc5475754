// Unit tests of delegated authorization: what a config covers, and the decision with a fake host authorizer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DelegationAuthorizer, applies } from './delegation.ts';
import { PlatformState } from '../resources/index.ts';
import type { Attributes, AuthorizerResult } from '../../apiserver/auth/types.ts';

const attrs = (a: Partial<Attributes>): Attributes => ({
  user: { username: 'bob', groups: ['g1'] }, cluster: 't', verb: 'list', isResourceRequest: true, path: '',
  apiGroup: '', apiVersion: 'v1', resource: 'nodes', subresource: '', namespace: '', name: '', ...a,
});

describe('delegation', () => {
  it('applies to the listed resources (with subresources), wildcards and non-resource paths', () => {
    const c = { resources: [{ group: '', resource: 'nodes' }, { group: 'apps', resource: 'deployments/scale' }, { group: 'x.io', resource: '*' }], nonResourceURLs: ['/logs/*', '/metrics'] };
    assert.equal(applies(c, attrs({})), true);
    assert.equal(applies(c, attrs({ subresource: 'status' })), true);
    assert.equal(applies(c, attrs({ resource: 'pods' })), false);
    assert.equal(applies(c, attrs({ apiGroup: 'apps', resource: 'deployments' })), false);
    assert.equal(applies(c, attrs({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale' })), true);
    assert.equal(applies(c, attrs({ apiGroup: 'x.io', resource: 'anything' })), true);
    assert.equal(applies(c, attrs({ isResourceRequest: false, path: '/logs/a' })), true);
    assert.equal(applies(c, attrs({ isResourceRequest: false, path: '/metrics/x' })), false);
  });

  it('asks the host as the tenant ServiceAccount, then for the user; host deny or error denies', async () => {
    const state = new PlatformState();
    state.apply('tenantclusters', { type: 'ADDED', name: 't', object: { metadata: { name: 't' }, spec: { project: 'p', hostNamespace: 'ns' } } });
    const asked: Attributes[] = [];
    let hostSays: AuthorizerResult | Error = { decision: 'allow', reason: 'RBAC: allowed by X' };
    const fake = async (a: Attributes): Promise<AuthorizerResult> => {
      asked.push(a);
      if (a.resource === 'subjectaccessreviews') return { decision: a.user.username === 'system:serviceaccount:ns:vc-t' ? 'allow' : 'deny', reason: '' };
      if (hostSays instanceof Error) throw hostSays;
      return hostSays;
    };
    const d = new DelegationAuthorizer(state, () => fake);
    assert.deepEqual(await d.authorize(attrs({ resource: 'pods' })), { decision: 'noopinion', reason: '' });
    assert.deepEqual(await d.authorize(attrs({ cluster: 'other' })), { decision: 'noopinion', reason: '' });
    assert.deepEqual(await d.authorize(attrs({})), { decision: 'allow', reason: 'delegated to host cluster "host": allowed by the host: RBAC: allowed by X' });
    assert.equal(asked[0].cluster, 'host');
    assert.deepEqual(asked[0].user.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated']);
    assert.deepEqual({ ...asked[1], user: asked[1].user.username }, { ...attrs({ cluster: 'host' }), user: 'bob' });
    assert.deepEqual(asked[1].user.groups, ['g1']);
    hostSays = { decision: 'noopinion', reason: '' };
    assert.deepEqual(await d.authorize(attrs({})), { decision: 'deny', reason: 'delegated to host cluster "host": denied by the host: no RBAC rule allows it' });
    hostSays = new Error('boom');
    assert.deepEqual(await d.authorize(attrs({})), { decision: 'deny', reason: 'delegated to host cluster "host": the host review failed: boom' });
  });
});
