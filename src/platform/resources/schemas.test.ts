// Unit tests of the platform schemas: field paths of causes, objects YAML parsing, durations, strategies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationSeconds, parseObjects, projectSpecSchema, tenantClusterSpecSchema, userSpecSchema, zodCauses } from './schemas.ts';
import { tenantClusterStrategy } from './strategies.ts';

describe('schemas', () => {
  it('reports causes with Kubernetes field paths', () => {
    const c = zodCauses(tenantClusterSpecSchema, { project: 'p', access: { rules: [{ users: ['a'], clusterRole: 'x/y' }] }, bogus: 1 }, 'spec');
    assert.deepEqual(c.map((x) => x.field).sort(), ['spec', 'spec.access.rules[0].clusterRole']);
    assert.match(c.find((x) => x.field === 'spec')!.message, /unknown field\(s\): bogus/);
  });

  it('validates users, projects and durations', () => {
    assert.equal(zodCauses(userSpecSchema, { email: 'not-an-email' }, 'spec').length, 1);
    assert.equal(zodCauses(userSpecSchema, { password: 'short' }, 'spec')[0].message, 'must be at least 8 characters');
    assert.equal(zodCauses(projectSpecSchema, { members: [{ user: 'a', role: 'owner' }] }, 'spec').length, 1);
    assert.equal(zodCauses(projectSpecSchema, { credentialPolicy: { maxKeyTTL: '30 days' } }, 'spec').length, 1);
    assert.deepEqual(zodCauses(projectSpecSchema, { credentialPolicy: { maxKeyTTL: '720h', allowUnscopedKeys: false } }, 'spec'), []);
    assert.equal(parseDurationSeconds('1h30m'), 5400);
    assert.equal(parseDurationSeconds('90s'), 90);
    assert.throws(() => parseDurationSeconds('1d'));
  });

  it('parses multi-document objects and explains bad ones', () => {
    assert.equal(parseObjects('kind: A\napiVersion: v1\nmetadata: {name: a}\n---\n---\nkind: B\napiVersion: v1\nmetadata: {name: b}\n').objects.length, 2);
    assert.match(parseObjects('kind: A\n---\n').error!, /document 1 needs apiVersion, kind and metadata.name/);
    assert.match(parseObjects('- a\n').error!, /document 1 is not a mapping/);
    assert.deepEqual(parseObjects(undefined), { objects: [] });
  });
});

describe('tenant cluster strategy', () => {
  it('defaults the spec, adds the finalizer, and keeps project and host immutable', () => {
    const obj = { metadata: { name: 'dev' }, spec: { project: 'p' } as Record<string, unknown> };
    tenantClusterStrategy.prepareForCreate!(obj);
    assert.deepEqual(obj.metadata, { name: 'dev', generation: 1, finalizers: ['management.portcullis.io/tenant-cluster', 'management.portcullis.io/host-rbac'] });
    const status = (obj as { status?: { phase: string; conditions: Array<Record<string, string>> } }).status;
    assert.equal(status?.phase, 'Pending');
    assert.deepEqual(status?.conditions.map((c) => [c.type, c.status, c.reason]), [['Ready', 'False', 'Queued']], 'a new tenant says it waits in the queue');
    assert.equal(obj.spec.hostCluster, 'host');
    assert.equal(obj.spec.hostNamespace, 'tc-dev');
    assert.deepEqual(obj.spec.access, { defaultClusterRole: 'cluster-admin' });
    assert.deepEqual(obj.spec.delegation, { resources: [{ group: '', resource: 'nodes' }] });
    const moved = { metadata: { name: 'dev' }, spec: { ...obj.spec, project: 'q' } };
    assert.deepEqual(tenantClusterStrategy.validateUpdate!(moved, obj).map((c) => c.field), ['spec.project']);
    assert.deepEqual(tenantClusterStrategy.validateName!('host'), ['"host" is a reserved logical cluster name']);
  });
});
