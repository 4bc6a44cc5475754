// Materialises the role mapping inside a tenant: one ClusterRoleBinding per ClusterRole with its users as subjects,
// labelled as platform-managed; stale ones (and those of the earlier one-per-user form) are removed. Reports
// ClusterRoles that do not exist in the tenant.
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { ResourceType } from '../../apiserver/registry/types.ts';
import { StatusError, conflict, ignoreNotFound, isNotFound, notFound } from '../../apiserver/errors.ts';
import { roleBindings } from '../access/index.ts';
import { MANAGED_LABEL } from '../resources/index.ts';
import type { CreateBatch } from '../../apiserver/registry/create-batch.ts';

const RBAC = 'rbac.authorization.k8s.io';

export interface BindingsResult { created: number; updated: number; deleted: number; missingRoles: string[] }

/**
 * Brings the managed ClusterRoleBindings of `cluster` to exactly `mapping` (user -> ClusterRoles). With a batch, new
 * bindings join it (created in one transaction by the caller's commit) instead of a transaction here.
 */
export async function reconcileBindings(store: Store, catalog: Catalog, cluster: string, mapping: ReadonlyMap<string, readonly string[]>, batch?: CreateBatch): Promise<BindingsResult> {
  const crbType = catalog.lookup(cluster, RBAC, 'v1', 'clusterrolebindings');
  const crType = catalog.lookup(cluster, RBAC, 'v1', 'clusterroles');
  if (!crbType || !crType) throw new Error(`RBAC types are not served in cluster ${cluster}`);
  const ctx = { cluster };
  const desired = roleBindings(mapping, { [MANAGED_LABEL]: 'true' });
  // one entry per ClusterRole, however many parts bind it
  const roles = [...new Set([...desired.values()].map((b) => (b.roleRef as { name: string }).name))];
  const existing = await store.list(cluster, crbType, '', { labels: (l) => l[MANAGED_LABEL] === 'true' });
  const result: BindingsResult = { created: 0, updated: 0, deleted: 0, missingRoles: [] };
  const have = new Map(existing.items.map((o) => [o.metadata.name!, o]));
  const toCreate: KObject[] = [];
  for (const [name, want] of desired) {
    const cur = have.get(name);
    if (cur && !sameRole(cur, want)) {
      // roleRef is immutable: replace the binding.
      await remove(store, ctx, crbType, name);
      have.delete(name);
    }
    if (!have.has(name)) {
      toCreate.push(want);
    } else if (JSON.stringify(cur!.subjects) !== JSON.stringify(want.subjects)) {
      await store.update(ctx, crbType, '', name, (c) => merge(c, want));
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
    await remove(store, ctx, crbType, name);
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

/**
 * One binding: created, or brought to `want` if it exists meanwhile or was made by someone else under our name. Such a
 * binding is given our subjects only if it binds our ClusterRole: one binding another role (made by whoever could bind
 * that role, e.g. `portcullis:access:view` bound to cluster-admin) is replaced, never handed the role's users.
 */
async function createOne(store: Store, ctx: { cluster: string }, t: ResourceType, want: KObject, result: BindingsResult): Promise<void> {
  const name = want.metadata.name!;
  try { await store.create(ctx, t, '', want); result.created++; return; } catch (e) {
    if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
  }
  const cur = await store.get(ctx.cluster, t, '', name).catch((e: unknown) => { ignoreNotFound(e); return undefined; });
  if (cur && sameRole(cur, want)) {
    await store.update(ctx, t, '', name, (c) => merge(c, want));
    result.updated++;
    return;
  }
  // roleRef is immutable: replaced. If its deletion is held (a finalizer), the create fails and the pass is retried.
  if (cur) await remove(store, ctx, t, name);
  await store.create(ctx, t, '', want);
  result.created++;
}

/**
 * Deletes a binding. One whose deletion is held by a finalizer (which anyone who may update bindings can add, no bind
 * needed) still binds while it lingers: it is emptied, so that the users it named do not keep the role.
 */
async function remove(store: Store, ctx: { cluster: string }, t: ResourceType, name: string): Promise<void> {
  const out = await store.delete(ctx, t, '', name).catch(ignoreNotFound);
  if (out && !out.deleted) await store.update(ctx, t, '', name, (c) => ({ ...c!, subjects: [] })).catch(ignoreNotFound);
}

const sameRole = (a: KObject, b: KObject): boolean => JSON.stringify(a.roleRef) === JSON.stringify(b.roleRef);

/** Our subjects and labels on `cur`; a Conflict if it binds another ClusterRole by now (a race: the pass is retried). */
function merge(cur: KObject | undefined, want: KObject): KObject {
  const name = want.metadata.name!;
  const gr = { group: RBAC, resource: 'clusterrolebindings' };
  if (!cur) throw notFound(gr, name);
  if (!sameRole(cur, want)) throw conflict(gr, name, 'it binds another ClusterRole');
  return { ...cur, subjects: want.subjects, metadata: { ...cur.metadata, labels: { ...(cur.metadata.labels ?? {}), ...want.metadata.labels } } };
}
