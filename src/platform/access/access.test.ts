// Unit tests of the pure access logic: template overlay, management access, seed 002 role mapping, rule edits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveSpec, roleMapping, staticAccess, templateControls, referenceWarnings, roleBindings, BINDING_SUBJECTS } from './access.ts';
import { changeRules } from './routes.ts';
import { PlatformState, type TenantClusterSpec } from '../resources/index.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';

function dir(): PlatformState {
  const s = new PlatformState();
  const add = (kind: Parameters<PlatformState['apply']>[0], name: string, spec: unknown) => s.apply(kind, { type: 'ADDED', name, object: { metadata: { name }, spec } });
  add('users', 'root-admin', { globalAdmin: true });
  for (const u of ['person1', 'person2', 'person3', 'padmin', 'owner']) add('users', u, {});
  add('users', 'idp-user', { groups: ['oidc:devs'] });
  add('teams', 'devteam', { members: ['person1', 'person2'], groups: ['oidc:devs'] });
  add('projects', 'p', { members: [{ user: 'padmin', role: 'admin' }, { user: 'person3', role: 'viewer' }] });
  return s;
}

const seedSpec: TenantClusterSpec = {
  project: 'p', owner: { user: 'owner' },
  access: { defaultClusterRole: 'cluster-admin', rules: [{ users: ['person1'], clusterRole: 'edit' }, { teams: ['devteam'], clusterRole: 'view' }] },
};

describe('role mapping (seed 002)', () => {
  it('gives every matching rule, and the default only without a match', () => {
    const d = dir();
    const m = roleMapping(d, seedSpec, ['person1', 'person2', 'idp-user', 'padmin']);
    assert.deepEqual(m.get('person1'), ['edit', 'view']); // several rules -> all their roles
    assert.deepEqual(m.get('person2'), ['view']); // team rule -> no default
    assert.deepEqual(m.get('idp-user'), ['view']); // team through an IdP group
    assert.deepEqual(m.get('padmin'), ['cluster-admin']); // no rule -> default
  });

  it('defaults to cluster-admin when no default is set', () => {
    assert.deepEqual(roleMapping(dir(), { project: 'p' }, ['x']).get('x'), ['cluster-admin']);
  });

  it('materialises one binding per ClusterRole, its users sorted, in parts beyond BINDING_SUBJECTS users', () => {
    const m = roleMapping(dir(), seedSpec, ['person2', 'person1', 'padmin', 'idp-user']);
    const b = roleBindings(m, { managed: 'true' });
    const subjects = (o: KObject) => (o.subjects as Array<{ name: string }>).map((s) => s.name);
    assert.deepEqual([...b.keys()], ['portcullis:access:cluster-admin', 'portcullis:access:edit', 'portcullis:access:view']);
    assert.deepEqual(subjects(b.get('portcullis:access:view')!), ['idp-user', 'person1', 'person2']);
    assert.deepEqual(b.get('portcullis:access:edit')!.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' });
    assert.deepEqual(b.get('portcullis:access:edit')!.metadata.labels, { managed: 'true' });
    // a role held by more users than one binding names: parts whose names no role name can produce
    const many = new Map(Array.from({ length: 2 * BINDING_SUBJECTS + 1 }, (_, i) => [`u${String(i).padStart(6, '0')}`, ['view']]));
    many.set('v', ['access-part-2:view']);
    const parts = roleBindings(many, {});
    assert.deepEqual([...parts.keys()], ['portcullis:access:access-part-2:view', 'portcullis:access:view', 'portcullis:access-part-2:view', 'portcullis:access-part-3:view']);
    const all = ['portcullis:access:view', 'portcullis:access-part-2:view', 'portcullis:access-part-3:view'].flatMap((n) => subjects(parts.get(n)!));
    assert.deepEqual(all, [...many.keys()].filter((u) => u !== 'v').sort());
    assert.equal(subjects(parts.get('portcullis:access-part-3:view')!).length, 1);
  });
});

describe('management access', () => {
  it('lists global admins, project admins, the owner and rule subjects, with reasons', () => {
    const a = staticAccess(dir(), seedSpec);
    assert.deepEqual(Object.fromEntries([...a].sort(([x], [y]) => x.localeCompare(y))), {
      'idp-user': ['access-rule'], owner: ['owner'], padmin: ['project-admin'], person1: ['access-rule'], person2: ['access-rule'], 'root-admin': ['global-admin'],
    });
    assert.equal(a.has('person3'), false); // a project viewer is not a manager
  });

  it('expands an owner team', () => {
    const a = staticAccess(dir(), { project: 'p', owner: { team: 'devteam' } });
    assert.deepEqual(a.get('person2'), ['owner']);
  });

  it('warns about unknown teams and users', () => {
    assert.deepEqual(referenceWarnings(dir(), { project: 'p', access: { rules: [{ teams: ['ghosts'], users: ['nobody'], clusterRole: 'view' }] } }),
      ['team "ghosts" does not exist', 'user "nobody" does not exist']);
  });
});

describe('templates', () => {
  it('override the fields they set, key by key; lists are replaced', () => {
    const eff = effectiveSpec(seedSpec, { template: { access: { defaultClusterRole: 'view' }, objects: 'x: 1' } });
    assert.equal(eff.access?.defaultClusterRole, 'view');
    assert.deepEqual(eff.access?.rules, seedSpec.access?.rules);
    assert.equal(eff.objects, 'x: 1');
    const replaced = effectiveSpec(seedSpec, { template: { access: { rules: [{ teams: ['t'], clusterRole: 'admin' }] } } });
    assert.deepEqual(replaced.access?.rules, [{ teams: ['t'], clusterRole: 'admin' }]);
    assert.equal(replaced.access?.defaultClusterRole, 'cluster-admin');
    assert.equal(templateControls({ template: { access: { rules: [] } } }, ['access', 'rules']), true);
    assert.equal(templateControls({ template: { access: { defaultClusterRole: 'view' } } }, ['access', 'rules']), false);
  });
});

describe('permission changes', () => {
  it('adds to the rule with the same role or appends one; removes and drops empty rules', () => {
    let r = changeRules([{ users: ['a'], clusterRole: 'view' }], { action: 'add', user: 'b', role: 'view' });
    assert.deepEqual(r, [{ users: ['a', 'b'], clusterRole: 'view' }]);
    r = changeRules(r, { action: 'add', team: 't', role: 'edit' });
    assert.deepEqual(r, [{ users: ['a', 'b'], clusterRole: 'view' }, { teams: ['t'], clusterRole: 'edit' }]);
    r = changeRules(r, { action: 'remove', team: 't' });
    assert.deepEqual(r, [{ users: ['a', 'b'], clusterRole: 'view' }]);
    r = changeRules(r, { action: 'remove', user: 'a', role: 'edit' });
    assert.deepEqual(r, [{ users: ['a', 'b'], clusterRole: 'view' }]);
    assert.deepEqual(changeRules(r, { action: 'remove', user: 'a' }).concat(), [{ users: ['b'], clusterRole: 'view' }]);
  });
});

describe('platform state', () => {
  it('gives the strongest project role, teams expanded', () => {
    const s = dir();
    s.apply('projects', { type: 'MODIFIED', name: 'p', object: { metadata: { name: 'p' }, spec: { members: [{ team: 'devteam', role: 'viewer' }, { user: 'person1', role: 'admin' }] } } });
    assert.equal(s.projectRole('p', 'person1'), 'admin');
    assert.equal(s.projectRole('p', 'idp-user'), 'viewer');
    assert.equal(s.projectRole('p', 'owner'), undefined);
    assert.deepEqual([...s.projectAdmins('p')], ['person1']);
  });
});

describe('effectiveSpec with a hostile "__proto__" key (JSON.parse makes it an own property)', () => {
  it('keeps it as data in the result: the effective spec inherits nothing from the template', () => {
    const template = JSON.parse('{"template":{"__proto__":{"hostCluster":"root"},"auditLog":{"__proto__":{"enabled":false}}}}');
    const eff = effectiveSpec({ project: 'p' } as TenantClusterSpec, template);
    assert.equal(Object.getPrototypeOf(eff), Object.prototype);
    assert.equal(eff.hostCluster, undefined, 'nothing inherited');
    assert.ok(Object.hasOwn(eff, '__proto__'));
    assert.equal(eff.auditLog?.enabled, undefined);
    assert.equal(Object.getPrototypeOf(eff.auditLog), Object.prototype);
  });
});
