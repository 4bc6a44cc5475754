// CustomResourceDefinitions: keeps the catalog's per-cluster custom types in step with stored CRDs,
// and removes a CRD's custom objects when it is deleted.
import type { Catalog } from '../registry/catalog.ts';
import type { Store } from '../registry/store.ts';
import { forgetCrd, typesFromCrd } from '../crd/types.ts';
import type { Storage } from '../storage/interface.ts';
import { StorageError } from '../storage/interface.ts';
import { collectionPrefix } from '../storage/keys.ts';
import type { Informer } from './informer.ts';

export class CrdController {
  constructor(private readonly catalog: Catalog, private readonly storage: Storage, private readonly log: (m: string) => void,
    private readonly store?: Store) {}

  register(informer: Informer): void {
    informer.on('apiextensions.k8s.io', 'customresourcedefinitions', (ev) => {
      if (ev.type === 'DELETED') {
        const spec = ev.object.spec as { group: string; names: { plural: string }; scope: string };
        this.catalog.removeCustom(ev.cluster, ev.name);
        forgetCrd(ev.object);
        void this.purge(ev.cluster, spec.group, spec.names.plural).catch((e) => this.log(`purging ${ev.name} in ${ev.cluster}: ${(e as Error).message}`));
        return;
      }
      this.catalog.setCustom(ev.cluster, ev.name, typesFromCrd(ev.object, this.store));
    });
  }

  private async purge(cluster: string, group: string, resource: string): Promise<void> {
    const prefix = collectionPrefix(cluster, { group, resource, namespaced: false });
    for (;;) {
      const page = await this.storage.list(prefix, { limit: 500 });
      if (page.items.length === 0) return;
      for (const s of page.items) {
        await this.storage.delete(s.key).catch((e) => { if (!(e instanceof StorageError && e.code === 'NotFound')) throw e; });
      }
    }
  }
}
