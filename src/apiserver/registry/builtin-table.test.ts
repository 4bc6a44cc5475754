// The built-in resource table is what the vendored Kubernetes 1.32 OpenAPI says, and the served types carry
// Kubernetes' discovery facts: every default group, preferred versions, scopes, verbs, subresources, short names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildResourceTable, renderResourceTable } from './builtin-table-gen.ts';
import { builtinResourceTable, builtinTypes } from './builtins.ts';
import { builtinSchema } from '../schema/builtin-index.ts';

test('the committed table is what scripts/generate-builtin-api.ts derives from the vendored OpenAPI', () => {
  const swagger = JSON.parse(readFileSync(new URL('../../../vendor/kubernetes-1.32/swagger.json', import.meta.url), 'utf8'));
  const committed = readFileSync(new URL('./builtin-resources.json', import.meta.url), 'utf8');
  assert.equal(renderResourceTable(buildResourceTable(swagger)), committed);
});

test('every group a 1.32 cluster serves by default, with its versions, preferred first', () => {
  const groups = builtinResourceTable().groups.map((g) => `${g.group}:${g.versions.join(',')}`);
  for (const g of [':v1', 'apps:v1', 'batch:v1', 'networking.k8s.io:v1', 'policy:v1', 'storage.k8s.io:v1', 'autoscaling:v2,v1',
    'certificates.k8s.io:v1', 'discovery.k8s.io:v1', 'events.k8s.io:v1', 'scheduling.k8s.io:v1', 'node.k8s.io:v1',
    'admissionregistration.k8s.io:v1', 'flowcontrol.apiserver.k8s.io:v1', 'coordination.k8s.io:v1',
    'rbac.authorization.k8s.io:v1', 'authentication.k8s.io:v1', 'authorization.k8s.io:v1', 'apiextensions.k8s.io:v1',
    'apiregistration.k8s.io:v1']) assert.ok(groups.includes(g), g);
});

test('served types: scope, verbs, subresources and names as discovery of a 1.32 cluster shows them', () => {
  const types = new Map(builtinTypes().map((t) => [`${t.group}/${t.version}/${t.resource}`, t]));
  const cj = types.get('batch/v1/cronjobs')!;
  assert.equal(cj.kind, 'CronJob');
  assert.equal(cj.namespaced, true);
  assert.deepEqual(cj.shortNames, ['cj']);
  assert.deepEqual(cj.categories, ['all']);
  assert.deepEqual(cj.subresources.map((s) => `${s.name}:${s.verbs.join(',')}`), ['status:get,patch,update']);
  const ns = types.get('/v1/namespaces')!;
  assert.deepEqual(ns.verbs, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], 'no deletecollection');
  const deploy = types.get('apps/v1/deployments')!;
  const scale = deploy.subresources.find((s) => s.name === 'scale')!;
  assert.deepEqual([scale.group, scale.version, scale.kind], ['autoscaling', 'v1', 'Scale']);
  assert.equal(types.get('storage.k8s.io/v1/storageclasses')!.namespaced, false);
  assert.deepEqual(types.get('networking.k8s.io/v1/ingresses')!.shortNames, ['ing']);
  assert.ok(types.get('autoscaling/v1/horizontalpodautoscalers')!.versionView, 'v1 HPAs are a view of v2');
  assert.ok(!types.has('/v1/bindings') && !types.has('/v1/componentstatuses'), 'not storable');
  assert.ok(!types.has('authorization.k8s.io/v1/subjectaccessreviews'), 'review APIs come from the RBAC module');
  for (const t of types.values()) assert.ok(builtinSchema(t.group, t.version, t.kind), `${t.kind} has a schema`);
});

test('subresources that need running workloads answer 501 with the reason', async () => {
  const pods = builtinTypes().find((t) => t.resource === 'pods')!;
  const log = pods.subresources.find((s) => s.name === 'log')!;
  await assert.rejects(log.handle!({} as never, {} as never, undefined),
    (e: { code: number; message: string }) => e.code === 501 && /pods\/log is not served/.test(e.message));
  assert.equal(pods.subresources.find((s) => s.name === 'status')!.handle, undefined, 'status is served generically');
});
