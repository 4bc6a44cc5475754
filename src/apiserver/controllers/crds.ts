// CustomResourceDefinitions: keeps the catalog's per-cluster custom types in step with stored CRDs,
// and removes a CRD's custom objects when it is deleted. CRDs in reserved groups are refused (admission) and, if
// stored before that rule, never served nor purged (their keys would be those of built-in or platform kinds).
import type { Catalog } from '../registry/catalog.ts';
import type { Admission, Store } from '../registry/store.ts';
import { invalid } from '../errors.ts';
import { reservedGroupProblem } from '../reserved-groups.ts';
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
      const spec = ev.object.spec as { group: string; names: { plural: string }; scope: string } | undefined;
      const problem = reservedGroupProblem(ev.cluster, spec?.group ?? '');
      if (problem) {
        if (ev.type === 'ADDED') this.log(`ignoring CustomResourceDefinition ${ev.name} in ${ev.cluster}: ${problem}`);
        return;
      }
      if (ev.type === 'DELETED') {
        this.catalog.removeCustom(ev.cluster, ev.name);
        if (!spec) return;
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

/** Refuses CustomResourceDefinitions in reserved groups (422, as Kubernetes refuses unapproved *.k8s.io groups). */
export function reservedGroupAdmission(): Admission {
  return {
    name: 'ReservedGroups',
    phase: 'validating',
    admit(op, t, obj, _old, ctx) {
      if (op === 'delete' || !obj || t.group !== 'apiextensions.k8s.io' || t.resource !== 'customresourcedefinitions') return;
      const group = (obj.spec as { group?: unknown } | undefined)?.group;
      const problem = typeof group === 'string' ? reservedGroupProblem(ctx.cluster, group) : undefined;
      if (problem) {
        throw invalid(t.kind, t.group, obj.metadata.name ?? '', [{ field: 'spec.group', reason: 'FieldValueForbidden', message: `Forbidden: ${problem}` }]);
      }
    },
  };
}
