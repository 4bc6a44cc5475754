// What a tenant spec change grants: only new subject/role pairs, changed objects, newly delegated resources and
// changed custom host rules count; an unchanged spec grants nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newGrants } from './tenant-grants.ts';
import { userGrants, teamGrants } from './directory-grants.ts';
import type { TenantClusterSpec } from '../resources/index.ts';

const base: TenantClusterSpec = { project: 'p', access: { defaultClusterRole: 'cluster-admin', rules: [{ users: ['carol'], clusterRole: 'view' }] } };
const what = (before: TenantClusterSpec | undefined, after: TenantClusterSpec) => newGrants('t1', before, after).map((g) => `${g.cluster}:${g.what}`);

describe('newGrants', () => {
  it('grants nothing for an unchanged spec', () => {
    assert.deepEqual(what(base, structuredClone(base)), []);
  });
  it('counts a subject newly given an existing role, a new default and a new owner', () => {
    assert.deepEqual(what(base, { ...base, access: { ...base.access, rules: [{ users: ['carol', 'dev'], clusterRole: 'view' }] } }), ['t1:binding ClusterRole "view"']);
    assert.deepEqual(what(base, { ...base, access: { ...base.access, defaultClusterRole: 'admin' } }), ['t1:binding ClusterRole "admin"']);
    assert.deepEqual(what(base, { ...base, owner: { user: 'dev' } }), ['t1:binding ClusterRole "cluster-admin"']);
    assert.deepEqual(what(base, { ...base, access: { ...base.access, rules: [] } }), [], 'removing grants nothing');
  });
  it('counts changed objects only, newly delegated resources, and changed custom host rules in the host', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';
    const withCm = { ...base, objects: cm };
    assert.deepEqual(what(base, withCm), ['t1:ConfigMap "a"']);
    assert.deepEqual(what(withCm, { ...withCm }), []);
    const deleg = { ...base, delegation: { resources: [{ group: '', resource: 'nodes' }] } };
    assert.deepEqual(what(deleg, { ...base, delegation: { resources: [{ group: '', resource: 'nodes' }, { group: 'apps', resource: 'deployments' }] } }),
      ['t1:delegating deployments.apps to the host']);
    const rules = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }];
    assert.deepEqual(what(base, { ...base, rbac: { clusterRole: { extraRules: rules }, role: { overwriteRules: rules } } }),
      ['host:ClusterRole "vc-t1"', 'host:Role "tc-t1/vc-t1"']);
    assert.deepEqual(what(base, { ...base, sync: { toHost: { namespaces: { enabled: true } } }, rbac: { role: { extraRules: rules } } }),
      ['host:ClusterRole "vc-t1-multi"'], 'multi-namespace mode makes the role rules cluster-wide');
  });
});

describe('directory grants', () => {
  it('User: added groups and becoming global admin; Team: new members', () => {
    assert.deepEqual(userGrants({ groups: ['a'] }, { groups: ['a', 'b'], globalAdmin: true }).map((g) => g.what),
      ['group "b"', 'binding ClusterRole "cluster-admin"']);
    assert.deepEqual(userGrants({ groups: ['a'], globalAdmin: true }, { groups: ['a'], globalAdmin: true }), []);
    const none = { tenants: new Map(), templates: new Map(), projects: new Map() };
    assert.deepEqual(teamGrants(none, 'ops', { members: ['x'] }, { members: ['x', 'y'] }).map((g) => g.group), ['portcullis:team:ops']);
    assert.deepEqual(teamGrants(none, 'ops', { members: ['x', 'y'] }, { members: ['x'] }), []);
  });
  it('Team: new members also get, by name, what the team is given inside tenants', () => {
    const spec: TenantClusterSpec = { project: 'p', owner: { team: 'ops' }, access: { defaultClusterRole: 'admin',
      rules: [{ teams: ['ops'], clusterRole: 'edit' }, { teams: ['other'], clusterRole: 'view' }] } };
    const state = {
      tenants: new Map([['t1', { name: 't1', spec, deleting: false }]]), templates: new Map(),
      projects: new Map([['p', { name: 'p', members: [{ team: 'ops', role: 'admin' as const }], deleting: false }]]),
    };
    assert.deepEqual(teamGrants(state, 'ops', { members: ['x'] }, { members: ['x', 'y'] }).map((g) => `${g.cluster}:${g.what}`), [
      'root:membership of group "portcullis:team:ops"', 't1:binding ClusterRole "admin" (project admin of "p")',
      't1:binding ClusterRole "cluster-admin" (owner)', 't1:binding ClusterRole "edit" (access rule)']);
  });
});
