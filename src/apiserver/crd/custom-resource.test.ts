// Table-driven custom-resource validation, pruning and defaulting, with the field paths and messages
// Kubernetes (kube-openapi + apiextensions-apiserver, 1.32) reports for each keyword.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledVersion } from './custom-resource.ts';
import { errorText } from './field-errors.ts';
import type { Props } from './json-schema.ts';

const obj = (spec: unknown, extra: Record<string, unknown> = {}) =>
  ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec, ...extra }) as any;

/** As the strategy runs it: the object decoded (pruned, defaulted) first, then validated. */
function errors(schema: Props, o: any, old?: any): string[] {
  const cv = new CompiledVersion(schema);
  cv.canonicalize(o);
  if (old) cv.canonicalize(old);
  return cv.validate(o, old).map(errorText);
}
const specSchema = (spec: Props, more: Partial<Props> = {}): Props => ({ type: 'object', properties: { spec: { type: 'object', ...spec } }, ...more });

const CASES: Array<{ name: string; spec: Props; value: unknown; want: string[] }> = [
  { name: 'type integer', spec: { properties: { size: { type: 'integer' } } }, value: { size: 'big' },
    want: ['spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"'] },
  { name: 'integral float accepted for integer', spec: { properties: { size: { type: 'integer' } } }, value: { size: 3 }, want: [] },
  { name: 'type number accepts integers', spec: { properties: { ratio: { type: 'number' } } }, value: { ratio: 2 }, want: [] },
  { name: 'type boolean', spec: { properties: { on: { type: 'boolean' } } }, value: { on: 'yes' },
    want: ['spec.on: Invalid value: "string": spec.on in body must be of type boolean: "string"'] },
  { name: 'type object', spec: { properties: { o: { type: 'object' } } }, value: { o: [1] },
    want: ['spec.o: Invalid value: "array": spec.o in body must be of type object: "array"'] },
  { name: 'null without nullable is dropped', spec: { properties: { n: { type: 'string' } } }, value: { n: null }, want: [] },
  { name: 'null of a required field', spec: { required: ['n'], properties: { n: { type: 'string' } } }, value: { n: null }, want: ['spec.n: Required value'] },
  { name: 'nullable allows null', spec: { properties: { n: { type: 'string', nullable: true } } }, value: { n: null }, want: [] },
  { name: 'required', spec: { required: ['size'], properties: { size: { type: 'integer' } } }, value: {},
    want: ['spec.size: Required value'] },
  { name: 'enum', spec: { properties: { color: { type: 'string', enum: ['red', 'blue'] } } }, value: { color: 'green' },
    want: ['spec.color: Unsupported value: "green": supported values: "red", "blue"'] },
  { name: 'enum of integers', spec: { properties: { n: { type: 'integer', enum: [1, 2] } } }, value: { n: 3 },
    want: ['spec.n: Unsupported value: 3: supported values: "1", "2"'] },
  { name: 'minimum', spec: { properties: { size: { type: 'integer', minimum: 1 } } }, value: { size: 0 },
    want: ['spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1'] },
  { name: 'exclusiveMinimum', spec: { properties: { size: { type: 'integer', minimum: 1, exclusiveMinimum: true } } }, value: { size: 1 },
    want: ['spec.size: Invalid value: 1: spec.size in body should be greater than 1'] },
  { name: 'maximum', spec: { properties: { size: { type: 'number', maximum: 10 } } }, value: { size: 10.5 },
    want: ['spec.size: Invalid value: 10.5: spec.size in body should be less than or equal to 10'] },
  { name: 'exclusiveMaximum', spec: { properties: { size: { type: 'integer', maximum: 10, exclusiveMaximum: true } } }, value: { size: 10 },
    want: ['spec.size: Invalid value: 10: spec.size in body should be less than 10'] },
  { name: 'multipleOf', spec: { properties: { n: { type: 'integer', multipleOf: 3 } } }, value: { n: 7 },
    want: ['spec.n: Invalid value: 7: spec.n in body should be a multiple of 3'] },
  { name: 'maxLength (runes)', spec: { properties: { s: { type: 'string', maxLength: 3 } } }, value: { s: 'abcd' },
    want: ['spec.s: Too long: may not be longer than 3'] },
  { name: 'maxLength counts characters, not bytes', spec: { properties: { s: { type: 'string', maxLength: 3 } } }, value: { s: 'äöü' }, want: [] },
  { name: 'minLength', spec: { properties: { s: { type: 'string', minLength: 2 } } }, value: { s: 'a' },
    want: ['spec.s: Invalid value: "a": spec.s in body should be at least 2 chars long'] },
  { name: 'pattern (RE2, unanchored)', spec: { properties: { s: { type: 'string', pattern: '^[a-z]+$' } } }, value: { s: 'ABC' },
    want: ["spec.s: Invalid value: \"ABC\": spec.s in body should match '^[a-z]+$'"] },
  { name: 'format', spec: { properties: { id: { type: 'string', format: 'uuid' } } }, value: { id: 'nope' },
    want: ['spec.id: Invalid value: "nope": spec.id in body must be of type uuid: "nope"'] },
  { name: 'format date-time ok', spec: { properties: { t: { type: 'string', format: 'date-time' } } }, value: { t: '2024-02-29T10:00:00Z' }, want: [] },
  { name: 'maxItems', spec: { properties: { l: { type: 'array', maxItems: 2, items: { type: 'string' } } } }, value: { l: ['a', 'b', 'c'] },
    want: ['spec.l: Too many: 3: must have at most 2 items'] },
  { name: 'minItems', spec: { properties: { l: { type: 'array', minItems: 1, items: { type: 'string' } } } }, value: { l: [] },
    want: ['spec.l: Invalid value: 0: spec.l in body should have at least 1 items'] },
  { name: 'items are validated with their index', spec: { properties: { l: { type: 'array', items: { type: 'integer' } } } }, value: { l: [1, 'x'] },
    want: ['spec.l[1]: Invalid value: "string": spec.l[1] in body must be of type integer: "string"'] },
  { name: 'list-type set duplicates', spec: { properties: { l: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } } }, value: { l: ['a', 'a'] },
    want: ['spec.l[1]: Duplicate value: "a"'] },
  { name: 'list-type map duplicate keys', spec: { properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, v: { type: 'integer' } } } } } },
    value: { l: [{ name: 'a', v: 1 }, { name: 'a', v: 2 }] },
    want: ['spec.l[1]: Duplicate value: map[string]interface {}{"name":"a"}'] },
  { name: 'maxProperties', spec: { properties: { m: { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } } } }, value: { m: { a: 'x', b: 'y' } },
    want: ['spec.m: Too many: 2: must have at most 1 items'] },
  { name: 'minProperties', spec: { properties: { m: { type: 'object', minProperties: 2, additionalProperties: { type: 'string' } } } }, value: { m: { a: 'x' } },
    want: ['spec.m: Invalid value: 1: spec.m in body should have at least 2 properties'] },
  { name: 'additionalProperties schema', spec: { properties: { m: { type: 'object', additionalProperties: { type: 'integer' } } } }, value: { m: { a: 'x' } },
    want: ['spec.m.a: Invalid value: "string": spec.m.a in body must be of type integer: "string"'] },
  { name: 'int-or-string', spec: { properties: { p: { 'x-kubernetes-int-or-string': true } } }, value: { p: true },
    want: ['spec.p: Invalid value: "boolean": spec.p in body must be of type integer,string: "boolean"'] },
  { name: 'int-or-string accepts both', spec: { properties: { p: { 'x-kubernetes-int-or-string': true }, q: { 'x-kubernetes-int-or-string': true } } }, value: { p: 80, q: 'http' }, want: [] },
  { name: 'anyOf', spec: { properties: { v: { type: 'integer', anyOf: [{ minimum: 10 }, { maximum: 1 }] } } }, value: { v: 5 },
    want: ['<nil>: Invalid value: "": "spec.v" must validate at least one schema (anyOf)', 'spec.v: Invalid value: 5: spec.v in body should be greater than or equal to 10'] },
  { name: 'oneOf none valid', spec: { properties: { v: { type: 'integer', oneOf: [{ minimum: 10 }, { maximum: 1 }] } } }, value: { v: 5 },
    want: ['<nil>: Invalid value: "": "spec.v" must validate one and only one schema (oneOf). Found none valid', 'spec.v: Invalid value: 5: spec.v in body should be greater than or equal to 10'] },
  { name: 'oneOf two valid', spec: { properties: { v: { type: 'integer', oneOf: [{ minimum: 1 }, { maximum: 10 }] } } }, value: { v: 5 },
    want: ['<nil>: Invalid value: "": "spec.v" must validate one and only one schema (oneOf). Found 2 valid alternatives'] },
  { name: 'allOf', spec: { properties: { v: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 3 }] } } }, value: { v: 5 },
    want: ['spec.v: Invalid value: 5: spec.v in body should be less than or equal to 3', '<nil>: Invalid value: "": "spec.v" must validate all the schemas (allOf)'] },
  { name: 'not', spec: { properties: { v: { type: 'string', not: { enum: ['admin'] } } } }, value: { v: 'admin' },
    want: ['<nil>: Invalid value: "": "spec.v" must not validate the schema (not)'] },
  { name: 'several errors are all reported, properties sorted', spec: { required: ['z'], properties: { b: { type: 'integer' }, a: { type: 'integer' }, z: { type: 'string' } } },
    value: { a: 'x', b: 'y' },
    want: ['spec.z: Required value', 'spec.a: Invalid value: "string": spec.a in body must be of type integer: "string"', 'spec.b: Invalid value: "string": spec.b in body must be of type integer: "string"'] },
];

describe('custom resource schema validation (Kubernetes messages)', () => {
  for (const c of CASES) {
    it(c.name, () => assert.deepEqual(errors(specSchema(c.spec), obj(c.value)), c.want));
  }
});

describe('x-kubernetes-validations', () => {
  const schema = specSchema({
    properties: {
      replicas: { type: 'integer' }, maxReplicas: { type: 'integer' }, name: { type: 'string' },
      image: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'image is immutable' }] },
      tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self.all(t, t.startsWith("v"))', messageExpression: '"tags must start with v, got " + self.join(",")' }] },
      mem: { type: 'string', 'x-kubernetes-validations': [{ rule: 'quantity(self).isLessThan(quantity("1Gi"))', reason: 'FieldValueForbidden', message: 'too much memory' }] },
    },
    'x-kubernetes-validations': [
      { rule: 'self.replicas <= self.maxReplicas', message: 'replicas must not exceed maxReplicas' },
      { rule: "!has(self.name) || self.name.matches('^[a-z]+$')", fieldPath: '.name' },
    ],
  });
  const table: Array<[string, unknown, unknown, string[]]> = [
    ['all rules pass', { replicas: 1, maxReplicas: 2, name: 'abc', tags: ['v1'], mem: '512Mi' }, undefined, []],
    ['message', { replicas: 3, maxReplicas: 2 }, undefined, ['spec: Invalid value: "object": replicas must not exceed maxReplicas']],
    ['default message and fieldPath', { replicas: 1, maxReplicas: 2, name: 'ABC' }, undefined,
      ["spec.name: Invalid value: \"object\": failed rule: !has(self.name) || self.name.matches('^[a-z]+$')"]],
    ['messageExpression', { replicas: 1, maxReplicas: 2, tags: ['v1', 'x2'] }, undefined, ['spec.tags: Invalid value: "array": tags must start with v, got v1,x2']],
    ['reason Forbidden and quantity library', { replicas: 1, maxReplicas: 2, mem: '2Gi' }, undefined, ['spec.mem: Forbidden: too much memory']],
    ['transition rule skipped on create', { replicas: 1, maxReplicas: 2, image: 'a' }, undefined, []],
    ['transition rule on update', { replicas: 1, maxReplicas: 2, image: 'b' }, { replicas: 1, maxReplicas: 2, image: 'a' }, ['spec.image: Invalid value: "string": image is immutable']],
    ['missing field in a rule', { replicas: 1 }, undefined, ['spec: Invalid value: "object": no such key: maxReplicas evaluating rule: self.replicas <= self.maxReplicas']],
  ];
  for (const [name, spec, oldSpec, want] of table) {
    it(name, () => assert.deepEqual(errors(schema, obj(spec), oldSpec ? obj(oldSpec) : undefined), want));
  }

  it('skips rules when the object has type errors, as Kubernetes does', () => {
    assert.deepEqual(errors(schema, obj({ replicas: 'x', maxReplicas: 1 })), [
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  it('stops a hostile rule (nested loops over a large list) within the cost bounds', () => {
    const s = specSchema({ properties: { l: { type: 'array', items: { type: 'integer' } } },
      'x-kubernetes-validations': [{ rule: 'self.l.all(a, self.l.all(b, self.l.all(c, a + b + c >= 0)))' }] });
    const started = Date.now();
    const errs = errors(s, obj({ l: Array.from({ length: 300 }, (_, i) => i) }));
    assert.ok(Date.now() - started < 2000);
    assert.equal(errs.length, 1);
    assert.match(errs[0], /^spec: Invalid value: "object": .*(cost limit exceeded|running out of cost budget)/);
  });
});

describe('pruning and defaulting', () => {
  it('prunes unknown fields, keeps preserved ones, fills defaults top-down, drops non-nullable nulls', () => {
    const cv = new CompiledVersion({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            size: { type: 'integer', default: 1 },
            color: { type: 'string', default: 'red' },
            nested: { type: 'object', default: {}, properties: { depth: { type: 'integer', default: 3 } } },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
            items: { type: 'array', items: { type: 'object', properties: { n: { type: 'string' }, p: { type: 'integer', default: 80 } } } },
            opt: { type: 'string' },
            embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } },
          },
        },
        status: { type: 'object', properties: { ready: { type: 'boolean' } } },
      },
    });
    const o = obj({
      extra: 1, color: null, opt: null,
      free: { anything: { goes: true }, known: { a: 'x', dropped: 1 } },
      items: [{ n: 'a', junk: true }],
      embedded: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, spec: { x: 'y', z: 1 } },
    }, { status: { ready: true, bogus: 1 }, topLevelJunk: 1 });
    cv.canonicalize(o);
    assert.deepEqual(o, obj({
      color: 'red',
      free: { anything: { goes: true }, known: { a: 'x' } },
      items: [{ n: 'a', p: 80 }],
      embedded: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, spec: { x: 'y' } },
      size: 1,
      nested: { depth: 3 },
    }, { status: { ready: true } }));
  });

  it('defaults on read without pruning', () => {
    const cv = new CompiledVersion(specSchema({ properties: { size: { type: 'integer', default: 5 } } }));
    const stored = obj({ kept: 'x' });
    cv.readDefaults(stored);
    assert.deepEqual(stored.spec, { kept: 'x', size: 5 });
  });
});
