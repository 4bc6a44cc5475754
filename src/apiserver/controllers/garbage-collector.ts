// Garbage collection by ownerReferences: background deletion of dependents when an owner goes,
// foreground deletion (finalizer foregroundDeletion) and orphaning (finalizer orphan), per logical cluster.
import type { Store } from '../registry/store.ts';
import type { Catalog } from '../registry/catalog.ts';
import type { ResourceType } from '../registry/types.ts';
import type { KObject } from '../storage/interface.ts';
import { parseKey } from '../storage/keys.ts';
import { ignoreNotFound, isNotFound, notFoundMessage } from '../errors.ts';
import { eventPriority, type Informer, type InformerEvent } from './informer.ts';
import { WorkQueue } from './queue.ts';
import type { Leadership } from './leadership.ts';

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

export class GarbageCollector {
  /** `${cluster}|${ownerUid}` → storage keys of dependents. */
  private readonly dependents = new Map<string, Set<string>>();
  /** storage key → owner uids it is indexed under. */
  private readonly ownersOf = new Map<string, string[]>();
  readonly queue: WorkQueue;

  constructor(private readonly store: Store, private readonly catalog: Catalog, log: (m: string) => void, leadership?: Leadership) {
    this.queue = new WorkQueue((item) => this.process(item), { name: 'garbagecollector', log, concurrency: 2, leadership, shardOf: gcShard });
  }

  register(informer: Informer): void {
    informer.onAny((ev) => this.observe(ev));
  }

  private observe(ev: InformerEvent): void {
    const uid = ev.object.metadata.uid ?? '';
    this.unindex(ev.key);
    if (ev.type !== 'DELETED') {
      const refs = (ev.object.metadata.ownerReferences ?? []) as Array<{ uid?: string }>;
      const uids = refs.map((r) => r.uid ?? '').filter(Boolean);
      if (uids.length) {
        this.ownersOf.set(ev.key, uids);
        for (const u of uids) {
          const k = `${ev.cluster}|${u}`;
          let set = this.dependents.get(k);
          if (!set) { set = new Set(); this.dependents.set(k, set); }
          set.add(ev.key);
        }
      }
      const fin = ev.object.metadata.finalizers ?? [];
      if (ev.object.metadata.deletionTimestamp && (fin.includes(FOREGROUND) || fin.includes(ORPHAN))) {
        this.queue.add(`finalize|${ev.key}|${uid}`, { priority: eventPriority(ev) });
      }
    } else if (this.dependents.has(`${ev.cluster}|${uid}`)) {
      this.queue.add(`orphaned|${ev.cluster}|${uid}`, { priority: eventPriority(ev) });
    }
  }

  private unindex(key: string): void {
    const uids = this.ownersOf.get(key);
    if (!uids) return;
    const cluster = parseKey(key).cluster;
    for (const u of uids) {
      const k = `${cluster}|${u}`;
      const set = this.dependents.get(k);
      set?.delete(key);
      if (set && set.size === 0) this.dependents.delete(k);
    }
    this.ownersOf.delete(key);
  }

  private typeOf(key: string): { t: ResourceType; cluster: string; namespace: string; name: string } | undefined {
    const k = parseKey(key);
    const t = this.catalog.storedResources(k.cluster).find((x) => x.group === k.group && x.resource === k.resource);
    return t ? { t, cluster: k.cluster, namespace: k.namespace, name: k.name } : undefined;
  }

  private async process(item: string): Promise<void> {
    const [kind, a, b] = item.split('|');
    if (kind === 'orphaned') return this.deleteDependents(a, b, 'Background');
    const owner = this.typeOf(a);
    if (!owner) return;
    let obj: KObject;
    try { obj = await this.store.get(owner.cluster, owner.t, owner.namespace, owner.name); } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (obj.metadata.uid !== b || !obj.metadata.deletionTimestamp) return;
    const fin = obj.metadata.finalizers ?? [];
    if (fin.includes(ORPHAN)) await this.orphanDependents(owner.cluster, b);
    if (fin.includes(FOREGROUND)) {
      await this.deleteDependents(owner.cluster, b, 'Foreground');
      if (this.dependents.get(`${owner.cluster}|${b}`)?.size) throw new Error(`waiting for dependents of ${a} to be deleted`);
    }
    await this.store.update({ cluster: owner.cluster }, owner.t, owner.namespace, owner.name, (cur) => {
      if (!cur) throw notFoundMessage('gone');
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== ORPHAN && f !== FOREGROUND);
      return cur;
    }).catch(ignoreNotFound);
  }

  private async deleteDependents(cluster: string, uid: string, policy: 'Background' | 'Foreground'): Promise<void> {
    for (const key of [...(this.dependents.get(`${cluster}|${uid}`) ?? [])]) {
      const d = this.typeOf(key);
      if (!d) continue;
      await this.store.delete({ cluster }, d.t, d.namespace, d.name, { propagationPolicy: policy }).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
    }
  }

  private async orphanDependents(cluster: string, uid: string): Promise<void> {
    for (const key of [...(this.dependents.get(`${cluster}|${uid}`) ?? [])]) {
      const d = this.typeOf(key);
      if (!d) continue;
      await this.store.update({ cluster }, d.t, d.namespace, d.name, (cur) => {
        if (!cur) throw notFoundMessage('gone');
        const refs = (cur.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        if (refs.length) cur.metadata.ownerReferences = refs; else delete cur.metadata.ownerReferences;
        return cur;
      }).catch(ignoreNotFound);
    }
  }

  idle(): Promise<void> { return this.queue.idle(); }
  stop(): void { this.queue.stop(); }
}

/** The logical cluster of a work item (`finalize|/<cluster>/...|uid` or `orphaned|<cluster>|uid`): fairness shard. */
function gcShard(item: string): string {
  const rest = item.slice(item.indexOf('|') + 1);
  return rest.startsWith('/') ? rest.slice(1, rest.indexOf('/', 1)) : rest.slice(0, rest.indexOf('|'));
}
