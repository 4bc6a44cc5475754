// CRD schema checks: non-structural schemas and unsupported keywords refused with Kubernetes' paths and messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateCrdSchema } from './structural.ts';
import { errorText } from './field-errors.ts';
import type { Props } from './json-schema.ts';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const check = (s: Props): string[] => validateCrdSchema(s, P).map(errorText);
const root = (spec: Props): Props => ({ type: 'object', properties: { spec } });

describe('CRD schema checks', () => {
  const table: Array<[string, Props, string[]]> = [
    ['structural schema accepted', root({ type: 'object', properties: { a: { type: 'string' } } }), []],
    ['missing type of a field', root({ type: 'object', properties: { a: {} } }),
      [`${P}.properties[spec].properties[a].type: Required value: must not be empty for specified object fields`]],
    ['missing type at the root', { properties: { spec: { type: 'object' } } }, [`${P}.type: Required value: must not be empty at the root`]],
    ['array without items', root({ type: 'array' }), [`${P}.properties[spec].items: Required value: must be specified`]],
    ['type inside anyOf', root({ type: 'object', anyOf: [{ type: 'string' }] }),
      [`${P}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`]],
    ['uniqueItems', root({ type: 'array', items: { type: 'string' }, uniqueItems: true }),
      [`${P}.properties[spec].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`]],
    ['$ref', root({ type: 'object', $ref: '#/definitions/x' }), [`${P}.properties[spec].$ref: Forbidden: $ref is not supported`]],
    ['properties with additionalProperties', root({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } }),
      [`${P}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`]],
    ['metadata beyond name', { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } },
      [`${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`]],
    ['list map keys must be item properties', root({ type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { n: { type: 'string' } } } }),
      [`${P}.properties[spec].x-kubernetes-list-map-keys: Invalid value: []interface {}{"name"}: entries must all be names of item properties`]],
    ['default that does not validate', root({ type: 'object', properties: { size: { type: 'integer', default: 'big' } } }),
      [`${P}.properties[spec].properties[size].default: Invalid value: "string":  in body must be of type integer: "string"`]],
    ['rule that does not compile', root({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a >' }] }),
      [`${P}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: "self.a >": compilation failed: ERROR: <input>:1:8: found > but expecting end of input`]],
    ['rule with an undeclared reference', root({ type: 'object', 'x-kubernetes-validations': [{ rule: 'foo == 1' }] }),
      [`${P}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: "foo == 1": compilation failed: ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')`]],
  ];
  for (const [name, s, want] of table) it(name, () => assert.deepEqual(check(s), want));
});
