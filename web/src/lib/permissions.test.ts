// The Permissions tab's logic: staging additions and removals and the rules they produce (the server's merge).
import { describe, expect, it } from 'vitest';
import { applyChanges, grants, stageAdd } from './permissions.ts';

const rules = [{ users: ['carol'], clusterRole: 'view' }];

describe('permission changes', () => {
  it('adds a team to the rule of its role, or a new rule', () => {
    expect(applyChanges(rules, [{ action: 'add', team: 'devteam', role: 'view' }])).toEqual([{ users: ['carol'], teams: ['devteam'], clusterRole: 'view' }]);
    expect(applyChanges(rules, [{ action: 'add', user: 'dave', role: 'edit' }])).toEqual([...rules, { users: ['dave'], clusterRole: 'edit' }]);
  });
  it('removes a subject and drops rules left empty', () => {
    expect(applyChanges(rules, [{ action: 'remove', user: 'carol', role: 'view' }])).toEqual([]);
    expect(applyChanges(rules, [{ action: 'add', user: 'carol', role: 'edit' }, { action: 'remove', user: 'carol' }])).toEqual([]);
  });
  it('stages an addition only with a subject and a role, and not twice', () => {
    expect(stageAdd(rules, null, 'view')).toBe('Choose a user or team');
    expect(stageAdd(rules, { kind: 'Team', name: 't' }, '')).toBe('Choose a ClusterRole');
    expect(stageAdd(rules, { kind: 'User', name: 'carol' }, 'view')).toBe('user carol already has view');
    expect(stageAdd(rules, { kind: 'Team', name: 't' }, 'edit-no-pvc-write')).toEqual({ action: 'add', team: 't', role: 'edit-no-pvc-write' });
    expect(grants([{ users: ['a'], teams: ['t'], clusterRole: 'view' }])).toEqual([{ kind: 'User', name: 'a', role: 'view' }, { kind: 'Team', name: 't', role: 'view' }]);
  });
});
