// Tests for RFC 7386 JSON merge patch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { applyMergePatch, mergePatch } from './merge-patch.ts';

test('RFC 7386 appendix A examples', () => {
  const cases: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) assert.deepEqual(mergePatch(target, patch), want, JSON.stringify([target, patch]));
});

test('kubectl label patch: null removes a label, other labels stay; input untouched', () => {
  const live: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1', b: '1' } }, data: { k: 'v' } };
  const out = applyMergePatch(live, { metadata: { labels: { a: null, c: '3' } } });
  assert.deepEqual(out.metadata.labels, { b: '1', c: '3' });
  assert.deepEqual(out.data, { k: 'v' });
  assert.deepEqual(live.metadata.labels, { a: '1', b: '1' });
  out.data = { changed: 'x' };
  assert.deepEqual(live.data, { k: 'v' });
});

test('a non-object patch or one removing metadata is a 400', () => {
  const live: KObject = { metadata: { name: 'c' } };
  for (const bad of [[1], 'x', null, { metadata: null }]) {
    assert.throws(() => applyMergePatch(live, bad), (e: unknown) => e instanceof StatusError && e.code === 400);
  }
});
