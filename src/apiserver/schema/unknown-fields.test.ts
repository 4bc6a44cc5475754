// Tests for unknown-field detection and fieldValidation handling over built-in and CRD schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFieldValidation, findUnknownFields, formatWarningHeader, parseFieldValidation } from './unknown-fields.ts';
import { builtinKinds, builtinSchema, customResourceSchema } from './builtin-index.ts';
import { StatusError } from '../errors.ts';
import type { Schema } from './schema-types.ts';

const schemaOf = (group: string, kind: string, version = 'v1'): Schema => {
  const s = builtinSchema(group, version, kind);
  assert.ok(s, `${group}/${kind} has a schema`);
  return s;
};

test('every built-in kind in the brief has a schema', () => {
  const keys = builtinKinds().map((k) => `${k.group}/${k.kind}`);
  for (const k of ['/Namespace', '/ServiceAccount', '/Secret', '/ConfigMap', '/Event', '/Pod', '/Service',
    '/PersistentVolumeClaim', '/PersistentVolume', '/Node', '/Endpoints', 'rbac.authorization.k8s.io/Role',
    'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/RoleBinding',
    'rbac.authorization.k8s.io/ClusterRoleBinding', 'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet',
    'apps/ReplicaSet', 'apiextensions.k8s.io/CustomResourceDefinition', 'events.k8s.io/Event']) {
    assert.ok(keys.includes(k), k);
  }
  assert.equal(builtinSchema('', 'v1', 'Nope'), undefined);
});

test('a valid Role has no unknown fields; typos are reported with list indices', () => {
  const role = schemaOf('rbac.authorization.k8s.io', 'Role');
  const good = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
    metadata: { name: 'r', namespace: 'default', labels: { a: 'b' }, annotations: { x: 'y' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'u', controller: true }] },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: ['p'] }],
  };
  assert.deepEqual(findUnknownFields(role, good), []);
  const bad = { ...good, metadata: { ...good.metadata, labelz: {} }, spec: { foo: 1 },
    rules: [good.rules[0], { verbz: ['get'], verbs: ['list'] }] };
  assert.deepEqual(findUnknownFields(role, bad), ['metadata.labelz', 'rules[1].verbz', 'spec']);
});

test('nested lists and maps in a Deployment are checked to the leaves, status included', () => {
  const dep = schemaOf('apps', 'Deployment');
  const obj = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'x' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: {
          containers: [
            { name: 'a', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: { limits: { cpu: '100m', memory: 1024 } },
              livenessProbe: { httpGet: { path: '/', port: 'http' }, anythingGoes: { deep: true } } },
            { name: 'b', image: 'busybox', env: [{ name: 'X', valuez: '1' }], imagez: 'typo' },
          ],
          volumes: [{ name: 'v', configMap: { name: 'c', items: [{ key: 'k', path: 'p' }] } }],
          affinity: { nodeAffinity: { whatever: 1 } },
        },
      },
    },
    status: { replicas: 2, made: 'up' },
  };
  assert.deepEqual(findUnknownFields(dep, obj), [
    'spec.template.spec.containers[0].livenessProbe.anythingGoes', 'spec.template.spec.containers[1].env[0].valuez',
    'spec.template.spec.containers[1].imagez', 'spec.template.spec.affinity.nodeAffinity.whatever', 'status.made',
  ]);
});

test('int-or-string fields accept numbers and strings and are not descended into', () => {
  const svc = schemaOf('', 'Service');
  const obj = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' },
    spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }], selector: { app: 'x' } } };
  assert.deepEqual(findUnknownFields(svc, obj), []);
  assert.deepEqual(findUnknownFields(svc, { ...obj, spec: { ...obj.spec, ports: [{ port: 1, targetPortz: 2 }] } }),
    ['spec.ports[0].targetPortz']);
});

test('map values with object schemas are checked under the map key', () => {
  const schema: Schema = { type: 'object', properties: {
    spec: { type: 'object', additionalProperties: { type: 'object', properties: { x: { type: 'string' } } } } } };
  assert.deepEqual(findUnknownFields(schema, { spec: { k1: { x: 'a' }, k2: { y: 'b' } } }), ['spec.k2.y']);
});

test('CRD objects: the CRD schema itself is strict, including nested JSONSchemaProps', () => {
  const crd = schemaOf('apiextensions.k8s.io', 'CustomResourceDefinition');
  const obj = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
      versions: [{
        name: 'v1', served: true, storage: true, subresources: { status: {} },
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
        schema: { openAPIV3Schema: { type: 'object', properties: {
          spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 },
            tags: { type: 'array', items: { type: 'string' } },
            extra: { type: 'object', additionalProperties: { type: 'string' } } } },
          status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
      }],
    },
  };
  assert.deepEqual(findUnknownFields(crd, obj), []);
  const props = obj.spec.versions[0].schema.openAPIV3Schema.properties as Record<string, unknown>;
  props.spec = { type: 'object', properties: { size: { type: 'integer', minimun: 1 } } };
  assert.deepEqual(findUnknownFields(crd, obj),
    ['spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.minimun']);
});

test('custom resources: the CRD schema drives detection; metadata is always ObjectMeta', () => {
  const schema = customResourceSchema({ type: 'object', properties: {
    spec: { type: 'object', properties: {
      size: { type: 'integer' }, port: { 'x-kubernetes-int-or-string': true },
      items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
    } },
    status: { type: 'object' },
  } });
  const cr = {
    apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labelz: {} },
    spec: { size: 1, port: 'http', items: [{ name: 'a' }, { name: 'b', nam: 'c' }], config: { a: { b: 1 } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', bad: 1 }, spec: { x: 1 } }, foo: true },
    status: { phase: 'x' },
  };
  assert.deepEqual(findUnknownFields(schema, cr, { sort: true }), [
    'metadata.labelz', 'spec.foo', 'spec.items[1].nam', 'spec.template.metadata.bad', 'spec.template.spec.x',
    'status.phase',
  ]);
  assert.deepEqual(findUnknownFields(customResourceSchema(undefined), cr), ['metadata.labelz']);
});

test('checkFieldValidation: Strict throws 400, Warn returns warnings, Ignore is silent', () => {
  const role = schemaOf('rbac.authorization.k8s.io', 'Role');
  const obj = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' },
    spec: { foo: 1 }, rules: [{ verbz: [] }] };
  assert.throws(() => checkFieldValidation('Strict', role, obj), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    assert.equal(e.message, 'strict decoding error: unknown field "spec", unknown field "rules[0].verbz"');
    return true;
  });
  assert.throws(() => checkFieldValidation('Strict', role, obj, { kind: 'Role', version: 'v1' }),
    /^Error: Role in version "v1" cannot be handled as a Role: strict decoding error: unknown field "spec"/);
  assert.deepEqual(checkFieldValidation('Warn', role, obj).warnings,
    ['unknown field "spec"', 'unknown field "rules[0].verbz"']);
  assert.deepEqual(checkFieldValidation('Ignore', role, obj).warnings, []);
  assert.deepEqual(checkFieldValidation('Strict', role, { metadata: { name: 'ok' } }).warnings, []);
  assert.equal(formatWarningHeader('unknown field "spec.foo"'), '299 - "unknown field \\"spec.foo\\""');
});

test('parseFieldValidation defaults to Warn and rejects other values with 422', () => {
  assert.equal(parseFieldValidation(undefined), 'Warn');
  assert.equal(parseFieldValidation('Strict'), 'Strict');
  assert.equal(parseFieldValidation('Ignore'), 'Ignore');
  assert.throws(() => parseFieldValidation('strict', 'PatchOptions'), (e: unknown) =>
    e instanceof StatusError && e.code === 422 && e.message.startsWith('PatchOptions.meta.k8s.io "" is invalid'));
});
