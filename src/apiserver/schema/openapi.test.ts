// Tests for the /openapi/v3 index and group-version documents (shape kubectl relies on, hashes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentHash, openapiV3Document, openapiV3Index, type OpenAPIKind } from './openapi.ts';
import { builtinSchema, customResourceSchema } from './builtin-index.ts';
import { schemaForType } from './index.ts';
import type { Schema } from './schema-types.ts';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const RBAC = { group: 'rbac.authorization.k8s.io', version: 'v1' };
const rbacKinds = (): OpenAPIKind[] => [
  { kind: 'Role', resource: 'roles', namespaced: true, verbs: VERBS, schema: builtinSchema(RBAC.group, 'v1', 'Role') as Schema },
  { kind: 'ClusterRole', resource: 'clusterroles', namespaced: false, verbs: VERBS,
    schema: builtinSchema(RBAC.group, 'v1', 'ClusterRole') as Schema },
];

/** Every key of `sub` is in `sup` with a matching value; each element of a `sub` array matches some element of `sup`'s. */
function isSubset(sub: unknown, sup: unknown): boolean {
  if (Array.isArray(sub)) return Array.isArray(sup) && sub.every((s) => sup.some((x) => isSubset(s, x)));
  if (sub && typeof sub === 'object') {
    if (!sup || typeof sup !== 'object' || Array.isArray(sup)) return false;
    return Object.entries(sub).every(([k, v]) => isSubset(v, (sup as Record<string, unknown>)[k]));
  }
  return sub === sup;
}

test('the minimal document kubectl needs (protocol doc §4) is a subset of the Role document', () => {
  const minimal = JSON.parse('{"openapi":"3.0.0","paths":{"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/{name}":{"patch":{"x-kubernetes-group-version-kind":{"group":"rbac.authorization.k8s.io","version":"v1","kind":"Role"},"parameters":[{"name":"fieldValidation","in":"query"}]}}}}');
  const doc = openapiV3Document(RBAC, rbacKinds());
  assert.ok(isSubset(minimal, doc));
  assert.ok(!isSubset({ paths: { '/apis/rbac.authorization.k8s.io/v1/roles/{name}': {} } }, doc), 'subset check can fail');
  const clusterItem = (doc.paths as Record<string, Record<string, unknown>>)['/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}'];
  assert.ok(isSubset({ patch: { 'x-kubernetes-group-version-kind': { kind: 'ClusterRole' },
    parameters: [{ name: 'fieldValidation', in: 'query' }] } }, clusterItem));
});

test('paths: namespaced collection, item and all-namespaces list; verbs decide operations', () => {
  const doc = openapiV3Document(RBAC, rbacKinds());
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(paths).sort(), [
    '/apis/rbac.authorization.k8s.io/v1/clusterroles', '/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}',
    '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles',
    '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/{name}',
    '/apis/rbac.authorization.k8s.io/v1/roles',
  ]);
  const item = paths['/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/{name}'];
  assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
  const patchTypes = Object.keys(((item.patch as Record<string, unknown>).requestBody as { content: object }).content);
  assert.ok(patchTypes.includes('application/strategic-merge-patch+json'));
  const ro = openapiV3Document({ group: '', version: 'v1' }, [{ kind: 'Node', resource: 'nodes', namespaced: false,
    verbs: ['get', 'list'], schema: builtinSchema('', 'v1', 'Node') as Schema }]);
  const roPaths = ro.paths as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(roPaths['/api/v1/nodes/{name}']).sort(), ['get', 'parameters']);
  assert.deepEqual(Object.keys(roPaths['/api/v1/nodes']).sort(), ['get', 'parameters']);
});

test('components.schemas carry x-kubernetes-group-version-kind arrays and patch metadata', () => {
  const doc = openapiV3Document({ group: 'apps', version: 'v1' }, [{ kind: 'Deployment', resource: 'deployments',
    namespaced: true, verbs: VERBS, schema: builtinSchema('apps', 'v1', 'Deployment') as Schema }]);
  const schemas = (doc.components as { schemas: Record<string, Schema> }).schemas;
  const dep = schemas['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(dep['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
  // Follows $ref properties through the document's own components, as kubectl does.
  // Properties with a description or patch metadata carry their $ref in allOf, as Kubernetes publishes v3.
  const refOf = (def: string, prop: string): string => {
    const p = schemas[def].properties?.[prop] as Schema & { allOf?: Schema[] };
    return (p.$ref ?? p.allOf?.[0].$ref ?? '').slice('#/components/schemas/'.length);
  };
  const podSpecDef = refOf(refOf(refOf('io.k8s.api.apps.v1.Deployment', 'spec'), 'template'), 'spec');
  assert.equal(podSpecDef, 'io.k8s.api.core.v1.PodSpec');
  const containers = schemas[podSpecDef].properties?.containers as Schema;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.deepEqual(schemas['io.k8s.api.apps.v1.DeploymentList']['x-kubernetes-group-version-kind'],
    [{ group: 'apps', version: 'v1', kind: 'DeploymentList' }]);
  assert.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Patch']);
});

test('CRDs reference JSONSchemaProps, which is included; custom resources do not offer strategic merge', () => {
  const crdDoc = openapiV3Document({ group: 'apiextensions.k8s.io', version: 'v1' }, [{ kind: 'CustomResourceDefinition',
    resource: 'customresourcedefinitions', namespaced: false, verbs: VERBS,
    schema: builtinSchema('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition') as Schema }]);
  const names = Object.keys((crdDoc.components as { schemas: object }).schemas);
  assert.ok(names.includes('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps'));
  assert.doesNotThrow(() => JSON.stringify(crdDoc));
  const widget: OpenAPIKind = { kind: 'Widget', resource: 'widgets', namespaced: true, verbs: VERBS,
    schema: customResourceSchema({ type: 'object', properties: { spec: { type: 'object' } } }) };
  const doc = openapiV3Document({ group: 'example.com', version: 'v1' }, [widget]);
  const item = (doc.paths as Record<string, Record<string, { requestBody: { content: object } }>>)[
    '/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'];
  assert.deepEqual(Object.keys(item.patch.requestBody.content).sort(),
    ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
  assert.ok((doc.components as { schemas: object }).schemas.hasOwnProperty('com.example.v1.Widget'));
});

test('index lists group-versions with hashes that change with the document', () => {
  const docA = openapiV3Document(RBAC, rbacKinds());
  const docB = openapiV3Document(RBAC, rbacKinds().slice(0, 1));
  const index = openapiV3Index([{ group: '', version: 'v1', kinds: [] }, { ...RBAC, document: docA }]);
  assert.deepEqual(Object.keys(index.paths), ['api/v1', 'apis/rbac.authorization.k8s.io/v1']);
  const url = index.paths['apis/rbac.authorization.k8s.io/v1'].serverRelativeURL;
  assert.equal(url, `/openapi/v3/apis/rbac.authorization.k8s.io/v1?hash=${documentHash(docA)}`);
  assert.match(documentHash(docA), /^[0-9A-F]{128}$/);
  assert.notEqual(documentHash(docA), documentHash(docB));
  assert.equal(documentHash(docA), documentHash(openapiV3Document(RBAC, rbacKinds())), 'stable for equal input');
  const viaKinds = openapiV3Index([{ ...RBAC, kinds: rbacKinds() }]);
  assert.equal(viaKinds.paths['apis/rbac.authorization.k8s.io/v1'].serverRelativeURL, url);
  assert.equal(openapiV3Index([{ ...RBAC, hash: 'ABC' }]).paths['apis/rbac.authorization.k8s.io/v1'].serverRelativeURL,
    '/openapi/v3/apis/rbac.authorization.k8s.io/v1?hash=ABC');
});

test('schemaForType picks the built-in schema or the CRD schema', () => {
  assert.equal(schemaForType({ group: '', version: 'v1', kind: 'ConfigMap' }), builtinSchema('', 'v1', 'ConfigMap'));
  const cr = schemaForType({ group: 'example.com', version: 'v1', kind: 'Widget', custom: true,
    schema: { type: 'object', properties: { spec: { type: 'object' } } } });
  assert.ok(cr?.properties?.metadata && cr.properties.spec);
  assert.equal(schemaForType({ group: 'x.io', version: 'v1', kind: 'Unknown' }), undefined);
});

test('/openapi/v2 in gnostic protobuf carries definitions with patch metadata (kubectl 1.27/1.28 apply)', async () => {
  const { openapiV2 } = await import('./openapi-v2.ts');
  const protobuf = (await import('protobufjs')).default;
  const doc = openapiV2();
  // Read back by field number, independently of the encoder's descriptors: Document.definitions = 9,
  // Definitions.additional_properties = 1, NamedSchema {name 1, value 2}, Schema.vendor_extension = 31.
  const fields = (buf: Uint8Array): Array<[number, Uint8Array | number]> => {
    const r = protobuf.Reader.create(buf);
    const out: Array<[number, Uint8Array | number]> = [];
    while (r.pos < r.len) {
      const tag = r.uint32();
      if ((tag & 7) === 2) out.push([tag >>> 3, r.bytes()]); else { r.skipType(tag & 7); out.push([tag >>> 3, 0]); }
    }
    return out;
  };
  const text = (b: Uint8Array | number) => Buffer.from(b as Uint8Array).toString();
  const definitions = fields(fields(doc.protobuf).find(([id]) => id === 9)![1] as Uint8Array);
  const named = definitions.map(([, b]) => fields(b as Uint8Array));
  const podSpec = named.find((n) => text(n.find(([id]) => id === 1)![1]) === 'io.k8s.api.core.v1.PodSpec')!;
  assert.ok(podSpec, 'PodSpec is defined');
  const json = JSON.parse(doc.json) as { swagger: string; definitions: Record<string, { properties: Record<string, Record<string, unknown>> }> };
  assert.equal(json.swagger, '2.0');
  assert.equal(json.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal((json.definitions['io.k8s.api.apps.v1.DeploymentSpec'].properties.template as { $ref: string }).$ref,
    '#/definitions/io.k8s.api.core.v1.PodTemplateSpec');
});
