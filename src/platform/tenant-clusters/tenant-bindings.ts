// Materialises the role mapping inside a tenant: one ClusterRoleBinding per ClusterRole with its users as subjects,
// labelled as platform-managed; stale ones (and those of the earlier one-per-user form) are removed. Reports
// ClusterRoles that do not exist in the tenant.
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { ResourceType } from '../../apiserver/registry/types.ts';
import { StatusError, ignoreNotFound, isNotFound } from '../../apiserver/errors.ts';
import { roleBindings } from '../access/index.ts';
import { MANAGED_LABEL } from '../resources/index.ts';
import type { CreateBatch } from '../../apiserver/registry/create-batch.ts';

const RBAC = 'rbac.authorization.k8s.io';

export interface BindingsResult { created: number; updated: number; deleted: number; missingRoles: string[] }

/** Brings the managed ClusterRoleBindings of `cluster` to exactly `mapping` (user -> ClusterRoles). */
/** With a batch, new bindings join it (created in one transaction by the caller's commit) instead of a transaction here. */
export async function reconcileBindings(store: Store, catalog: Catalog, cluster: string, mapping: ReadonlyMap<string, readonly string[]>, batch?: CreateBatch): Promise<BindingsResult> {
  const crbType = catalog.lookup(cluster, RBAC, 'v1', 'clusterrolebindings');
  const crType = catalog.lookup(cluster, RBAC, 'v1', 'clusterroles');
  if (!crbType || !crType) throw new Error(`RBAC types are not served in cluster ${cluster}`);
  const ctx = { cluster };
  const desired = roleBindings(mapping, { [MANAGED_LABEL]: 'true' });
  const roles = [...desired.values()].map((b) => (b.roleRef as { name: string }).name);
  const existing = await store.list(cluster, crbType, '', { labels: (l) => l[MANAGED_LABEL] === 'true' });
  const result: BindingsResult = { created: 0, updated: 0, deleted: 0, missingRoles: [] };
  const have = new Map(existing.items.map((o) => [o.metadata.name!, o]));
  const toCreate: KObject[] = [];
  for (const [name, want] of desired) {
    const cur = have.get(name);
    if (cur && JSON.stringify(cur.roleRef) !== JSON.stringify(want.roleRef)) {
      // roleRef is immutable: replace the binding.
      await store.delete(ctx, crbType, '', name).catch(ignoreNotFound);
      have.delete(name);
    }
    if (!have.has(name)) {
      toCreate.push(want);
    } else if (JSON.stringify(cur!.subjects) !== JSON.stringify(want.subjects)) {
      await store.update(ctx, crbType, '', name, (c) => merge(c!, want));
      result.updated++;
    }
  }
  if (batch) {
    // Counted as created when queued; if the batch is refused, createOne counts what it does instead.
    for (const want of toCreate) batch.add(crbType, '', want, () => { result.created--; return createOne(store, ctx, crbType, want, result); });
    result.created += toCreate.length;
  } else {
    await createAll(store, ctx, crbType, toCreate, result);
  }
  for (const name of have.keys()) {
    if (desired.has(name)) continue;
    await store.delete(ctx, crbType, '', name).catch(ignoreNotFound);
    result.deleted++;
  }
  for (const role of roles) {
    // an existence check: no copy of the (large, aggregated) role, no NotFound error
    if (!(await store.storage.get(store.key(cluster, crType, '', role)))) result.missingRoles.push(role);
  }
  return result;
}

/** New bindings in one transaction; if one exists meanwhile (a race), one at a time, updating those. */
async function createAll(store: Store, ctx: { cluster: string }, t: ResourceType, objs: KObject[], result: BindingsResult): Promise<void> {
  if (objs.length === 0) return;
  try {
    await store.createMany(ctx, objs.map((object) => ({ t, namespace: '', object })));
    result.created += objs.length;
    return;
  } catch (e) {
    if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
  }
  for (const want of objs) await createOne(store, ctx, t, want, result);
}

/** One binding: created, or brought to `want` if it exists meanwhile. */
async function createOne(store: Store, ctx: { cluster: string }, t: ResourceType, want: KObject, result: BindingsResult): Promise<void> {
  try { await store.create(ctx, t, '', want); result.created++; } catch (e) {
    if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    await store.update(ctx, t, '', want.metadata.name!, (c) => merge(c!, want));
    result.updated++;
  }
}

function merge(cur: KObject, want: KObject): KObject {
  return { ...cur, subjects: want.subjects, metadata: { ...cur.metadata, labels: { ...(cur.metadata.labels ?? {}), ...want.metadata.labels } } };
}

