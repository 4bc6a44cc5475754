// Every class of bad input gets the right Status code and a readable message, nothing stored is
// changed, and the server keeps serving.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';

const CM = '/clusters/root/api/v1/namespaces/default/configmaps';

describe('bad input', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    const r = await h.request('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' }, data: { a: '1' } } });
    assert.equal(r.status, 201);
  });
  after(async () => { await h?.close(); });

  const expectStatus = async (p: Promise<{ status: number; json(): any }>, code: number, message: RegExp) => {
    const r = await p;
    assert.equal(r.status, code);
    const s = r.json();
    assert.equal(s.kind, 'Status');
    assert.equal(s.code, code);
    assert.match(s.message, message);
  };

  it('rejects malformed JSON, YAML and protobuf with 400', async () => {
    await expectStatus(h.request('POST', CM, { body: '{"metadata": {', headers: { 'content-type': 'application/json' } }), 400, /not valid JSON/);
    await expectStatus(h.request('POST', CM, { body: 'metadata: [unclosed', headers: { 'content-type': 'application/yaml' } }), 400, /not valid YAML/);
    await expectStatus(h.request('POST', CM, { body: 'k8s\u0000garbage', headers: { 'content-type': 'application/vnd.kubernetes.protobuf' } }), 400, /protobuf/i);
    await expectStatus(h.request('POST', CM, { body: '[1,2]' }), 400, /single object/);
  });

  it('rejects unknown media types with 415 and oversized bodies with 413', async () => {
    await expectStatus(h.request('POST', CM, { body: 'x', headers: { 'content-type': 'text/plain' } }), 415, /unknown format/);
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } });
    await expectStatus(h.request('POST', CM, { body: big }), 413, /too large/);
  });

  it('rejects invalid names, wrong kinds and namespace mismatches', async () => {
    await expectStatus(h.request('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } } }), 422, /metadata.name: Invalid value: "Bad_Name"/);
    await expectStatus(h.request('POST', '/clusters/root/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } } }), 422, /RFC 1123 label/);
    await expectStatus(h.request('POST', CM, { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } } }), 400, /kind in the data \(Secret\) does not match the expected kind \(ConfigMap\)/);
    await expectStatus(h.request('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'other' } } }), 400, /does not match the namespace/);
    await expectStatus(h.request('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} } }), 422, /name or generateName is required/);
    await expectStatus(h.request('POST', '/clusters/root/api/v1/namespaces/missing/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } }), 404, /namespaces "missing" not found/);
  });

  it('answers unknown paths and resources with 404 and bad parameters with 400', async () => {
    await expectStatus(h.request('GET', '/clusters/root/api/v1/gizmos'), 404, /could not find the requested resource/);
    await expectStatus(h.request('GET', '/clusters/Bad_Cluster/api'), 400, /invalid logical cluster name/);
    await expectStatus(h.request('GET', `${CM}?labelSelector=a%20in%20(`), 400, /unable to parse requirement/);
    await expectStatus(h.request('GET', `${CM}?fieldSelector=spec.foo%3Dbar`), 400, /field label not supported: spec.foo/);
    await expectStatus(h.request('GET', `${CM}?limit=ten`), 400, /strconv\.ParseInt: parsing "ten": invalid syntax/);
    await expectStatus(h.request('GET', `${CM}?continue=bogus`), 400, /continue key is not valid/);
    await expectStatus(h.request('GET', `${CM}?watch=true&resourceVersion=abc`), 400, /invalid resourceVersion/);
    await expectStatus(h.request('POST', `${CM}?fieldValidation=Sloppy`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fv' } } }), 422, /fieldValidation/);
  });

  it('enforces optimistic concurrency with 409 Conflict', async () => {
    const cur = (await h.request('GET', `${CM}/keep`)).json();
    const stale = { ...cur, data: { a: '2' } };
    assert.equal((await h.request('PUT', `${CM}/keep`, { body: stale })).status, 200);
    await expectStatus(h.request('PUT', `${CM}/keep`, { body: { ...cur, data: { a: '3' } } }), 409, /the object has been modified/);
    await expectStatus(h.request('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' } } }), 409, /already exists/);
  });

  it('rejects unknown fields in Strict mode and warns in Warn mode', async () => {
    await expectStatus(h.request('POST', `${CM}?fieldValidation=Strict`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 's1' }, dataz: {} } }), 400, /strict decoding error: unknown field "dataz"/);
    const w = await h.request('POST', `${CM}?fieldValidation=Warn`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 's2' }, dataz: {} } });
    assert.equal(w.status, 201);
    assert.match(String(w.headers.warning), /unknown field \\"dataz\\"/);
  });

  it('rejects requests without credentials or with bad ones (401)', async () => {
    await expectStatus(h.request('GET', CM, { anonymous: true }), 401, /Unauthorized/);
    await expectStatus(h.request('GET', CM, { anonymous: true, headers: { authorization: 'Bearer not-a-token' } }), 401, /./);
    await expectStatus(h.request('GET', CM, { anonymous: true, headers: { authorization: 'Basic abc' } }), 401, /./);
  });

  it('kept the stored object intact and keeps serving', async () => {
    const keep = (await h.request('GET', `${CM}/keep`)).json();
    assert.deepEqual(keep.data, { a: '2' });
    assert.equal((await h.request('GET', '/clusters/root/version')).status, 200);
    assert.equal((await h.request('GET', '/readyz', { anonymous: true })).status, 200);
  });
});
