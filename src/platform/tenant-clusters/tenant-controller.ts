// The TenantCluster controller: provisions the tenant's LogicalCluster (and the `host` cluster), applies
// its objects, materialises the role mapping, writes status; on deletion removes the LogicalCluster first.
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { StatusError, ignoreNotFound, isNotFound, notFoundMessage } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { logicalClusterType } from '../../apiserver/controllers/logical-clusters.ts';
import { WorkQueue, type Priority } from '../../apiserver/controllers/queue.ts';
import { OwnCreates } from '../../apiserver/controllers/own-creates.ts';
import type { Leadership } from '../../apiserver/controllers/leadership.ts';
import { effectiveSpec, referenceWarnings, roleMapping, staticAccess } from '../access/index.ts';
import { applyObjects } from './tenant-objects.ts';
import { reconcileBindings } from './tenant-bindings.ts';
import { CreateBatch } from '../../apiserver/registry/create-batch.ts';
import type { PlatformState, TemplateSpec, TenantClusterSpec } from '../resources/index.ts';
import {
  AUDIT_ANNOTATION, FOREGROUND_FINALIZER, HOST_CLUSTER, TENANT_FINALIZER, TENANT_LABEL, templateType, tenantClusterType,
  tenantStatus, type Condition, type ObjectRef, type TenantClusterStatus, type TenantPhase,
} from '../resources/index.ts';

export interface TenantControllerDeps {
  store: Store;
  catalog: Catalog;
  state: PlatformState;
  log: (m: string) => void;
  /** Controllers write only while this replica leads. */
  leadership?: Leadership;
  /** State of a logical cluster ('active' | 'deleting' | undefined). */
  clusterState(name: string): string | undefined;
  /** Users holding the `use` verb on this tenant cluster in root (RBAC). */
  useVerbUsers(tenant: string): Promise<Set<string>>;
  /** The server's external base URL once known. */
  baseUrl(): string | undefined;
}

const root = { cluster: ROOT_CLUSTER };

/** The stored object (shared and deep-frozen: read, never changed, so no copy per pass), or undefined. */
async function getOrUndefined(store: Store, cluster: string, t: typeof tenantClusterType, name: string): Promise<Readonly<KObject> | undefined> {
  try { return await store.read(cluster, t, '', name); } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export class TenantController {
  readonly queue: WorkQueue;
  /** Role bindings, ClusterRoles and CRDs a pass is creating in its tenant: their ADDED events need no pass. */
  readonly ownCreates = new OwnCreates();
  /** tenant → its status as this controller is writing it: the status event of that write is its own, any
   * other status (a forged phase or apiURL written through /status) brings the tenant back to be rewritten */
  private readonly ownStatus = new Map<string, string>();
  /**
   * tenant → the objects this controller last recorded as applied (status.appliedObjects): what it prunes when the
   * template drops them, so that a status written by someone else never names what to delete. After a restart
   * the stored status is the record until the first pass.
   */
  private readonly applied = new Map<string, readonly ObjectRef[]>();
  /** Tenants whose host logical cluster is not active, by host: they come back when it is. */
  private readonly waitingForHost = new Map<string, Set<string>>();
  /**
   * Tenants whose last pass found their LogicalCluster being provisioned: until it is Ready (its event brings them
   * back), the cluster's bootstrap objects appearing change nothing for them.
   */
  private readonly provisioning = new Set<string>();
  /** The priority of an enqueueAll pending for the end of this turn of the event loop. */
  private allAt?: Priority;

  constructor(private readonly d: TenantControllerDeps) {
    this.queue = new WorkQueue((name) => this.reconcile(name), { name: 'tenantcluster', log: d.log, concurrency: 4, leadership: d.leadership });
  }

  enqueue(name: string, priority: Priority = 'normal'): void { this.queue.add(name, { priority }); }

  /**
   * Every tenant, once per turn of the event loop however many events ask (a start-up replay of N users asks N
   * times). Fan-out is background work by default, so it never delays a tenant's own changes.
   */
  enqueueAll(priority: Priority = 'low'): void {
    if (this.allAt !== undefined) { if (priority === 'normal') this.allAt = priority; return; }
    this.allAt = priority;
    queueMicrotask(() => {
      const p = this.allAt!;
      this.allAt = undefined;
      for (const n of this.d.state.tenants.keys()) this.queue.add(n, { priority: p });
    });
  }

  /** Whether a change inside the tenant's cluster can wait for its LogicalCluster to become Ready. */
  isProvisioning(name: string): boolean { return this.provisioning.has(name); }

  /**
   * A logical cluster changed: its tenant is reconciled (not while both wait for the cluster's bootstrap:
   * `initializing`, an existing cluster neither Ready nor being deleted), and tenants waiting for it as their
   * host try again.
   */
  onLogicalCluster(name: string, priority: Priority, initializing = false): void {
    if (this.d.state.tenants.has(name) && !(initializing && this.provisioning.has(name))) this.enqueue(name, priority);
    const waiting = this.waitingForHost.get(name);
    if (!waiting || this.d.clusterState(name) !== 'active') return;
    this.waitingForHost.delete(name);
    for (const t of waiting) this.enqueue(t, priority);
  }

  async reconcile(name: string): Promise<void> {
    const { store } = this.d;
    this.provisioning.delete(name);
    this.ownCreates.forget(name);
    const tc = await getOrUndefined(store, ROOT_CLUSTER, tenantClusterType, name);
    if (!tc) { this.applied.delete(name); return; }
    if (tc.metadata.deletionTimestamp) return this.finalize(tc);
    const spec = tc.spec as TenantClusterSpec;
    const conditions: Condition[] = [];
    const status = (phase: TenantPhase, extra: Partial<TenantClusterStatus> = {}) => this.writeStatus(name, tc, { phase, conditions, ...extra });

    let template: TemplateSpec | undefined;
    if (spec.templateRef) {
      const t = await getOrUndefined(store, ROOT_CLUSTER, templateType, spec.templateRef.name);
      if (!t) {
        conditions.push(cond('Ready', 'False', 'WaitingForTemplate', `waiting for TenantClusterTemplate "${spec.templateRef.name}", which does not exist`));
        return status('Pending');
      }
      template = t.spec as TemplateSpec;
    }
    const eff = effectiveSpec(spec, template);

    const host = eff.hostCluster ?? HOST_CLUSTER;
    if (host === HOST_CLUSTER) await this.ensureHost();
    else if (this.d.clusterState(host) !== 'active') {
      let waiting = this.waitingForHost.get(host);
      if (!waiting) { waiting = new Set(); this.waitingForHost.set(host, waiting); }
      waiting.add(name);
      conditions.push(cond('Ready', 'False', 'WaitingForHostCluster', `waiting for host cluster "${host}", which is not active`));
      return status('Pending', { effective: eff });
    }

    // creating the LogicalCluster (its ADDED event) needs no second pass: its turning Ready brings the tenant back
    this.provisioning.add(name);
    const lc = await this.ensureLogicalCluster(name, eff);
    if (lc !== 'provisioning' && lc !== 'created') this.provisioning.delete(name);
    if (lc === 'foreign') {
      conditions.push(cond('Ready', 'False', 'LogicalClusterConflict', `logical cluster "${name}" already exists and is not managed by this tenant cluster`));
      return status('Failed', { effective: eff });
    }
    // A LogicalCluster this pass created is bootstrapped next (its Ready event brings the tenant back): a tenant still
    // showing its create-time status (waiting for this controller and its logical cluster) needs no Pending write
    // in between. A later pass that finds it still provisioning says so.
    if (lc === 'created' && queuedOnly(tc)) return;
    if (lc !== 'ready') {
      conditions.push(lc === 'deleting'
        ? cond('Ready', 'False', 'WaitingForPreviousCluster', `waiting for the previous logical cluster "${name}" to be removed`)
        : cond('Ready', 'False', 'Provisioning', `logical cluster "${name}" is being provisioned`));
      conditions.push(cond('LogicalClusterReady', 'False', lc === 'deleting' ? 'PreviousClusterTerminating' : 'Provisioning',
        lc === 'deleting' ? `waiting for the previous logical cluster "${name}" to be removed` : `logical cluster "${name}" is being provisioned`));
      return status('Pending', { effective: eff, logicalCluster: name });
    }
    conditions.push(cond('LogicalClusterReady', 'True', 'Provisioned', `logical cluster "${name}" is ready`));

    const previous = this.applied.get(name) ?? tenantStatus(tc)?.appliedObjects ?? [];
    // New template objects and role-mapping bindings are created together, in one transaction.
    const batch = new CreateBatch(store, name);
    const objects = await applyObjects(store, this.d.catalog, name, eff.objects, previous, batch);

    const access = staticAccess(this.d.state, eff);
    for (const u of await this.d.useVerbUsers(name)) if (!access.has(u)) access.set(u, ['use-verb']);
    const mapping = roleMapping(this.d.state, eff, access.keys());
    const bindings = await reconcileBindings(store, this.d.catalog, name, mapping, batch);
    this.ownCreates.expect(name, batch.keys().filter(watchedInTenant));
    await batch.commit();
    conditions.push(objects.problems.length
      ? cond('ObjectsApplied', 'False', 'ApplyFailed', objects.problems.join('; '))
      : cond('ObjectsApplied', 'True', 'Applied', `${objects.applied.length} object(s) applied`));
    conditions.push(cond('RoleMappingApplied', 'True', 'Applied', `${mapping.size} user(s) bound`));

    const warnings = referenceWarnings(this.d.state, eff);
    for (const r of bindings.missingRoles) warnings.push(`ClusterRole "${r}" does not exist in the tenant cluster`);
    conditions.push(warnings.length
      ? cond('ReferencesResolved', 'False', 'MissingReferences', warnings.join('; '))
      : cond('ReferencesResolved', 'True', 'Resolved', 'all referenced users, teams and ClusterRoles exist'));
    conditions.unshift(cond('Ready', 'True', 'Ready', 'the tenant cluster is ready'));

    this.applied.set(name, objects.applied);
    const base = this.d.baseUrl();
    await status('Ready', {
      apiURL: base ? `${base}/clusters/${name}` : `/clusters/${name}`,
      logicalCluster: name, effective: eff, appliedObjects: objects.applied,
    });
  }

  /** Deletion: remove the LogicalCluster (its controller purges everything in it), then our finalizers. */
  private async finalize(tc: Readonly<KObject>): Promise<void> {
    const name = tc.metadata.name!;
    const lc = await getOrUndefined(this.d.store, ROOT_CLUSTER, logicalClusterType, name);
    if (lc && lc.metadata.labels?.[TENANT_LABEL] === name) {
      if (!lc.metadata.deletionTimestamp) await this.d.store.delete(root, logicalClusterType, '', name).catch(ignoreNotFound);
      await this.writeStatus(name, tc, { ...(tenantStatus(tc) ?? {}), phase: 'Terminating' });
      return; // the LogicalCluster's DELETED event brings us back
    }
    await this.d.store.update(root, tenantClusterType, '', name, (cur) => {
      if (!cur) throw notFoundMessage('gone');
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== TENANT_FINALIZER && f !== FOREGROUND_FINALIZER);
      return cur;
    }).catch(ignoreNotFound);
  }

  private async ensureHost(): Promise<void> {
    if (this.d.clusterState(HOST_CLUSTER)) return;
    try {
      await this.d.store.create(root, logicalClusterType, '', { apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name: HOST_CLUSTER } });
    } catch (e) {
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    }
  }

  /** Creates or updates the tenant's LogicalCluster; returns its state ('created': by this call, so provisioning). */
  private async ensureLogicalCluster(name: string, eff: TenantClusterSpec): Promise<'ready' | 'provisioning' | 'created' | 'deleting' | 'foreign'> {
    const audit = eff.auditLog?.enabled === false ? 'false' : undefined;
    const { object, created } = await this.d.store.update(root, logicalClusterType, '', name, (cur) => {
      if (!cur) {
        return {
          apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster',
          metadata: { name, labels: { [TENANT_LABEL]: name }, ...(audit ? { annotations: { [AUDIT_ANNOTATION]: audit } } : {}) },
        };
      }
      if (cur.metadata.labels?.[TENANT_LABEL] !== name || cur.metadata.deletionTimestamp) return cur;
      const annotations = { ...(cur.metadata.annotations ?? {}) };
      if (audit) annotations[AUDIT_ANNOTATION] = audit; else delete annotations[AUDIT_ANNOTATION];
      if (cur.metadata.annotations || Object.keys(annotations).length > 0) cur.metadata.annotations = annotations; // no empty map: no write
      return cur;
    }, { allowCreate: true });
    if (object.metadata.labels?.[TENANT_LABEL] !== name) return 'foreign';
    if (object.metadata.deletionTimestamp) return 'deleting';
    if ((object.status as { phase?: string } | undefined)?.phase === 'Ready') return 'ready';
    return created ? 'created' : 'provisioning';
  }

  /** Writes status through the status subresource; unchanged conditions keep their transition time. */
  private async writeStatus(name: string, tc: Readonly<KObject>, next: TenantClusterStatus): Promise<void> {
    const old = tenantStatus(tc);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    next.observedGeneration = tc.metadata.generation;
    next.conditions = (next.conditions ?? []).map((c) => {
      const prev = old?.conditions?.find((o) => o.type === c.type);
      return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now };
    });
    this.ownStatus.set(name, JSON.stringify(next));
    await this.d.store.update({ cluster: ROOT_CLUSTER, subresource: 'status' }, tenantClusterType, '', name, (cur) => {
      if (!cur) throw notFoundMessage('gone');
      cur.status = next;
      return cur;
    }).catch((e: unknown) => { this.ownStatus.delete(name); return ignoreNotFound(e); });
  }

  /** Whether `status` (of a status-only change) is the one this controller last wrote; forgets it either way. */
  consumeOwnStatus(name: string, status: unknown): boolean {
    const want = this.ownStatus.get(name);
    this.ownStatus.delete(name);
    return want !== undefined && want === JSON.stringify(status);
  }

  idle(): Promise<void> { return this.queue.idle(); }
  stop(): void { this.queue.stop(); }
}

/** Whether the tenant's status is still the one it was created with (strategies.ts: waiting in the queue). */
function queuedOnly(tc: Readonly<KObject>): boolean {
  const st = tenantStatus(tc);
  return st?.phase === 'Pending' && st.conditions?.length === 1 && st.conditions[0]!.reason === 'Queued';
}

function cond(type: string, status: Condition['status'], reason: string, message: string): Condition {
  return { type, status, reason, message };
}

/** Kinds whose events in a tenant's cluster bring the tenant back (setup.ts): RBAC and CRDs. */
function watchedInTenant(key: string): boolean {
  return key.includes('/rbac.authorization.k8s.io/') || key.includes('/apiextensions.k8s.io/');
}
