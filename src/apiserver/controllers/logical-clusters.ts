// Logical clusters: the LogicalCluster type (in root), the directory the request chain consults,
// bootstrap of a new cluster (its namespaces, then what modules seed), and removal of everything when one is deleted.
import type { Store } from '../registry/store.ts';
import type { Catalog } from '../registry/catalog.ts';
import type { ResourceType } from '../registry/types.ts';
import { defineType } from '../registry/builtins.ts';
import { extendStrategy } from '../registry/strategies/default.ts';
import type { BatchOp, KObject, Storage } from '../storage/interface.ts';
import { StorageError } from '../storage/interface.ts';
import { clusterPrefix, parseKey } from '../storage/keys.ts';
import { sharedSetMarker, sharedSetMarkerKey, sharedSetMarkerPrefix, type SharedSet } from '../storage/shared-sets.ts';
import type { ClusterDirectory } from '../filters/logical-cluster.ts';
import { ClusterHandles, type ClusterHandle } from '../cluster-handle.ts';
import { ROOT_CLUSTER, validateClusterName } from '../cluster-name.ts';
import { StatusError, ignoreNotFound, notFoundMessage } from '../errors.ts';
import { eventPriority, type Informer } from './informer.ts';
import { WorkQueue } from './queue.ts';
import type { Leadership } from './leadership.ts';

export const CLUSTER_FINALIZER = 'tenancy.portcullis.io/logical-cluster';
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates an object in the cluster being seeded; an object that exists already is left alone. */
export type SeedCreate = (group: string, resource: string, obj: KObject) => Promise<void>;
/** Contributes a new logical cluster's initial objects (ModuleContext.clusterSeeds). */
export type ClusterSeeder = (cluster: string, create: SeedCreate) => Promise<void>;

export const logicalClusterType: ResourceType = defineType('tenancy.portcullis.io', 'v1alpha1', 'logicalclusters', 'LogicalCluster', {
  cluster: true,
  shortNames: ['lc'],
  onlyInClusters: [ROOT_CLUSTER],
  status: true,
  strategy: extendStrategy({
    prepareForCreate(obj) {
      obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), CLUSTER_FINALIZER])];
      obj.status = { phase: 'Initializing' };
    },
    validateName: validateClusterName,
  }),
});
logicalClusterType.schema = {
  type: 'object',
  description: 'A logical cluster served at /clusters/<name>, with its own namespaces, RBAC and objects. Deleting it '
    + 'removes everything stored for it.',
  properties: {
    spec: { type: 'object', description: 'No fields yet.', 'x-kubernetes-preserve-unknown-fields': true },
    status: {
      type: 'object', description: 'Written by the server.',
      properties: {
        phase: { type: 'string', description: 'Initializing, Ready or Terminating.' },
        url: { type: 'string', description: 'The path the cluster is served at.' },
      },
    },
  },
};

export class LogicalClusters implements ClusterDirectory {
  private readonly states = new Map<string, 'active' | 'deleting'>([[ROOT_CLUSTER, 'active']]);
  /** One object per cluster for the request path (cluster-handle.ts): its state, and modules' slots. */
  readonly handles = new ClusterHandles();
  readonly queue: WorkQueue;
  private readonly listeners: Array<(count: number, names: () => string[]) => void> = [];

  constructor(
    private readonly store: Store,
    private readonly storage: Storage,
    private readonly catalog: Catalog,
    private readonly log: (m: string) => void,
    leadership?: Leadership,
    private readonly seeds: readonly ClusterSeeder[] = [],
    private readonly sharedSets: readonly SharedSet[] = [],
  ) {
    this.queue = new WorkQueue((name) => this.reconcile(name), { name: 'logicalcluster', log, concurrency: 4, leadership });
    this.handles.ensure(ROOT_CLUSTER).state = 'active';
  }

  state(name: string): 'active' | 'deleting' | undefined {
    return this.states.get(name);
  }

  handle(name: string): ClusterHandle | undefined {
    return this.handles.get(name);
  }

  private setState(name: string, state: 'active' | 'deleting' | undefined): void {
    if (state === undefined) {
      this.states.delete(name);
      const h = this.handles.get(name);
      if (h) { h.state = undefined; this.handles.release(h); }
    } else {
      this.states.set(name, state);
      this.handles.ensure(name).state = state;
    }
  }

  names(): string[] { return [...this.states.keys()]; }

  /**
   * Called whenever the set changes, with how many clusters there are and a way to list their names (built only
   * when asked: a listener that acts later need not pay for a list of 10,000 names per new cluster).
   */
  onChange(fn: (count: number, names: () => string[]) => void): void { this.listeners.push(fn); }

  register(informer: Informer): void {
    informer.on(logicalClusterType.group, logicalClusterType.resource, (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      const before = this.states.get(ev.name);
      this.setState(ev.name, ev.type === 'DELETED' ? undefined : ev.object.metadata.deletionTimestamp ? 'deleting' : 'active');
      if (before !== this.states.get(ev.name)) for (const l of this.listeners) l(this.states.size, () => this.names());
      // a Ready cluster not being deleted needs nothing (e.g. the event of our own Ready status write)
      const ready = (ev.object.status as { phase?: string } | undefined)?.phase === 'Ready' && !ev.object.metadata.deletionTimestamp;
      if (ev.type !== 'DELETED' && !ready) this.queue.add(ev.name, { priority: eventPriority(ev) });
    });
  }

  /** Bootstraps root (idempotent); called once at startup. */
  async ensureRoot(): Promise<void> {
    await this.bootstrap(ROOT_CLUSTER);
  }

  private async reconcile(name: string): Promise<void> {
    const obj = await this.storage.get(`/${ROOT_CLUSTER}/${logicalClusterType.group}/${logicalClusterType.resource}/${name}`);
    if (!obj) return;
    const lc = obj.object;
    if (lc.metadata.deletionTimestamp) {
      await this.purge(name);
      await this.write(name, (o) => { o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== CLUSTER_FINALIZER); });
      return;
    }
    if ((lc.status as { phase?: string } | undefined)?.phase !== 'Ready') {
      const ready = (o: KObject) => { o.status = { phase: 'Ready', url: `/clusters/${name}` }; return o; };
      // the Ready status joins the bootstrap's transaction (unless seeders write after it), else it is written alone
      const op = this.seeds.length ? undefined
        : await this.store.updateOp({ cluster: ROOT_CLUSTER, subresource: 'status' }, logicalClusterType, '', name, ready);
      if (!(await this.bootstrap(name, op))) await this.write(name, ready, 'status');
    }
  }

  /** Updates the LogicalCluster (or its status, through the status subresource); a vanished object is fine. */
  private async write(name: string, change: (o: KObject) => void, subresource?: 'status'): Promise<void> {
    await this.store.update({ cluster: ROOT_CLUSTER, subresource }, logicalClusterType, '', name, (cur) => {
      if (!cur) throw notFoundMessage('gone');
      change(cur);
      return cur;
    }).catch(ignoreNotFound);
  }

  /**
   * Creates the default namespaces and the markers of the shared sets (their objects then appear in the cluster
   * without being copied), then what the seeders contribute; existing objects are left alone. `then` joins the
   * transaction of the namespaces and markers; true when it was written there.
   */
  async bootstrap(cluster: string, then?: BatchOp): Promise<boolean> {
    const ctx = { cluster };
    const type = (group: string, resource: string) => {
      const t = this.catalog.storedResources(cluster).find((x) => x.group === group && x.resource === resource);
      if (!t) throw new Error(`type ${group}/${resource} not registered`);
      return t;
    };
    const create: SeedCreate = async (group, resource, obj) => {
      try { await this.store.create(ctx, type(group, resource), obj.metadata.namespace ?? '', obj); } catch (e) {
        if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
      }
    };
    // One transaction for the namespaces and markers not there yet (one at a time if another writer races us).
    const nsType = type('', 'namespaces');
    const namespaces = [];
    for (const name of SYSTEM_NAMESPACES) {
      if (await this.storage.get(this.store.key(cluster, nsType, '', name))) continue;
      namespaces.push({ t: nsType, namespace: '', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
    }
    const markers: BatchOp[] = [];
    for (const set of this.sharedSets) {
      const key = sharedSetMarkerKey(cluster, set.name);
      if (!(await this.storage.get(key))) markers.push({ op: 'create', key, object: sharedSetMarker(set.name) });
    }
    let joined = false;
    if (namespaces.length + markers.length > 0 || then) {
      try {
        await this.store.createMany(ctx, namespaces, then ? [...markers, then] : markers);
        joined = true;
      } catch (e) {
        const raced = (e instanceof StatusError && e.reason === 'AlreadyExists') || (e instanceof StorageError && e.code === 'Exists')
          || (e instanceof StorageError && e.code === 'Conflict' && e.key === then?.key);
        if (!raced) throw e;
        for (const n of namespaces) await create('', 'namespaces', n.object);
        for (const m of markers) {
          await this.storage.create(m.key, (m as { object: KObject }).object).catch((err) => {
            if (!(err instanceof StorageError && err.code === 'Exists')) throw err;
          });
        }
      }
    }
    for (const seed of this.seeds) await seed(cluster, create);
    return joined;
  }

  /**
   * Start-up reconciliation of the shared sets (as kube-apiserver reconciles its default RBAC at start): only the
   * objects some cluster edited, re-created or deleted (`ownRows`) are visited; shared copies are the set itself.
   */
  async reconcileShared(ownRows: (set: string) => string[]): Promise<number> {
    let written = 0;
    for (const set of this.sharedSets) {
      if (!set.reconcile) continue;
      for (const key of ownRows(set.name)) {
        const k = parseKey(key);
        if (this.states.get(k.cluster) !== 'active') continue;
        const t = this.catalog.storedResources(k.cluster).find((x) => x.group === k.group && x.resource === k.resource);
        if (!t) continue;
        const ctx = { cluster: k.cluster };
        try {
          const own = (await this.storage.get(key))?.object;
          const want = set.reconcile(key.slice(k.cluster.length + 2), own && structuredClone(own));
          if (!want) continue;
          if (want.recreate) await this.store.delete(ctx, t, k.namespace, k.name);
          if (!own || want.recreate) {
            const { uid: _u, resourceVersion: _r, creationTimestamp: _c, ...meta } = want.object.metadata;
            await this.store.create(ctx, t, k.namespace, { ...want.object, metadata: meta });
          } else {
            await this.store.update(ctx, t, k.namespace, k.name, () => want.object);
          }
          written++;
        } catch (e) {
          this.log(`reconciling ${key} failed: ${(e as Error).message}`);
        }
      }
    }
    return written;
  }

  /** Removes every object stored for the cluster. */
  private async purge(cluster: string): Promise<void> {
    const prefix = clusterPrefix(cluster);
    // Markers first: the cluster's shared objects go with them (and are not copied just to be deleted).
    for (const s of (await this.storage.list(sharedSetMarkerPrefix(cluster))).items) {
      await this.storage.delete(s.key).catch((e) => { if (!(e instanceof StorageError && e.code === 'NotFound')) throw e; });
    }
    for (;;) {
      const page = await this.storage.list(prefix, { limit: 500 });
      if (page.items.length === 0) break;
      for (const s of page.items) {
        try { await this.storage.delete(s.key); } catch (e) {
          if (!(e instanceof StorageError && e.code === 'NotFound')) throw e;
        }
      }
    }
    this.catalog.dropCluster(cluster);
    this.log(`logical cluster "${cluster}" purged`);
  }

  idle(): Promise<void> { return this.queue.idle(); }
  stop(): void { this.queue.stop(); }
}
