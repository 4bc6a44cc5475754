import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestContext, RequestInfo } from '../apiserver/context.ts';
import { Catalog } from '../apiserver/registry/catalog.ts';
import { builtinTypes } from '../apiserver/registry/builtins.ts';
import { createLabeler, credentialKindOf, presentedKindOf } from './labels.ts';

const info = (o: Partial<RequestInfo>): RequestInfo => ({
  isResourceRequest: true, path: '', verb: 'get', apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace: '', resource: '',
  subresource: '', name: '', parts: [], ...o,
});
const ctx = (o: { method?: string; url?: string; info?: RequestInfo; headers?: Record<string, string>; cluster?: string }): RequestContext => ({
  req: { method: o.method ?? 'GET', url: o.url ?? '/', headers: o.headers ?? {} }, url: new URL(o.url ?? '/', 'https://x'),
  info: o.info, cluster: o.cluster ?? 'root',
} as unknown as RequestContext);

describe('metric labels', () => {
  const labels = createLabeler(new Catalog(builtinTypes()), false);

  it('reports verbs and scopes as kube-apiserver does', () => {
    assert.deepEqual(labels(ctx({ info: info({ verb: 'list', namespace: 'a', resource: 'pods' }) })),
      { verb: 'LIST', dry_run: '', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'namespace', component: 'apiserver' });
    assert.equal(labels(ctx({ info: info({ verb: 'watch', resource: 'namespaces' }) })).scope, 'cluster');
    assert.equal(labels(ctx({ method: 'POST', info: info({ verb: 'create', namespace: 'a', resource: 'pods' }) })).scope, 'resource');
    const apply = ctx({ method: 'PATCH', headers: { 'content-type': 'application/apply-patch+yaml' },
      info: info({ verb: 'patch', namespace: 'a', resource: 'pods', name: 'p' }) });
    assert.equal(labels(apply).verb, 'APPLY');
    const dry = ctx({ method: 'POST', url: '/api/v1/namespaces/a/pods?dryRun=All', info: info({ verb: 'create', namespace: 'a', resource: 'pods' }) });
    assert.equal(labels(dry).dry_run, 'All');
    assert.equal(labels(ctx({ info: info({ verb: 'deletecollection', namespace: 'a', resource: 'pods' }) })).verb, 'DELETE');
    assert.deepEqual(labels(ctx({ method: 'GET', info: info({ isResourceRequest: false, verb: 'get' }) })).resource, '');
  });

  it('never lets a client choose a label value', () => {
    const odd = labels(ctx({ method: 'BREW', info: info({ verb: 'brew', apiGroup: 'evil.example.com', resource: 'x'.repeat(100), subresource: 'y' }) }));
    assert.deepEqual([odd.verb, odd.group, odd.version, odd.resource, odd.subresource], ['OTHER', 'other', 'other', 'other', 'other']);
    const sub = labels(ctx({ info: info({ namespace: 'a', resource: 'pods', name: 'p', subresource: 'made-up' }) }));
    assert.equal(sub.subresource, 'other');
    assert.equal(labels(ctx({ info: info({ namespace: 'a', resource: 'pods', name: 'p', subresource: 'status' }) })).subresource, 'status');
    assert.equal(labels(ctx({ cluster: 'tenant', info: info({ resource: 'pods' }) })).cluster, undefined, 'no cluster label by default');
  });

  it('names credential kinds from a fixed set, never from the secret', () => {
    assert.equal(credentialKindOf('x509: CN=a serial=1'), 'certificate');
    assert.equal(credentialKindOf('access key "k" (x) of user a'), 'access-key');
    assert.equal(credentialKindOf('something new'), 'other');
    assert.equal(presentedKindOf(ctx({ headers: { authorization: 'Bearer pcak_secret' } })), 'access-key');
    assert.equal(presentedKindOf(ctx({ headers: { authorization: 'Bearer a.b.c' } })), 'token');
    assert.equal(presentedKindOf(ctx({ headers: {} })), 'certificate');
  });
});
