// New objects of one logical cluster gathered while a controller reconciles and created in one transaction
// (Store.createMany: each prepared, validated and admitted as a single create). If the transaction is refused, each
// object takes its own path instead (its fallback), so a conflict or a refused object is handled as it was alone.
import type { Store } from './store.ts';
import type { ResourceType } from './types.ts';
import type { KObject } from '../storage/interface.ts';
import { StatusError } from '../errors.ts';

interface Item { t: ResourceType; namespace: string; object: KObject; fallback: () => Promise<void> }

export class CreateBatch {
  private items: Item[] = [];

  constructor(private readonly store: Store, private readonly cluster: string) {}

  /** Queues a create; `fallback` writes this object alone if the batch is refused. */
  add(t: ResourceType, namespace: string, object: KObject, fallback: () => Promise<void>): void {
    this.items.push({ t, namespace, object, fallback });
  }

  get size(): number { return this.items.length; }

  /** The storage keys of the objects queued (e.g. for OwnCreates). */
  keys(): string[] {
    return this.items.map(({ t, namespace, object }) => this.store.key(this.cluster, t, namespace, object.metadata.name!));
  }

  /** Creates everything queued; returns how many transactions it took. */
  async commit(): Promise<number> {
    const items = this.items;
    this.items = [];
    if (items.length === 0) return 0;
    try {
      await this.store.createMany({ cluster: this.cluster }, items.map(({ t, namespace, object }) => ({ t, namespace, object })));
      return 1;
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
    }
    for (const it of items) await it.fallback();
    return items.length;
  }
}
