// Tests for the JSONPath subset and custom-resource printer columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJsonPath, JsonPathError, parseJsonPath } from './jsonpath.ts';
import { cellFor, customResourcePrinter } from './custom-columns.ts';
import type { KObject } from '../storage/interface.ts';

const now = new Date('2024-05-01T12:00:00Z');
const obj = {
  apiVersion: 'example.com/v1', kind: 'Widget',
  metadata: { name: 'w1', creationTimestamp: '2024-05-01T11:00:00Z', labels: { 'app.kubernetes.io/name': 'w' } },
  spec: { size: 3, ratio: 1.5, enabled: true, tags: ['a', 'b', 'c'], nested: { x: 1 } },
  status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True', reason: 'Ok' }] },
};
const eval1 = (p: string): unknown[] => evaluateJsonPath(parseJsonPath(p), obj);

test('JSONPath subset: fields, brackets, indices, slices, wildcards, filters', () => {
  assert.deepEqual(eval1('.spec.size'), [3]);
  assert.deepEqual(eval1('{.spec.size}'), [3]);
  assert.deepEqual(eval1('$.spec.size'), [3]);
  assert.deepEqual(eval1(".metadata.labels['app.kubernetes.io/name']"), ['w']);
  assert.deepEqual(eval1('.spec.tags[1]'), ['b']);
  assert.deepEqual(eval1('.spec.tags[-1]'), ['c']);
  assert.deepEqual(eval1('.spec.tags[0:2]'), ['a', 'b']);
  assert.deepEqual(eval1('.spec.tags[*]'), ['a', 'b', 'c']);
  assert.deepEqual(eval1('.status.conditions[*].type'), ['Synced', 'Ready']);
  assert.deepEqual(eval1('.status.conditions[?(@.type=="Ready")].status'), ['True']);
  assert.deepEqual(eval1(".status.conditions[?(@.type != 'Ready')].type"), ['Synced']);
  assert.deepEqual(eval1('.status.conditions[?(@.reason)].type'), ['Ready']);
  assert.deepEqual(eval1('.spec.nested.*'), [1]);
  assert.deepEqual(eval1('.spec.missing.deeper'), []);
  assert.deepEqual(eval1('.spec.tags[7]'), []);
  assert.throws(() => parseJsonPath('..spec'), JsonPathError);
  assert.throws(() => parseJsonPath('.spec[?(@.a=="x"'), JsonPathError);
});

test('cells are typed like the apiextensions table convertor', () => {
  assert.equal(cellFor('integer', 3.7, now), 3);
  assert.equal(cellFor('integer', '3', now), null);
  assert.equal(cellFor('number', 1.5, now), 1.5);
  assert.equal(cellFor('boolean', true, now), true);
  assert.equal(cellFor('string', 'x', now), 'x');
  assert.equal(cellFor('string', 5, now), '5');
  assert.equal(cellFor('string', { a: 1 }, now), '{"a":1}');
  assert.equal(cellFor('date', '2024-05-01T11:00:00Z', now), '60m');
  assert.equal(cellFor('date', 'nope', now), '<invalid>');
  assert.equal(cellFor('string', undefined, now), null);
});

test('CRD printer columns and the default Name + Age', () => {
  const p = customResourcePrinter([
    { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', priority: 1 },
    { name: 'Broken', type: 'string', jsonPath: '..bad' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ]);
  assert.deepEqual(p.columns.map((c) => [c.name, c.type, c.priority]),
    [['Name', 'string', 0], ['Size', 'integer', 0], ['Ready', 'string', 1], ['Broken', 'string', 0], ['Age', 'date', 0]]);
  assert.equal(p.columns[0].format, 'name');
  assert.deepEqual(p.row(obj as KObject, now).cells, ['w1', 3, 'True', null, '60m']);
  const dflt = customResourcePrinter(undefined);
  assert.deepEqual(dflt.columns.map((c) => [c.name, c.type]), [['Name', 'string'], ['Age', 'date']]);
  assert.deepEqual(dflt.row(obj as KObject, now).cells, ['w1', '60m']);
});
