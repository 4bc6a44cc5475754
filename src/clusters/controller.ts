// Keeps each connected cluster's status (reachable, server version, last check) and its role mapping upstream:
// one ClusterRoleBinding per ClusterRole that Portcullis owns (labelled), its users updated as access changes.
import { WorkQueue } from '../apiserver/controllers/queue.ts';
import type { Leadership } from '../apiserver/controllers/leadership.ts';
import type { Store } from '../apiserver/registry/store.ts';
import { StatusError } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import { roleBindings } from '../platform/index.ts';
import type { ConnectedClusters } from './registry.ts';
import type { ConnectedAccess } from './access.ts';
import {
  BINDINGS_FINALIZER, UPSTREAM_MANAGED_LABEL, UPSTREAM_MANAGED_VALUE, connectedClusterType, type ConnectedClusterStatus,
} from './types.ts';
import type { Upstream } from './upstream.ts';

const RBAC = 'rbac.authorization.k8s.io';
const CRBS = `/apis/${RBAC}/v1/clusterrolebindings`;

export interface ControllerDeps {
  store: Store;
  clusters: ConnectedClusters;
  access: ConnectedAccess;
  log: (m: string) => void;
  leadership: Leadership;
}

export class ConnectedClusterController {
  readonly queue: WorkQueue;

  constructor(private readonly d: ControllerDeps) {
    this.queue = new WorkQueue((name) => this.sync(name), { name: 'connectedcluster', log: d.log, leadership: d.leadership, maxBackoffMs: 30_000 });
  }

  enqueue(name: string): void { this.queue.add(name); }
  /** Every connected cluster: periodic health checks and fan-out are background work. */
  enqueueAll(): void { for (const n of this.d.clusters.records.keys()) this.queue.add(n, { priority: 'low' }); }
  idle(): Promise<void> { return this.queue.idle(); }
  stop(): void { this.queue.stop(); }

  private async sync(name: string): Promise<void> {
    const rec = this.d.clusters.get(name);
    if (!rec) return;
    const up = this.d.clusters.upstream(name);
    if (rec.deleting) return this.finalize(name, up);
    const status: ConnectedClusterStatus = { reachable: false, lastCheckTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
    if (typeof up === 'string') status.message = up;
    else if (up.refused) status.message = up.refused;
    else {
      try {
        const v = await up.call<{ gitVersion?: string }>('GET', '/version');
        if (v.status !== 200) throw new Error(`GET /version answered ${v.status}`);
        status.reachable = true;
        status.serverVersion = v.body?.gitVersion;
        const { bindings, taken } = await this.reconcileBindings(up, await this.d.access.mapping(name));
        status.bindings = bindings;
        status.message = taken.length
          ? `connected; ClusterRoleBinding(s) ${taken.map((n) => `"${n}"`).join(', ')} exist upstream and are not Portcullis' (` +
            `no ${UPSTREAM_MANAGED_LABEL}=${UPSTREAM_MANAGED_VALUE} label, or a held deletion): their users are not bound`
          : 'connected';
      } catch (e) {
        status.reachable = false;
        status.message = `upstream check failed: ${(e as Error).message}`;
      }
    }
    await this.d.store.update({ cluster: ROOT_CLUSTER, subresource: 'status' }, connectedClusterType, '', name, (cur) => {
      if (!cur) throw new StatusError(404, 'NotFound', 'gone');
      cur.status = status;
      return cur;
    }).catch((e: unknown) => { if (!(e instanceof StatusError && e.code === 404)) throw e; });
  }

  /** Deletion: Portcullis' bindings upstream go first (retried while the upstream is unreachable), then the finalizer. */
  private async finalize(name: string, up: Upstream | string): Promise<void> {
    if (typeof up === 'string') throw new Error(`cannot remove the bindings of connected cluster ${name} upstream: ${up}`);
    await this.reconcileBindings(up, new Map());
    await this.d.store.update({ cluster: ROOT_CLUSTER }, connectedClusterType, '', name, (cur) => {
      if (!cur) throw new StatusError(404, 'NotFound', 'gone');
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== BINDINGS_FINALIZER);
      return cur;
    }).catch((e: unknown) => { if (!(e instanceof StatusError && e.code === 404)) throw e; });
  }

  /**
   * Brings Portcullis' bindings upstream to exactly `mapping` (user → ClusterRoles); returns how many there are, and
   * those whose name is held upstream by a binding that is not ours (never written into: said in the status).
   */
  private async reconcileBindings(up: Upstream, mapping: ReadonlyMap<string, readonly string[]>): Promise<{ bindings: number; taken: string[] }> {
    const want = roleBindings(mapping, { [UPSTREAM_MANAGED_LABEL]: UPSTREAM_MANAGED_VALUE });
    const list = await up.call<{ items?: KObject[] }>('GET', `${CRBS}?labelSelector=${encodeURIComponent(`${UPSTREAM_MANAGED_LABEL}=${UPSTREAM_MANAGED_VALUE}`)}`);
    if (list.status !== 200) throw new Error(`listing ClusterRoleBindings upstream answered ${list.status}`);
    const have = new Map((list.body.items ?? []).map((o) => [o.metadata.name!, o]));
    const ok = (r: { status: number }, what: string) => {
      if (r.status >= 300 && r.status !== 404 && r.status !== 409) throw new Error(`${what} answered ${r.status}`);
    };
    const taken: string[] = [];
    // a binding whose deletion is held (a finalizer) still binds while it lingers: emptied, so its users do not keep it
    const drop = async (name: string, path: string) => {
      const del = await up.call<KObject | undefined>('DELETE', path);
      ok(del, `deleting ClusterRoleBinding ${name}`);
      if (del.status >= 300 || !del.body?.metadata?.deletionTimestamp) return;
      const put = await up.call('PUT', path, { ...del.body, subjects: [] });
      if (put.status >= 300 && put.status !== 404) throw new Error(`emptying ClusterRoleBinding ${name} answered ${put.status}`);
    };
    for (const [name, obj] of want) {
      const cur = have.get(name);
      const sameRole = cur !== undefined && JSON.stringify(cur.roleRef) === JSON.stringify(obj.roleRef);
      if (sameRole && JSON.stringify(cur.subjects) === JSON.stringify(obj.subjects)) continue;
      const path = `${CRBS}/${encodeURIComponent(name)}`;
      if (sameRole) {
        // users joined or left: replaced in place (the others keep the binding throughout); a conflict is retried
        const put = await up.call('PUT', path, { ...obj, metadata: { ...obj.metadata, resourceVersion: cur.metadata.resourceVersion } });
        if (put.status >= 300) throw new Error(`updating ClusterRoleBinding ${name} answered ${put.status}`);
        continue;
      }
      if (cur) await drop(name, path); // roleRef is immutable
      const post = await up.call('POST', CRBS, obj);
      // the name is held by a binding that is not ours (unlabelled, or its deletion held by a finalizer)
      if (post.status === 409) taken.push(name); else ok(post, `creating ClusterRoleBinding ${name}`);
    }
    for (const name of have.keys()) {
      if (!want.has(name)) await drop(name, `${CRBS}/${encodeURIComponent(name)}`);
    }
    return { bindings: want.size, taken };
  }
}
