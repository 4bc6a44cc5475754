// The request path reads the tenant record and the RBAC cluster state from the cluster's handle (cluster-handle.ts)
// and keeps derived entries (access, delegation, decision views) between requests. After any change to users, teams,
// projects, templates, tenants or RBAC objects, the next decision must be exactly the one a server built from scratch
// on the same objects makes (no stale allow, no stale deny): random changes, every decision compared after each,
// through a handle taken now, through a handle taken before the change (a request in flight), and without one.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { GateQuery } from '../../apiserver/auth/decision-order.ts';
import type { Attributes, AuthorizerResult } from '../../apiserver/auth/types.ts';
import type { RequestContext } from '../../apiserver/context.ts';
import { ClusterHandles, type ClusterHandle } from '../../apiserver/cluster-handle.ts';
import { createUnionAuthorizer } from '../../apiserver/auth/authorizer-union.ts';
import { RbacIndex, type RbacKind, type RbacObject, type WatchEventType } from '../../auth/authz/rbac/index.ts';
import { PlatformState } from '../resources/index.ts';
import { DelegationAuthorizer } from '../delegation/index.ts';
import { AccessIndex } from './access-index.ts';
import { managementAccessGate } from './management-access-gate.ts';
import { effectiveSpec, staticAccess } from './access.ts';
import type { Gate, GateVerdict } from '../../apiserver/auth/decision-order.ts';

type PlatformKind = Parameters<PlatformState['apply']>[0];
type Ev = { platform: PlatformKind; type: WatchEventType; name: string; spec: unknown }
  | { rbac: RbacKind; type: WatchEventType; cluster: string; obj: RbacObject };

const USERS = ['ann', 'bob', 'cy', 'dee', 'eve'];
/** Names in tenant specs and requests: the users and one that never is a platform user. */
const NAMES = [...USERS, 'zed'];
const TENANTS = ['t1', 't2', 't3'];
const RG = 'rbac.authorization.k8s.io';
const role = (name: string, verbs: string[], resources: string[], apiGroups = ['']) =>
  ({ metadata: { name }, rules: [{ verbs, apiGroups, resources }] }) as unknown as RbacObject;
const crb = (name: string, roleName: string, kind: string, subject: string) =>
  ({ metadata: { name }, roleRef: { apiGroup: RG, kind: 'ClusterRole', name: roleName }, subjects: [{ apiGroup: RG, kind, name: subject }] }) as unknown as RbacObject;

/**
 * The door as specified, computed from scratch on every call (no entry, no memo): the oracle's. A platform user (a
 * User object exists) in a tenant cluster needs access from platform objects or `use` in root; others pass.
 */
function doorFromScratch(state: PlatformState, useInRoot: (a: Attributes) => Promise<boolean>): Gate {
  const pass = (reason: string): GateVerdict => ({ verdict: 'pass', reason });
  return {
    async check({ cluster, user }) {
      const rec = state.tenants.get(cluster);
      if (!rec) return pass('not a tenant cluster');
      if (user.groups.includes('system:masters')) return pass('master');
      if (!state.users.has(user.username)) return pass('not a platform user: passes to the tenant\'s RBAC');
      const tpl = rec.spec.templateRef ? state.templates.get(rec.spec.templateRef.name) : undefined;
      let reasons: readonly string[] = staticAccess(state, effectiveSpec(rec.spec, tpl)).get(user.username) ?? [];
      if (!reasons.length && await useInRoot({ user: { username: user.username, groups: [...new Set([...user.groups, ...state.teamsOf(user.username).map((t) => `portcullis:team:${t}`), 'system:authenticated'])] },
        cluster: 'root', verb: 'use', isResourceRequest: true, path: '', apiGroup: 'management.portcullis.io', apiVersion: 'v1alpha1', resource: 'tenantclusters', subresource: '', namespace: '', name: cluster })) reasons = ['use-verb'];
      if (!reasons.length) return { verdict: 'deny', reason: `no access for ${user.username}`, apply: (c) => { c.annotations['platform.portcullis.io/management-access'] = 'denied'; } };
      const note = reasons.join(',');
      return { verdict: 'allow', reason: `management access: ${reasons.join(', ')}`, apply: (c) => { c.annotations['platform.portcullis.io/management-access'] = note; } };
    },
  };
}

/** The request path over events applied so far: with handles (as the server wires it) or without (the oracle). */
function pathOf(withHandles: boolean) {
  const handles = new ClusterHandles();
  const state = new PlatformState();
  const rbac = new RbacIndex();
  if (withHandles) { state.attachHandles(handles.slot()); rbac.attachHandles(handles.slot()); }
  const rootAllows = async (a: Attributes) => rbac.authorize(a).decision === 'allow';
  const index = new AccessIndex(state, () => rootAllows);
  const gate = withHandles ? managementAccessGate(state, index) : doorFromScratch(state, rootAllows);
  let union: (a: Attributes) => AuthorizerResult | Promise<AuthorizerResult> = () => ({ decision: 'deny', reason: '' });
  const delegation = new DelegationAuthorizer(state, () => async (a) => union(a));
  union = createUnionAuthorizer([delegation, rbac]).authorize;
  const apply = (e: Ev) => {
    if ('platform' in e) state.apply(e.platform, { type: e.type, name: e.name, object: { metadata: { name: e.name }, spec: e.spec } as never });
    else rbac.apply(e.cluster, e.rbac, e.type, e.obj);
  };
  const decide = async (username: string, cluster: string, resource: string, handle: ClusterHandle | undefined): Promise<string> => {
    const user = { username, groups: ['system:authenticated'] };
    const q = { cluster, user, handle, clusterMissing: false, rawHeaders: [], restrictions: {} } as unknown as GateQuery;
    const v = await gate.check(q);
    const ctx = { annotations: {} } as RequestContext;
    v.apply?.(ctx);
    if (v.verdict === 'deny') return `door deny: ${JSON.stringify(ctx.annotations)}`;
    const a: Attributes = { user, cluster, verb: 'list', isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource,
      subresource: '', namespace: 'default', name: '', handle };
    const r = await union(a);
    return `${v.verdict === 'allow' ? `allow ${v.reason}` : 'pass'} ${JSON.stringify(ctx.annotations)} -> ${r.decision}: ${r.reason}`;
  };
  /** The RBAC index unloads the cluster and loads it again (residency): its state is a new object. */
  const reload = async (cluster: string, events: Ev[]) => {
    rbac.dropCluster(cluster);
    // while unloaded, a request through the handle sees what one by name sees (the RBAC index holds nothing)
    for (const u of USERS) assert.equal(await decide(u, cluster, 'pods', handles.get(cluster)), await decide(u, cluster, 'pods', undefined));
    for (const e of events) if ('rbac' in e && e.cluster === cluster) apply(e);
  };
  return { handles, apply, decide, reload };
}

/** A seeded generator (the same sequence on every run). */
function rng(seed: number) {
  let s = seed;
  // the high bits (an LCG's low bits cycle with a short period)
  return (n: number) => { s = (s * 1103515245 + 12345) % 2147483648; return Math.floor((s / 2147483648) * n); };
}

it('every change is reflected in the next decision, through handles old and new, as in a server built from scratch', async () => {
  const r = rng(17);
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)]!;
  const log: Ev[] = [];
  const live = pathOf(true);
  const emit = (e: Ev) => { log.push(e); live.apply(e); };
  for (const u of USERS) emit({ platform: 'users', type: 'ADDED', name: u, spec: {} });
  emit({ platform: 'teams', type: 'ADDED', name: 'ops', spec: { members: ['bob'] } });
  emit({ platform: 'projects', type: 'ADDED', name: 'p', spec: { members: [] } });
  emit({ platform: 'tenantclustertemplates', type: 'ADDED', name: 'tpl', spec: { template: { access: { rules: [{ users: ['cy'], clusterRole: 'view' }] } } } });
  const roles = ['view', 'edit'];
  for (const c of [...TENANTS, 'host', 'root']) {
    emit({ rbac: 'ClusterRole', type: 'ADDED', cluster: c, obj: role('view', ['list'], ['pods']) });
    emit({ rbac: 'ClusterRole', type: 'ADDED', cluster: c, obj: role('edit', ['list', 'create'], ['pods', 'nodes']) });
  }
  emit({ rbac: 'ClusterRole', type: 'ADDED', cluster: 'root', obj: role('use', ['use'], ['tenantclusters'], ['management.portcullis.io']) });
  emit({ rbac: 'ClusterRole', type: 'ADDED', cluster: 'host', obj: role('sar', ['create'], ['subjectaccessreviews'], ['authorization.k8s.io']) });
  const tenantSpec = () => ({
    project: 'p', owner: r(3) === 0 ? { user: pick(NAMES) } : r(2) === 0 ? { team: 'ops' } : undefined,
    ...(r(2) === 0 ? { templateRef: { name: 'tpl' } } : {}),
    access: { rules: r(2) === 0 ? [{ users: [pick(NAMES)], teams: r(2) === 0 ? ['ops'] : [], clusterRole: pick(roles) }] : [] },
    ...(r(4) === 0 ? { delegation: { resources: [{ group: '', resource: pick(['nodes', 'pods']) }] } } : {}),
  });
  for (const t of TENANTS) emit({ platform: 'tenantclusters', type: 'ADDED', name: t, spec: tenantSpec() });

  const changes: Array<() => Ev> = [
    () => ({ platform: 'teams', type: 'MODIFIED', name: 'ops', spec: { members: USERS.filter(() => r(3) === 0) } }),
    () => ({ platform: 'users', type: r(4) === 0 ? 'DELETED' : 'ADDED', name: pick(USERS), spec: { globalAdmin: r(6) === 0, groups: r(2) ? ['idp'] : [] } }),
    () => ({ platform: 'projects', type: 'MODIFIED', name: 'p', spec: { members: r(2) ? [{ user: pick(USERS), role: 'admin' }] : [] } }),
    () => ({ platform: 'tenantclustertemplates', type: r(5) === 0 ? 'DELETED' : 'MODIFIED', name: 'tpl',
      spec: { template: { access: { rules: [{ users: [pick(USERS)], clusterRole: pick(roles) }] }, ...(r(2) ? { delegation: { resources: [] } } : {}) } } }),
    () => ({ platform: 'tenantclusters', type: r(6) === 0 ? 'DELETED' : 'MODIFIED', name: pick(TENANTS), spec: tenantSpec() }),
    () => { const u = pick(NAMES); return { rbac: 'ClusterRoleBinding', type: r(3) === 0 ? 'DELETED' : 'ADDED', cluster: pick(TENANTS), obj: crb(`b-${u}`, pick(roles), 'User', u) }; },
    () => ({ rbac: 'ClusterRoleBinding', type: r(2) ? 'ADDED' : 'DELETED', cluster: 'root', obj: crb('use-idp', 'use', 'Group', 'idp') }),
    () => ({ rbac: 'ClusterRole', type: 'MODIFIED', cluster: pick(TENANTS), obj: role(pick(roles), ['list'], r(2) ? ['pods'] : ['secrets']) }),
    () => ({ rbac: 'ClusterRoleBinding', type: r(2) ? 'ADDED' : 'DELETED', cluster: 'host', obj: crb('sa', 'sar', 'Group', 'system:serviceaccounts') }),
    () => ({ rbac: 'ClusterRoleBinding', type: r(2) ? 'ADDED' : 'DELETED', cluster: 'host', obj: crb('host-view', 'edit', 'User', pick(USERS)) }),
  ];
  let compared = 0, allowedAtDoor = 0, passed = 0;
  for (let step = 0; step < 160; step++) {
    const before = new Map(TENANTS.map((t) => [t, live.handles.get(t)]));
    // decide first (entries, views and allow results cached), then change, then decide again
    for (const t of TENANTS) await live.decide(pick(NAMES), t, 'pods', live.handles.get(t));
    if (r(8) === 0) await live.reload(pick(TENANTS), log);
    else emit(pick(changes)());
    // re-created tenants appear in a new handle; the event log replayed is the oracle
    const fresh = pathOf(false);
    for (const e of log) fresh.apply(e);
    for (const t of TENANTS) {
      for (const u of NAMES) {
        for (const res of ['pods', 'nodes']) {
          const want = await fresh.decide(u, t, res, undefined);
          assert.equal(await live.decide(u, t, res, live.handles.get(t)), want, `step ${step}: ${u} ${res} in ${t} (current handle)`);
          assert.equal(await live.decide(u, t, res, before.get(t)), want, `step ${step}: ${u} ${res} in ${t} (handle from before)`);
          assert.equal(await live.decide(u, t, res, undefined), want, `step ${step}: ${u} ${res} in ${t} (no handle)`);
          if (want.startsWith('allow')) allowedAtDoor++;
          if (want.startsWith('pass')) passed++;
          compared++;
        }
      }
    }
  }
  assert.ok(compared > 4000);
  assert.ok(allowedAtDoor > 500 && passed > 500, `${allowedAtDoor} allowed and ${passed} passed at the door`);
});

it('a handle answers for its own cluster only, and not once dropped', () => {
  const handles = new ClusterHandles();
  const slot = handles.slot<string>();
  slot.set('a', 'rec-a');
  const h = handles.get('a')!;
  assert.equal(slot.read(h, 'a'), 'rec-a');
  assert.equal(typeof slot.read(h, 'b'), 'symbol', 'another cluster: looked up by name');
  assert.equal(typeof slot.read(undefined, 'a'), 'symbol');
  slot.set('a', undefined);
  assert.equal(handles.get('a'), undefined);
  assert.equal(h.dead, true);
  slot.set('a', 'rec-a2');
  assert.equal(typeof slot.read(h, 'a'), 'symbol', 'a dead handle never answers (the cluster was re-created)');
  assert.equal(slot.read(handles.get('a'), 'a'), 'rec-a2');
});
