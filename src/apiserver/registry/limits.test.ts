// Tests for the limits on stored objects: nesting depth (422) and encoded size (413), whatever write built them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import type { ResourceType } from './types.ts';
import { checkStorable, MAX_OBJECT_BYTES } from './limits.ts';

const t = { kind: 'Widget', group: 'example.com', resource: 'widgets' } as ResourceType;
const codeOf = (obj: KObject): number | undefined => {
  try { checkStorable(t, obj); return undefined; } catch (e) { assert.ok(e instanceof StatusError); return e.code; }
};
const nest = (n: number): unknown => { let v: unknown = {}; for (let i = 0; i < n; i++) v = { a: v }; return v; };

test('objects within the limits pass', () => {
  assert.equal(codeOf({ metadata: { name: 'w' }, spec: nest(200), data: 'x'.repeat(MAX_OBJECT_BYTES - 5000) }), undefined);
});

test('an object grown deeper than bodies may be (patch after patch) is a 422', () => {
  assert.equal(codeOf({ metadata: { name: 'w' }, spec: nest(300) }), 422);
  assert.equal(codeOf({ metadata: { name: 'w' }, spec: nest(100000) }), 422, 'no stack overflow however deep');
});

test('an object whose JSON is over 3 MiB is a 413, counted in bytes', () => {
  assert.equal(codeOf({ metadata: { name: 'w' }, data: 'x'.repeat(MAX_OBJECT_BYTES) }), 413);
  assert.equal(codeOf({ metadata: { name: 'w' }, data: 'é'.repeat(MAX_OBJECT_BYTES / 2) }), 413);
});

test('the size is JSON bytes whether the cheap bound or the exact encoding decides', () => {
  // control characters encode as six bytes each (\u0001)
  assert.equal(codeOf({ metadata: { name: 'w' }, data: '\u0001'.repeat(MAX_OBJECT_BYTES / 6 + 1) }), 413);
  assert.equal(codeOf({ metadata: { name: 'w' }, data: '\u0001'.repeat(MAX_OBJECT_BYTES / 6 - 100) }), undefined);
  // values that are not plain JSON data are measured as JSON.stringify encodes them
  const big = { toJSON: () => 'x'.repeat(MAX_OBJECT_BYTES) };
  assert.equal(codeOf({ metadata: { name: 'w' }, spec: big } as unknown as KObject), 413);
  assert.equal(codeOf({ metadata: { name: 'w' }, spec: nest(300), n: 1n } as unknown as KObject), 422);
});
