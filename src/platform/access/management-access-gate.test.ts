// Tests of the management-access gate: who passes the tenant's door and the 403 wording.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestContext } from '../../apiserver/context.ts';
import type { GateQuery } from '../../apiserver/auth/decision-order.ts';
import type { Attributes } from '../../apiserver/auth/types.ts';
import { PlatformState } from '../resources/index.ts';
import { AccessIndex } from './access-index.ts';
import { managementAccessGate } from './management-access-gate.ts';

function setup(useAllowed: (a: Attributes) => boolean) {
  const s = new PlatformState();
  const add = (kind: Parameters<PlatformState['apply']>[0], name: string, spec: unknown) => s.apply(kind, { type: 'ADDED', name, object: { metadata: { name }, spec } });
  for (const u of ['owner', 'bob', 'dave']) add('users', u, {});
  add('teams', 'ops', { members: ['dave'] });
  add('projects', 'p', {});
  add('tenantclusters', 'dev', { project: 'p', owner: { user: 'owner' } });
  const seen: Attributes[] = [];
  const index = new AccessIndex(s, () => async (a) => { seen.push(a); return useAllowed(a); });
  const gate = managementAccessGate(s, index);
  const run = async (cluster: string, username: string, groups: string[] = []) => {
    const v = await gate.check({ cluster, user: { username, groups } } as GateQuery);
    const ctx = { annotations: {} } as RequestContext;
    v.apply?.(ctx);
    return { passed: v.verdict !== 'deny', verdict: v, ctx };
  };
  return { run, seen };
}

describe('management-access gate', () => {
  it('lets the owner in and records why', async () => {
    const { run } = setup(() => false);
    const { passed, ctx, verdict } = await run('dev', 'owner');
    assert.equal(passed, true);
    assert.equal(verdict.verdict, 'allow');
    assert.equal(ctx.annotations['platform.portcullis.io/management-access'], 'owner');
  });

  it('denies a platform user without access with a clear 403', async () => {
    const { run } = setup(() => false);
    const { verdict, ctx } = await run('dev', 'bob');
    assert.equal(verdict.verdict, 'deny');
    assert.equal(verdict.error?.code, 403);
    assert.equal(verdict.error?.message, 'User "bob" has no management access to tenant cluster "dev"');
    assert.equal(ctx.annotations['platform.portcullis.io/management-access'], 'denied');
  });

  it('asks RBAC in root for the use verb, with the user\'s teams as groups', async () => {
    const { run, seen } = setup((a) => a.user.groups.includes('portcullis:team:ops'));
    assert.equal((await run('dev', 'dave')).passed, true);
    assert.deepEqual({ verb: seen[0].verb, resource: seen[0].resource, group: seen[0].apiGroup, name: seen[0].name, cluster: seen[0].cluster },
      { verb: 'use', resource: 'tenantclusters', group: 'management.portcullis.io', name: 'dev', cluster: 'root' });
  });

  it('passes non-platform identities, system:masters, and clusters without a TenantCluster', async () => {
    const { run } = setup(() => false);
    const cases = [
      ['dev', 'system:serviceaccount:default:app', []], ['dev', 'bob', ['system:masters']], ['other', 'bob', []],
    ] as const;
    for (const [cluster, user, groups] of cases) {
      const r = await run(cluster, user, [...groups]);
      assert.equal(r.verdict.verdict, 'pass', `${user} in ${cluster}`);
    }
  });
});
