// A hostile "__proto__" key in a body (JSON.parse makes it an own property) is stored and served as data through
// create, update and patch: the key is kept, the stored object inherits nothing from it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';

const CM = '/clusters/root/api/v1/namespaces/default/configmaps';
const body = (name: string, data: string) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":${data}}`;

describe('a "__proto__" key in a body', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => { await h?.close(); });

  const dataOf = async (name: string): Promise<Record<string, unknown>> => {
    const r = await h.request('GET', `${CM}/${name}`);
    assert.equal(r.status, 200, r.body);
    return (r.json() as { data: Record<string, unknown> }).data;
  };
  const assertKept = (data: Record<string, unknown>, value: string) => {
    assert.ok(Object.hasOwn(data, '__proto__'), `"__proto__" kept as a key: ${JSON.stringify(data)}`);
    assert.equal(Object.getOwnPropertyDescriptor(data, '__proto__')?.value, value);
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
  };

  it('is kept as data on create and read back', async () => {
    const r = await h.request('POST', CM, { body: body('p1', '{"__proto__":"kept","a":"1"}') });
    assert.equal(r.status, 201, r.body);
    assert.match(r.body, /"__proto__":"kept"/);
    assertKept(await dataOf('p1'), 'kept');
  });

  it('as an object value is not inherited: refused as data (not a string), never silently dropped', async () => {
    const r = await h.request('POST', CM, { body: body('p2', '{"__proto__":{"polluted":"yes"},"a":"1"}') });
    assert.notEqual(r.status, 201, `stored: ${r.body}`);
    assert.equal(r.status, 400, r.body);
    const missing = await h.request('GET', `${CM}/p2`);
    assert.equal(missing.status, 404);
  });

  it('is kept through update and merge patch', async () => {
    const put = await h.request('PUT', `${CM}/p1`, { body: body('p1', '{"__proto__":"updated","b":"2"}') });
    assert.equal(put.status, 200, put.body);
    assertKept(await dataOf('p1'), 'updated');
    const patch = await h.request('PATCH', `${CM}/p1`, {
      body: '{"data":{"c":"3"}}', headers: { 'content-type': 'application/merge-patch+json' },
    });
    assert.equal(patch.status, 200, patch.body);
    const data = await dataOf('p1');
    assertKept(data, 'updated');
    assert.equal(data.c, '3');
  });
});
