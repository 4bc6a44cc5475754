// Malformed and unsupported protobuf bodies: missing magic, garbage, truncation, unknown kinds and fields,
// wrong wire types, content encodings; and a fuzz check that decodeProtobuf only ever throws StatusErrors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { StatusError } from '../errors.ts';
import { decodeProtobuf, supportedProtobufKinds } from './protobuf.ts';
import { body, wire } from './protobuf-test-support.ts';

const role = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'role.pb'));

function statusOf(fn: () => unknown): { code: number; reason: string; message: string } {
  try { fn(); } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    return { code: e.code, reason: e.reason, message: e.status.message ?? '' };
  }
  assert.fail('expected decodeProtobuf to throw');
}

test('a body without the k8s\\0 magic is a 400', () => {
  for (const input of [Buffer.alloc(0), Buffer.from('k8s'), Buffer.from('{"kind":"Role"}'), Buffer.concat([Buffer.from('k8s\x01'), role.subarray(4)])]) {
    const s = statusOf(() => decodeProtobuf(input));
    assert.equal(s.code, 400);
    assert.match(s.message, /Kubernetes protobuf prefix/);
  }
});

test('garbage after the magic is a readable 400', () => {
  const s = statusOf(() => decodeProtobuf(Buffer.from([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f])));
  assert.equal(s.code, 400);
  assert.equal(s.reason, 'BadRequest');
  assert.match(s.message, /^unable to decode the protobuf request body \(envelope\): /);
});

test('truncated kubectl bodies are a 400', () => {
  // The Role ends with empty contentEncoding and contentType fields (4 bytes); cutting 10 bytes cuts into raw.
  for (const cut of [role.length - 10, 7, 30]) {
    const s = statusOf(() => decodeProtobuf(role.subarray(0, cut)));
    assert.equal(s.code, 400, `cut at ${cut}`);
    assert.match(s.message, /unable to decode the protobuf request body/);
  }
});

test('an empty envelope (no apiVersion/kind) is a 400', () => {
  const s = statusOf(() => decodeProtobuf(Buffer.from('k8s\0', 'latin1')));
  assert.equal(s.code, 400);
  assert.match(s.message, /no apiVersion or kind/);
});

test('an unknown kind is a 415 telling the client to send JSON', () => {
  const s = statusOf(() => decodeProtobuf(body('storage.k8s.io/v1', 'StorageClass', [[1, [[1, 'fast']]]])));
  assert.equal(s.code, 415);
  assert.equal(s.reason, 'UnsupportedMediaType');
  assert.equal(s.message, 'protobuf is not supported for storage.k8s.io/v1/StorageClass; send JSON (application/json)');
  assert.equal(statusOf(() => decodeProtobuf(body('v1', 'Role', []))).code, 415, 'kind under the wrong apiVersion');
});

test('a field we have no descriptor for is a 415 naming where it is, not silently dropped', () => {
  const affinity = body('v1', 'Pod', [[2, [[2, [[1, 'app']]], [18, [[1, []]]]]]]);
  const s = statusOf(() => decodeProtobuf(affinity));
  assert.equal(s.code, 415);
  assert.equal(s.message, 'protobuf field number 18 of PodSpec (at spec) is not supported for v1/Pod; send JSON (application/json)');
  assert.equal(statusOf(() => decodeProtobuf(body('rbac.authorization.k8s.io/v1', 'Role', [[9, 'x']]))).code, 415);
});

test('a field with the wrong wire type is a 400', () => {
  const s = statusOf(() => decodeProtobuf(body('v1', 'Namespace', [[1, 7]])));
  assert.equal(s.code, 400);
  assert.match(s.message, /\(v1\/Namespace\): metadata has wire type 0, expected 2/);
});

test('a compressed envelope is a 415', () => {
  const s = statusOf(() => decodeProtobuf(body('v1', 'Namespace', [[1, [[1, 'a']]]], 'gzip')));
  assert.equal(s.code, 415);
  assert.match(s.message, /content encoding "gzip"/);
});

test('an int64 beyond the safe integer range is a 400', () => {
  const raw = wire([[2, [[4, 2 ** 60]]]]);
  const s = statusOf(() => decodeProtobuf(body('authentication.k8s.io/v1', 'TokenRequest', raw)));
  assert.equal(s.code, 400);
  assert.match(s.message, /spec\.expirationSeconds is out of the safe integer range/);
});

test('invalid managedFields JSON is a 400', () => {
  const raw = wire([[1, [[17, [[7, [[1, '{not json']]]]]]]]);
  assert.equal(statusOf(() => decodeProtobuf(body('v1', 'ConfigMap', raw))).code, 400);
});

test('supportedProtobufKinds lists the kinds kubectl sends', () => {
  const kinds = supportedProtobufKinds();
  for (const k of ['rbac.authorization.k8s.io/v1/Role', 'v1/Secret', 'apps/v1/Deployment', 'authorization.k8s.io/v1/SelfSubjectAccessReview']) {
    assert.ok(kinds.includes(k), k);
  }
});

test('fuzz: random bytes and bit flips of a real body only ever yield an object or a 400/415 StatusError', () => {
  const check = (input: Buffer): void => {
    try {
      const obj = decodeProtobuf(input);
      assert.equal(typeof obj.metadata, 'object');
    } catch (e) {
      assert.ok(e instanceof StatusError && (e.code === 400 || e.code === 415), String(e));
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    check(Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytes]));
  }), { numRuns: 500 });
  fc.assert(fc.property(fc.nat(role.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
    const copy = Buffer.from(role);
    copy[at] ^= xor;
    check(copy);
  }), { numRuns: 500 });
  for (let cut = 0; cut <= role.length; cut++) check(role.subarray(0, cut));
});
