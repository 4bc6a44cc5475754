// Tests the path → RequestInfo parsing against the forms kubectl sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.ts';

const q = (s = '') => new URLSearchParams(s);

test('namespaced collection and item', () => {
  const l = parseRequestInfo('GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles', q('limit=500'));
  assert.deepEqual([l.verb, l.apiGroup, l.apiVersion, l.namespace, l.resource, l.name], ['list', 'rbac.authorization.k8s.io', 'v1', 'team-a', 'roles', '']);
  const g = parseRequestInfo('GET', '/api/v1/namespaces/default/pods/p1/log', q());
  assert.deepEqual([g.verb, g.resource, g.name, g.subresource], ['get', 'pods', 'p1', 'log']);
});

test('namespaces themselves', () => {
  const n = parseRequestInfo('DELETE', '/api/v1/namespaces/team-a', q());
  assert.deepEqual([n.verb, n.resource, n.name, n.namespace], ['delete', 'namespaces', 'team-a', '']);
  const f = parseRequestInfo('PUT', '/api/v1/namespaces/team-a/finalize', q());
  assert.deepEqual([f.verb, f.resource, f.name, f.subresource], ['update', 'namespaces', 'team-a', 'finalize']);
  const all = parseRequestInfo('GET', '/api/v1/namespaces', q('watch=true'));
  assert.deepEqual([all.verb, all.resource], ['watch', 'namespaces']);
});

test('cluster-scoped, deletecollection and non-resource paths', () => {
  const c = parseRequestInfo('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/view', q());
  assert.deepEqual([c.verb, c.resource, c.name, c.namespace], ['get', 'clusterroles', 'view', '']);
  assert.equal(parseRequestInfo('DELETE', '/api/v1/namespaces/a/configmaps', q()).verb, 'deletecollection');
  for (const p of ['/api', '/apis', '/api/v1', '/apis/apps', '/version', '/healthz']) {
    const r = parseRequestInfo('GET', p, q());
    assert.equal(r.isResourceRequest, false, p);
    assert.equal(r.verb, 'get');
  }
});
