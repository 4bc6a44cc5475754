// Project deletion: a deleting Project (the cascade opt-in was checked by admission) deletes its tenant
// clusters and drops its finalizers once they are gone. Also keeps root's global-admins binding current.
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import { ignoreNotFound, isNotFound, notFoundMessage } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { WorkQueue } from '../../apiserver/controllers/queue.ts';
import type { Leadership } from '../../apiserver/controllers/leadership.ts';
import { type PlatformState, FOREGROUND_FINALIZER, PROJECT_FINALIZER, projectType, tenantClusterType } from '../resources/index.ts';

const RBAC = 'rbac.authorization.k8s.io';
export const GLOBAL_ADMINS_BINDING = 'portcullis:global-admins';
const root = { cluster: ROOT_CLUSTER };
const GLOBAL_KEY = '\0global-admins';

export class ProjectController {
  readonly queue: WorkQueue;

  constructor(private readonly d: { store: Store; catalog: Catalog; state: PlatformState; log: (m: string) => void; leadership?: Leadership }) {
    this.queue = new WorkQueue((key) => (key === GLOBAL_KEY ? this.reconcileGlobalAdmins() : this.reconcile(key)), { name: 'project', log: d.log, concurrency: 2, leadership: d.leadership });
  }

  enqueue(project: string): void { this.queue.add(project); }
  enqueueGlobalAdmins(): void { this.queue.add(GLOBAL_KEY); }

  private async reconcile(name: string): Promise<void> {
    const { store } = this.d;
    let p;
    try { p = await store.get(ROOT_CLUSTER, projectType, '', name); } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!p.metadata.deletionTimestamp) return;
    const list = await store.list(ROOT_CLUSTER, tenantClusterType, '');
    const mine = list.items.filter((t) => (t.spec as { project?: string }).project === name);
    for (const t of mine) {
      if (t.metadata.deletionTimestamp) continue;
      await store.delete(root, tenantClusterType, '', t.metadata.name!).catch(ignoreNotFound);
    }
    if (mine.length > 0) return; // their DELETED events bring us back
    await store.update(root, projectType, '', name, (cur) => {
      if (!cur) throw notFoundMessage('gone');
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== PROJECT_FINALIZER && f !== FOREGROUND_FINALIZER);
      return cur;
    }).catch(ignoreNotFound);
  }

  /** ClusterRoleBinding portcullis:global-admins in root: cluster-admin for every User with spec.globalAdmin. */
  private async reconcileGlobalAdmins(): Promise<void> {
    const crb = this.d.catalog.lookup(ROOT_CLUSTER, RBAC, 'v1', 'clusterrolebindings')!;
    const subjects = [...this.d.state.globalAdmins()].sort().map((name) => ({ apiGroup: RBAC, kind: 'User', name }));
    await this.d.store.update(root, crb, '', GLOBAL_ADMINS_BINDING, (cur) => ({
      ...(cur ?? {}),
      apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding',
      metadata: { ...(cur?.metadata ?? {}), name: GLOBAL_ADMINS_BINDING, labels: { ...(cur?.metadata.labels ?? {}), 'management.portcullis.io/managed': 'true' } },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cluster-admin' },
      subjects,
    }), { allowCreate: true });
  }

  idle(): Promise<void> { return this.queue.idle(); }
  stop(): void { this.queue.stop(); }
}

