// ClusterRole aggregation: a ClusterRole with an aggregationRule gets, as its stored rules, the union of the
// rules of every ClusterRole its selectors match (transitively), recomputed when any labelled role changes.
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { Informer } from '../../apiserver/controllers/informer.ts';
import { WorkQueue } from '../../apiserver/controllers/queue.ts';
import { ignoreNotFound, notFoundMessage } from '../../apiserver/errors.ts';
import { aggregate } from '../authz/rbac/index.ts';
import type { ClusterRole } from '../authz/rbac/index.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';

export class AggregationController {
  readonly queue: WorkQueue;

  constructor(private readonly store: Store, private readonly catalog: Catalog, log: (m: string) => void) {
    this.queue = new WorkQueue((cluster) => this.reconcile(cluster), { name: 'clusterrole-aggregation', log, concurrency: 2 });
  }

  register(informer: Informer): void {
    informer.on('rbac.authorization.k8s.io', 'clusterroles', (ev) => {
      const o = ev.object as unknown as ClusterRole;
      // Only aggregating roles and labelled roles can change an aggregate.
      if (o.aggregationRule || Object.keys(o.metadata.labels ?? {}).length > 0) this.queue.add(ev.cluster);
    });
  }

  private async reconcile(cluster: string): Promise<void> {
    const t = this.catalog.lookup(cluster, 'rbac.authorization.k8s.io', 'v1', 'clusterroles');
    if (!t) return;
    const roles = (await this.store.list(cluster, t, '')).items as unknown as ClusterRole[];
    if (!roles.some((r) => r.aggregationRule)) return;
    const wanted = aggregate(roles);
    for (const role of roles) {
      if (!role.aggregationRule) continue;
      const rules = wanted.get(role.metadata.name) ?? [];
      if (JSON.stringify(rules) === JSON.stringify(role.rules ?? [])) continue;
      await this.store.update({ cluster }, t, '', role.metadata.name, (cur) => {
        if (!cur) throw notFoundMessage('gone');
        return { ...cur, rules } as KObject;
      }).catch(ignoreNotFound);
    }
  }

  idle(): Promise<void> { return this.queue.idle(); }
  stop(): void { this.queue.stop(); }
}
