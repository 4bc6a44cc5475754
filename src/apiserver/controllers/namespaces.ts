// Namespace lifecycle: deleting a namespace removes everything inside it, then releases the namespace
// (finalizer "kubernetes"); creating objects in a missing or terminating namespace is refused (admission).
import type { Store, Admission } from '../registry/store.ts';
import type { Catalog } from '../registry/catalog.ts';
import { forbidden, notFound, ignoreNotFound, isNotFound } from '../errors.ts';
import { NAMESPACE_FINALIZER } from '../registry/strategies/core.ts';
import { eventPriority, type Informer } from './informer.ts';
import { WorkQueue } from './queue.ts';
import type { Leadership } from './leadership.ts';

export class NamespaceController {
  readonly queue: WorkQueue;

  constructor(private readonly store: Store, private readonly catalog: Catalog, log: (m: string) => void, leadership?: Leadership) {
    // Keys are `cluster/namespace`: fair across logical clusters.
    this.queue = new WorkQueue((key) => this.reconcile(key), { name: 'namespace', log, concurrency: 2, leadership, shardOf: (k) => k.slice(0, k.indexOf('/')) });
  }

  register(informer: Informer): void {
    informer.on('', 'namespaces', (ev) => {
      if (ev.type !== 'DELETED' && ev.object.metadata.deletionTimestamp) this.queue.add(`${ev.cluster}/${ev.name}`, { priority: eventPriority(ev) });
    });
  }

  private async reconcile(key: string): Promise<void> {
    const [cluster, name] = key.split('/');
    const nsType = this.catalog.lookup(cluster, '', 'v1', 'namespaces');
    if (!nsType) return;
    let ns;
    try { ns = await this.store.get(cluster, nsType, '', name); } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!ns.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const t of this.catalog.storedResources(cluster)) {
      if (!t.namespaced) continue;
      const list = await this.store.list(cluster, t, name);
      for (const o of list.items) {
        remaining++;
        if (o.metadata.deletionTimestamp) continue;
        try { await this.store.delete({ cluster }, t, name, o.metadata.name!, { propagationPolicy: 'Background' }); } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    }
    if (remaining > 0) {
      // Objects with finalizers are still going; look again shortly.
      const again = await this.stillHasContent(cluster, name);
      if (again) throw new Error(`namespace ${cluster}/${name} still has content being finalized`);
    }
    await this.store.update({ cluster, subresource: 'finalize' }, nsType, '', name, (cur) => {
      if (!cur) throw notFound(nsType, name);
      const spec = (cur.spec ?? {}) as { finalizers?: string[] };
      cur.spec = { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) };
      return cur;
    }).catch(ignoreNotFound);
  }

  private async stillHasContent(cluster: string, ns: string): Promise<boolean> {
    for (const t of this.catalog.storedResources(cluster)) {
      if (!t.namespaced) continue;
      if ((await this.store.list(cluster, t, ns, { limit: 1 })).items.length > 0) return true;
    }
    return false;
  }

  idle(): Promise<void> { return this.queue.idle(); }
  stop(): void { this.queue.stop(); }
}

/** NamespaceLifecycle admission: no new objects in a namespace that is missing or being deleted. */
export function namespaceLifecycle(store: Store, catalog: Catalog): Admission {
  return {
    name: 'NamespaceLifecycle',
    handles: (op, t) => op === 'create' && t.namespaced,
    async admit(op, t, obj, _old, ctx) {
      if (op !== 'create' || !t.namespaced || !obj?.metadata.namespace) return;
      const nsType = catalog.lookup(ctx.cluster, '', 'v1', 'namespaces');
      if (!nsType) return;
      const nsName = obj.metadata.namespace;
      if (ctx.batchNamespaces?.has(nsName)) return; // created earlier in the same transaction
      let ns;
      try { ns = await store.read(ctx.cluster, nsType, '', nsName); } catch (e) {
        if (isNotFound(e)) throw notFound(nsType, nsName);
        throw e;
      }
      if (ns.metadata.deletionTimestamp) {
        throw forbidden(t, obj.metadata.name ?? '', `unable to create new content in namespace ${nsName} because it is being terminated`);
      }
    },
  };
}
