// ClusterRole aggregation: a ClusterRole with an aggregationRule gets, as its stored rules, the union of the
// rules of every ClusterRole its selectors match (transitively), recomputed when any labelled role changes.
// The built-in set's roles arrive already aggregated (bootstrap-seed.ts): a cluster whose every labelled or
// aggregating role is the unchanged shared copy needs no work, so a new cluster's built-in roles appearing (about
// 65 ADDED events when its shared-set marker is written) do not make it list and aggregate its roles.
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import { eventPriority, type Informer, type InformerEvent } from '../../apiserver/controllers/informer.ts';
import { WorkQueue } from '../../apiserver/controllers/queue.ts';
import { ignoreNotFound, notFoundMessage } from '../../apiserver/errors.ts';
import { aggregate, selectorMatches } from '../authz/rbac/index.ts';
import type { ClusterRole, LabelSelector } from '../authz/rbac/index.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';

const RBAC = 'rbac.authorization.k8s.io';

/** A cluster's own ClusterRoles that take part in aggregation, and its own aggregating roles' selectors. */
interface Own { names: Set<string>; selectors: LabelSelector[] }

export class AggregationController {
  readonly queue: WorkQueue;
  /**
   * cluster → its own (not the unchanged shared copy) ClusterRoles that aggregate or that some selector in the
   * cluster matches. Other labelled roles (e.g. host-tier roles labelled with their tenant, thousands in one
   * cluster) cannot change an aggregate and cause no work.
   */
  private readonly own = new Map<string, Own>();
  /** The selectors of the shared set's aggregating roles (admin, edit, view, ...). */
  private readonly builtinSelectors: LabelSelector[] = [];

  /**
   * `shared`: the built-in set's objects by key relative to a cluster (`<group>/<resource>/<name>`), already
   * aggregated among themselves; an event whose object is that copy, unchanged, is recognised by identity.
   */
  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
    log: (m: string) => void,
    private readonly shared: ReadonlyMap<string, KObject> = new Map(),
  ) {
    this.queue = new WorkQueue((cluster) => this.reconcile(cluster), { name: 'clusterrole-aggregation', log, concurrency: 2 });
    for (const [rel, o] of shared) {
      if (rel.startsWith(`${RBAC}/clusterroles/`)) this.builtinSelectors.push(...selectorsOf(o as unknown as ClusterRole));
    }
  }

  register(informer: Informer): void {
    informer.on(RBAC, 'clusterroles', (ev) => this.onClusterRole(ev));
  }

  private onClusterRole(ev: InformerEvent): void {
    const own = this.own.get(ev.cluster);
    // a built-in role appearing unchanged in a cluster without roles of its own in aggregation: nothing to do (below),
    // decided without building the shared object
    if (ev.shared && ev.type === 'ADDED' && !own) return;
    const o = ev.object as unknown as ClusterRole;
    // Only aggregating roles and labelled roles can change an aggregate, and a role that took part in one losing
    // its labels (its rules must leave the aggregate).
    if (!o.aggregationRule && Object.keys(o.metadata.labels ?? {}).length === 0 && !own?.names.has(ev.name)) return;
    const priority = eventPriority(ev);
    if (this.isSharedCopy(o)) {
      // a built-in role appearing unchanged is aggregated already, unless the cluster has roles of its own that take
      // part in aggregation (then the cluster is reconciled as a whole); one deleted changes what is selected
      if (ev.type !== 'ADDED' || own) this.queue.add(ev.cluster, { priority });
      return;
    }
    if (!o.aggregationRule && !own?.names.has(ev.name) && !this.selected(o, own)) return;
    if (ev.type === 'DELETED') {
      if (own?.names.delete(ev.name) && own.names.size === 0) this.own.delete(ev.cluster);
    } else {
      const entry = own ?? { names: new Set<string>(), selectors: [] };
      this.own.set(ev.cluster, entry);
      entry.names.add(ev.name);
      entry.selectors.push(...selectorsOf(o));
    }
    this.queue.add(ev.cluster, { priority });
  }

  /** Whether a built-in selector or one of the cluster's own aggregating roles selects the role. */
  private selected(o: ClusterRole, own: Own | undefined): boolean {
    const labels = o.metadata.labels;
    return this.builtinSelectors.some((s) => selectorMatches(s, labels)) || (own?.selectors ?? []).some((s) => selectorMatches(s, labels));
  }

  /** The shared set's own copy, unchanged (its content is the very objects of the set). */
  private isSharedCopy(o: ClusterRole): boolean {
    const base = this.shared.get(`${RBAC}/clusterroles/${o.metadata.name}`) as unknown as ClusterRole | undefined;
    return base !== undefined && base.rules === o.rules && base.aggregationRule === o.aggregationRule
      && base.metadata.labels === o.metadata.labels;
  }

  /** Rebuilds what the cluster's own roles contribute from the full list (drops stale selectors and names). */
  private remember(cluster: string, roles: readonly ClusterRole[]): void {
    const own: Own = { names: new Set(), selectors: [] };
    const mine = roles.filter((r) => !this.isSharedCopy(r));
    for (const r of mine) if (r.aggregationRule) own.selectors.push(...selectorsOf(r));
    for (const r of mine) if (r.aggregationRule || this.selected(r, own)) own.names.add(r.metadata.name);
    if (own.names.size > 0) this.own.set(cluster, own); else this.own.delete(cluster);
  }

  private async reconcile(cluster: string): Promise<void> {
    const t = this.catalog.lookup(cluster, RBAC, 'v1', 'clusterroles');
    if (!t) return;
    const roles = (await this.store.list(cluster, t, '')).items as unknown as ClusterRole[];
    this.remember(cluster, roles);
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

const selectorsOf = (r: ClusterRole): LabelSelector[] => r.aggregationRule?.clusterRoleSelectors ?? [];
