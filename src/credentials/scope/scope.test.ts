// Unit tests: which clusters and namespaces a credential scope allows, and the 403 reasons naming the scope.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterAccess, scopeViolation, type RequestScope } from './scope.ts';
import type { RequestInfo } from '../../apiserver/context.ts';

const projects: Record<string, string> = { 'payments-dev': 'payments', 'payments-prod': 'payments', 'other-dev': 'other' };
const projectOf = (c: string) => projects[c];
const info = (o: Partial<RequestInfo>): RequestInfo => ({
  isResourceRequest: true, path: '/', verb: 'get', apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace: '', resource: 'pods', subresource: '', name: '', parts: [], ...o,
});
const s = (scope: RequestScope['scope']): RequestScope => ({ scope, credential: 'access key "ci-deploy"' });

describe('credential scope', () => {
  it('a project covers every tenant cluster of the project', () => {
    assert.deepEqual(clusterAccess({ projects: ['payments'] }, 'payments-prod', projectOf), { kind: 'all' });
    assert.deepEqual(clusterAccess({ projects: ['payments'] }, 'other-dev', projectOf), { kind: 'none' });
    assert.deepEqual(clusterAccess({ projects: ['payments'] }, 'root', projectOf), { kind: 'none' });
  });

  it('tenant and host clusters cover the whole cluster; namespaces only themselves', () => {
    assert.deepEqual(clusterAccess({ tenantClusters: ['other-dev'] }, 'other-dev', projectOf), { kind: 'all' });
    assert.deepEqual(clusterAccess({ hostClusters: ['host'] }, 'host', projectOf), { kind: 'all' });
    const a = clusterAccess({ namespaces: [{ cluster: 'other-dev', namespace: 'app' }, { cluster: 'other-dev', namespace: 'web' }] }, 'other-dev', projectOf);
    assert.equal(a.kind, 'namespaces');
    assert.deepEqual(a.kind === 'namespaces' ? [...a.namespaces].sort() : [], ['app', 'web']);
  });

  it('names the scope and what is outside it', () => {
    const scope = s({ projects: ['payments'] });
    assert.equal(scopeViolation(scope, 'payments-dev', info({ namespace: 'x' }), projectOf), null);
    assert.equal(scopeViolation(scope, 'other-dev', info({ namespace: 'x' }), projectOf),
      'access key "ci-deploy" is scoped to project payments; cluster "other-dev" is outside its scope');
    assert.match(scopeViolation(scope, 'root', info({ apiGroup: 'management.portcullis.io', resource: 'projects' }), projectOf)!, /management cluster "root" is outside its scope/);
  });

  it('namespace scopes refuse other namespaces and cluster-wide requests, but allow discovery and self reviews', () => {
    const scope = s({ namespaces: [{ cluster: 'other-dev', namespace: 'app' }] });
    assert.equal(scopeViolation(scope, 'other-dev', info({ namespace: 'app', verb: 'create' }), projectOf), null);
    assert.match(scopeViolation(scope, 'other-dev', info({ namespace: 'kube-system' }), projectOf)!, /namespace "kube-system" in cluster "other-dev" is outside its scope/);
    assert.match(scopeViolation(scope, 'other-dev', info({ verb: 'list' }), projectOf)!, /cluster-wide requests in cluster "other-dev" are outside its scope \(only namespace app\)/);
    assert.equal(scopeViolation(scope, 'other-dev', info({ isResourceRequest: false, path: '/apis/apps/v1', verb: 'get' }), projectOf), null);
    assert.equal(scopeViolation(scope, 'other-dev', info({ apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews', verb: 'create' }), projectOf), null);
    assert.equal(scopeViolation(scope, 'other-dev', info({ resource: 'namespaces', name: 'app' }), projectOf), null);
    assert.notEqual(scopeViolation(scope, 'other-dev', info({ resource: 'namespaces', name: 'app', verb: 'delete' }), projectOf), null);
    assert.notEqual(scopeViolation(scope, 'other-dev', info({ isResourceRequest: false, path: '/logs', verb: 'get' }), projectOf), null);
  });

  it('an empty scope is no scope; root self-service routes stay reachable', () => {
    assert.equal(scopeViolation(s({ projects: [] }), 'anything', info({}), projectOf), null);
    assert.equal(scopeViolation(s({ projects: ['payments'] }), 'root', info({ isResourceRequest: false, path: '/platform/v1/tokens', verb: 'post' }), projectOf), null);
    assert.notEqual(scopeViolation(s({ projects: ['payments'] }), 'root', info({ isResourceRequest: false, path: '/platform/v1/credentials', verb: 'get' }), projectOf), null);
  });
});
