// The host-tier RBAC controller: per TenantCluster, creates and keeps (drift restored) its host namespace,
// ServiceAccount, Role/ClusterRoles and bindings in the host cluster; removes them (finalizer) when the tenant goes.
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { ResourceType } from '../../apiserver/registry/types.ts';
import type { InformerEvent } from '../../apiserver/controllers/informer.ts';
import type { Leadership } from '../../apiserver/controllers/leadership.ts';
import { WorkQueue, type Priority } from '../../apiserver/controllers/queue.ts';
import { OwnCreates } from '../../apiserver/controllers/own-creates.ts';
import { eventPriority } from '../../apiserver/controllers/informer.ts';
import { StatusError, isNotFound, notFoundMessage } from '../../apiserver/errors.ts';
import { cloneObject } from '../../apiserver/clone.ts';
import { CreateBatch } from '../../apiserver/registry/create-batch.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { effectiveSpec } from '../access/index.ts';
import { type PlatformState, type TenantClusterSpec, HOST_CLUSTER, HOST_RBAC_FINALIZER, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL, tenantClusterType } from '../resources/index.ts';
import { desiredHostObjects, hostRbacPlan, possibleHostObjects } from './host-rbac-rules.ts';

export { HOST_RBAC_FINALIZER };

export interface HostRbacDeps {
  store: Store;
  catalog: Catalog;
  state: PlatformState;
  log: (m: string) => void;
  leadership?: Leadership;
  /** State of a logical cluster ('active' | 'deleting' | undefined). */
  clusterState(name: string): string | undefined;
}

const root = { cluster: ROOT_CLUSTER };
const VC_NAME = /^vc-(.+?)(-multi)?$/;


export class HostRbacController {
  readonly queue: WorkQueue;
  /** Host objects a pass is creating: their ADDED events are not drift. */
  private readonly ownCreates = new OwnCreates();
  /** Tenants waiting for their host logical cluster to become active, by host. */
  private readonly waiting = new Map<string, Set<string>>();

  constructor(private readonly d: HostRbacDeps) {
    this.queue = new WorkQueue((name) => this.reconcile(name), { name: 'hostrbac', log: d.log, concurrency: 4, leadership: d.leadership });
  }

  enqueue(name: string, priority: Priority = 'normal'): void { this.queue.add(name, { priority }); }
  enqueueAll(priority: Priority = 'low'): void { for (const n of this.d.state.tenants.keys()) this.queue.add(n, { priority }); }

  /** A logical cluster changed: tenants waiting for it as their host try again. */
  onLogicalCluster(name: string, priority: Priority = 'normal'): void {
    const list = this.waiting.get(name);
    if (!list || this.d.clusterState(name) !== 'active') return;
    this.waiting.delete(name);
    for (const t of list) this.queue.add(t, { priority });
  }

  /** An object changed in some cluster: if it is (or names) one of ours, its tenant is reconciled (drift). */
  onHostObject(ev: InformerEvent): void {
    if (ev.cluster === ROOT_CLUSTER || this.ownCreates.consume(ev.type, ev.key)) return;
    // a shared built-in object (no row of the cluster's own) carries no tenant's label: it is not built to look
    const owner = ev.shared ? undefined : ev.object.metadata.labels?.[TENANT_LABEL];
    const priority = eventPriority(ev);
    if (owner && this.d.state.tenants.has(owner)) this.queue.add(owner, { priority });
    const m = VC_NAME.exec(ev.name);
    if (!m) return;
    for (const t of [m[1], m[2] ? `${m[1]}-multi` : undefined]) if (t && t !== owner && this.d.state.tenants.has(t)) this.queue.add(t, { priority });
  }

  private type(cluster: string, group: string, resource: string): ResourceType {
    const t = this.d.catalog.lookup(cluster, group, 'v1', resource);
    if (!t) throw new Error(`${group || 'core'}/${resource} is not served in cluster ${cluster}`);
    return t;
  }

  async reconcile(name: string): Promise<void> {
    this.ownCreates.forget(name);
    let tc: Readonly<KObject>; // shared and read-only: no copy per pass
    try { tc = await this.d.store.read(ROOT_CLUSTER, tenantClusterType, '', name); } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const spec = tc.spec as TenantClusterSpec;
    if (tc.metadata.deletionTimestamp) {
      if (!(tc.metadata.finalizers ?? []).includes(HOST_RBAC_FINALIZER)) return;
      await this.cleanup(name, spec.hostCluster ?? HOST_CLUSTER, spec.hostNamespace ?? `tc-${name}`);
      await this.setFinalizer(name, false);
      return;
    }
    // Nothing is made in the host before the finalizer is held (a tenant deleted meanwhile gets nothing).
    if (!(tc.metadata.finalizers ?? []).includes(HOST_RBAC_FINALIZER) && !(await this.setFinalizer(name, true))) return;
    const tpl = spec.templateRef ? this.d.state.templates.get(spec.templateRef.name) : undefined;
    if (spec.templateRef && !tpl) return; // the tenant controller reports the missing template
    const plan = hostRbacPlan(name, effectiveSpec(spec, tpl));
    if (this.d.clusterState(plan.hostCluster) !== 'active') {
      const set = this.waiting.get(plan.hostCluster) ?? new Set();
      set.add(name);
      this.waiting.set(plan.hostCluster, set);
      return; // onLogicalCluster brings it back
    }
    const desired = desiredHostObjects(plan);
    const wanted = new Set(desired.map((o) => `${o.resource}/${o.namespace}/${o.object.metadata.name}`));
    // The namespace (when missing) and the objects not there yet are created in one transaction, the namespace first.
    const batch = new CreateBatch(this.d.store, plan.hostCluster);
    const nsKey = await this.ensureNamespace(plan.hostCluster, plan.hostNamespace, batch);
    for (const o of desired) {
      const t = this.type(plan.hostCluster, o.group, o.resource);
      const apply = () => this.apply(plan.hostCluster, t, o.namespace, o.object);
      const cur = await this.current(plan.hostCluster, t, o.namespace, o.object.metadata.name!);
      if (!cur) batch.add(t, o.namespace, cloneObject(o.object), apply);
      else if (!upToDate(cur, o.object)) await apply();
    }
    this.ownCreates.expect(name, batch.keys().filter((k) => k !== nsKey));
    await batch.commit();
    for (const o of possibleHostObjects(name, plan.hostNamespace)) {
      if (!wanted.has(`${o.resource}/${o.namespace}/${o.name}`)) await this.removeIfOurs(plan.hostCluster, o.group, o.resource, o.namespace, o.name, name);
    }
  }

  /** The stored object (shared, read-only), undefined when there is none: no copy, no NotFound error. */
  private async current(cluster: string, t: ResourceType, ns: string, name: string): Promise<Readonly<KObject> | undefined> {
    return (await this.d.store.storage.get(this.d.store.key(cluster, t, ns, name)))?.object;
  }

  /** Adds or removes our finalizer; true when it is held afterwards. */
  private async setFinalizer(name: string, present: boolean): Promise<boolean> {
    try {
      const { object } = await this.d.store.update(root, tenantClusterType, '', name, (cur) => {
        if (!cur) throw notFoundMessage('gone');
        const rest = (cur.metadata.finalizers ?? []).filter((f) => f !== HOST_RBAC_FINALIZER);
        cur.metadata.finalizers = present && !cur.metadata.deletionTimestamp ? [...rest, HOST_RBAC_FINALIZER] : rest;
        return cur;
      });
      return (object.metadata.finalizers ?? []).includes(HOST_RBAC_FINALIZER);
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** Queues the host namespace's creation when it is missing (its storage key then); refuses a terminating one. */
  private async ensureNamespace(cluster: string, ns: string, batch: CreateBatch): Promise<string | undefined> {
    const t = this.type(cluster, '', 'namespaces');
    const cur = await this.current(cluster, t, '', ns);
    if (cur?.metadata.deletionTimestamp) throw new Error(`host namespace "${ns}" in cluster "${cluster}" is terminating; waiting`);
    if (cur) return undefined;
    const obj = (): KObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } } });
    batch.add(t, '', obj(), () => this.d.store.create({ cluster }, t, '', obj()).then(() => undefined, (err) => {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }));
    return this.d.store.key(cluster, t, '', ns);
  }

  /** Creates or brings an object to the desired content (labels merged; an immutable roleRef that drifted is replaced). */
  private async apply(cluster: string, t: ResourceType, ns: string, want: KObject): Promise<void> {
    const name = want.metadata.name!;
    const body = Object.entries(want).filter(([k]) => k !== 'apiVersion' && k !== 'kind' && k !== 'metadata');
    const ctx = { cluster };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.d.store.update(ctx, t, ns, name, (cur) => {
          if (!cur) return cloneObject(want);
          if (want.roleRef && JSON.stringify(cur.roleRef) !== JSON.stringify(want.roleRef)) throw new StatusError(422, 'Invalid', 'roleRef drifted');
          const next = { ...cur, metadata: { ...cur.metadata, labels: { ...(cur.metadata.labels ?? {}), ...want.metadata.labels } } } as KObject;
          for (const [k, v] of body) (next as Record<string, unknown>)[k] = cloneObject(v);
          return next;
        }, { allowCreate: true });
        return;
      } catch (e) {
        if (!(e instanceof StatusError && e.message === 'roleRef drifted') || attempt > 0) throw e;
        await this.d.store.delete(ctx, t, ns, name).catch((err) => { if (!isNotFound(err)) throw err; });
      }
    }
  }

  private async removeIfOurs(cluster: string, group: string, resource: string, ns: string, name: string, tenant: string): Promise<void> {
    const t = this.type(cluster, group, resource);
    const cur = await this.current(cluster, t, ns, name);
    if (cur?.metadata.labels?.[TENANT_LABEL] !== tenant) return;
    await this.d.store.delete({ cluster }, t, ns, name).catch((e) => { if (!isNotFound(e)) throw e; });
  }

  /** Removes everything made for the tenant; the host namespace goes too when we made it and no other tenant uses it. */
  private async cleanup(name: string, host: string, ns: string): Promise<void> {
    this.waiting.get(host)?.delete(name);
    if (this.d.clusterState(host) !== 'active') return; // a deleted logical cluster took everything with it
    for (const o of possibleHostObjects(name, ns)) await this.removeIfOurs(host, o.group, o.resource, o.namespace, o.name, name);
    const shared = [...this.d.state.tenants.values()].some((t) => t.name !== name && !t.deleting
      && (t.spec.hostCluster ?? HOST_CLUSTER) === host && (t.spec.hostNamespace ?? `tc-${t.name}`) === ns);
    if (shared) return;
    const t = this.type(host, '', 'namespaces');
    try {
      const cur = await this.d.store.get(host, t, '', ns);
      if (cur.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && !cur.metadata.deletionTimestamp) await this.d.store.delete({ cluster: host }, t, '', ns);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  idle(): Promise<void> { return this.queue.idle(); }
  stop(): void { this.queue.stop(); }
}

/** Whether `cur` already has what apply() would write: `want`'s labels and every top-level field of its body. */
function upToDate(cur: Readonly<KObject>, want: KObject): boolean {
  for (const [k, v] of Object.entries(want.metadata.labels ?? {})) if (cur.metadata.labels?.[k] !== v) return false;
  for (const [k, v] of Object.entries(want)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    if (JSON.stringify((cur as Record<string, unknown>)[k]) !== JSON.stringify(v)) return false;
  }
  return true;
}
