// Tests for the FieldsV1 field-path set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.ts';
import { FieldSet, keyElement, pathString } from './field-set.ts';

test('FieldsV1 round-trips, with "." for members that have children', () => {
  const v1 = { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } }, 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } };
  const s = FieldSet.fromFieldsV1(v1);
  assert.deepEqual(s.toFieldsV1(), v1);
  assert.equal(s.has(['f:metadata', 'f:labels']), true);
  assert.equal(s.has(['f:metadata']), false);
  assert.equal(s.hasAtOrBelow(['f:metadata']), true);
  assert.throws(() => FieldSet.fromFieldsV1({ 'x:bad': {} }), (e: unknown) => e instanceof StatusError && e.code === 400);
});

test('set algebra over member paths', () => {
  const a = FieldSet.of([['f:a'], ['f:b', 'f:c']]);
  const b = FieldSet.of([['f:b', 'f:c'], ['f:d']]);
  assert.deepEqual(a.union(b).paths(), [['f:a'], ['f:b', 'f:c'], ['f:d']]);
  assert.deepEqual(a.difference(b).paths(), [['f:a']]);
  assert.deepEqual(a.intersection(b).paths(), [['f:b', 'f:c']]);
  assert.deepEqual(a.without(FieldSet.of([['f:b']])).paths(), [['f:a']]);
  assert.equal(a.equals(FieldSet.of([['f:b', 'f:c'], ['f:a']])), true);
});

test('keys and printed paths follow Kubernetes', () => {
  assert.equal(keyElement({ protocol: 'TCP', containerPort: 80, name: 'http' }, ['containerPort', 'protocol']), 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"c1"}', 'f:image']), '.spec.containers[name="c1"].image');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"x/y"']), '.metadata.finalizers[="x/y"]');
  assert.equal(pathString(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']), '.ports[containerPort=80,protocol="TCP"]');
});
