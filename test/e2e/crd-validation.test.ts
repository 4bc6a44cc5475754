// End-to-end through kubectl: a CRD validated, pruned and defaulted as Kubernetes does (422 with field causes,
// a CEL rule's message), kubectl explain, the status and scale subresources, a deprecated version's warning,
// a non-structural CRD refused, and defaults applied on read after the CRD gains one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: { plural: gadgets, singular: gadget, kind: Gadget }
  versions:
  - name: v1beta1
    served: true
    storage: false
    deprecated: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: { type: object, x-kubernetes-preserve-unknown-fields: true }
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: { specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas }
    schema:
      openAPIV3Schema:
        type: object
        description: A gadget is a test resource.
        properties:
          spec:
            type: object
            description: What the gadget should be.
            required: [size]
            x-kubernetes-validations:
            - rule: "self.replicas <= self.maxReplicas"
              message: replicas must not exceed maxReplicas
            properties:
              size: { type: integer, minimum: 1, description: How big the gadget is. }
              color: { type: string, enum: [red, blue], default: red }
              replicas: { type: integer, default: 1 }
              maxReplicas: { type: integer, default: 10 }
          status:
            type: object
            properties:
              replicas: { type: integer }
              phase: { type: string }
`;

const gadget = (spec: string, name = 'g1') =>
  `apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n${spec}`;

describe('custom resources validated, pruned and defaulted as Kubernetes does', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.kubectl(['apply', '-f', '-'], { input: CRD });
    await h.server.settle();
  });
  after(async () => { await h?.close(); });

  it('refuses invalid objects with 422 and Kubernetes field causes', async () => {
    const r = await h.kubectl(['apply', '-f', '-'], { input: gadget('  size: big\n  color: green\n'), allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Gadget "g1" is invalid:/);
    assert.match(r.stderr, /spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"/);
    assert.match(r.stderr, /spec.color: Unsupported value: "green": supported values: "red", "blue"/);
    const missing = await h.kubectl(['apply', '-f', '-'], { input: gadget('  color: red\n'), allowFail: true });
    assert.match(missing.stderr, /spec.size: Required value/);
    const small = await h.request('POST', '/apis/example.com/v1/namespaces/default/gadgets', { body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g0' }, spec: { size: 0 } } });
    assert.equal(small.status, 422);
    assert.deepEqual(small.json().details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0: spec.size in body should be greater than or equal to 1', field: 'spec.size' }]);
  });

  it('answers a failing CEL rule with its message', async () => {
    const r = await h.kubectl(['apply', '-f', '-'], { input: gadget('  size: 1\n  replicas: 5\n  maxReplicas: 2\n'), allowFail: true });
    assert.match(r.stderr, /spec: Invalid value: "object": replicas must not exceed maxReplicas/);
  });

  it('prunes unknown fields and applies defaults', async () => {
    const r = await h.kubectl(['apply', '--validate=warn', '-f', '-'], { input: gadget('  size: 2\n  extra: 1\n') });
    assert.match(r.stderr, /unknown field "spec.extra"/);
    const g = JSON.parse((await h.kubectl(['get', 'gadget', 'g1', '-n', 'default', '-o', 'json'])).stdout);
    assert.deepEqual(g.spec, { size: 2, color: 'red', replicas: 1, maxReplicas: 10 });
    assert.equal(g.apiVersion, 'example.com/v1');
  });

  it('explains the custom resource from its published schema', async () => {
    const r = await h.kubectl(['explain', 'gadgets.spec']);
    assert.match(r.stdout, /KIND:\s+Gadget/);
    assert.match(r.stdout, /What the gadget should be/);
    assert.match(r.stdout, /size\s+<integer> -required-/);
    assert.match(r.stdout, /How big the gadget is/);
  });

  it('scales through the scale subresource', async () => {
    await h.kubectl(['scale', 'gadget', 'g1', '-n', 'default', '--replicas=3']);
    const g = JSON.parse((await h.kubectl(['get', 'gadget', 'g1', '-n', 'default', '-o', 'json'])).stdout);
    assert.equal(g.spec.replicas, 3);
    const scale = await h.request('GET', '/apis/example.com/v1/namespaces/default/gadgets/g1/scale');
    assert.equal(scale.json().kind, 'Scale');
    assert.equal(scale.json().spec.replicas, 3);
    const tooMany = await h.kubectl(['scale', 'gadget', 'g1', '-n', 'default', '--replicas=11'], { allowFail: true });
    assert.match(tooMany.stderr, /replicas must not exceed maxReplicas/);
  });

  it('keeps status apart from the main resource and spec apart from /status', async () => {
    await h.kubectl(['patch', 'gadget', 'g1', '-n', 'default', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":3,"phase":"Ready"},"spec":{"size":9}}']);
    let g = JSON.parse((await h.kubectl(['get', 'gadget', 'g1', '-n', 'default', '-o', 'json'])).stdout);
    assert.deepEqual(g.status, { replicas: 3, phase: 'Ready' });
    assert.equal(g.spec.size, 2);
    await h.kubectl(['patch', 'gadget', 'g1', '-n', 'default', '--type=merge', '-p', '{"status":{"phase":"Hacked"},"spec":{"size":4}}']);
    g = JSON.parse((await h.kubectl(['get', 'gadget', 'g1', '-n', 'default', '-o', 'json'])).stdout);
    assert.equal(g.status.phase, 'Ready');
    assert.equal(g.spec.size, 4);
    assert.equal(g.metadata.generation, 3);
    const created = await h.kubectl(['apply', '-f', '-'], { input: `${gadget('  size: 1\n', 'g2')}status:\n  phase: Preset\n` });
    assert.equal(created.code, 0);
    const g2 = JSON.parse((await h.kubectl(['get', 'gadget', 'g2', '-n', 'default', '-o', 'json'])).stdout);
    assert.equal(g2.status, undefined);
  });

  it('serves the deprecated version with a warning, from the same stored objects', async () => {
    const r = await h.kubectl(['get', 'gadgets.v1beta1.example.com', 'g1', '-n', 'default', '-o', 'json']);
    assert.match(r.stderr, /example.com\/v1beta1 Gadget is deprecated; use example.com\/v1 Gadget/);
    const g = JSON.parse(r.stdout);
    assert.equal(g.apiVersion, 'example.com/v1beta1');
    assert.equal(g.spec.size, 4);
  });

  it('applies defaults added to the schema later when reading stored objects', async () => {
    const crd = JSON.parse((await h.kubectl(['get', 'crd', 'gadgets.example.com', '-o', 'json'])).stdout);
    crd.spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.shape = { type: 'string', default: 'round' };
    await h.kubectl(['replace', '-f', '-'], { input: JSON.stringify(crd) });
    await h.server.settle();
    const g = JSON.parse((await h.kubectl(['get', 'gadget', 'g1', '-n', 'default', '-o', 'json'])).stdout);
    assert.equal(g.spec.shape, 'round');
  });

  it('refuses a CRD whose schema is not structural, with Kubernetes messages', async () => {
    const bad = CRD.replace('gadgets.example.com', 'badgets.example.com').replace('{ plural: gadgets, singular: gadget, kind: Gadget }', '{ plural: badgets, kind: Badget }')
      .replace('size: { type: integer, minimum: 1, description: How big the gadget is. }', 'size: { minimum: 1 }');
    const r = await h.kubectl(['apply', '-f', '-'], { input: bad, allowFail: true });
    assert.match(r.stderr, /spec.versions\[1\].schema.openAPIV3Schema.properties\[spec\].properties\[size\].type: Required value: must not be empty for specified object fields/);
  });
});
