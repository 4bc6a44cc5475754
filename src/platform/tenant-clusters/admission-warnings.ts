// Warnings (the HTTP Warning header kubectl prints) for a TenantCluster whose references do not resolve yet:
// role mapping to users, teams or ClusterRoles that do not exist. They do not block the write — the objects may
// be created next — and the controller reports the same problems in the ReferencesResolved condition.
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { Store } from '../../apiserver/registry/store.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { StatusError } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { type PlatformState, type TenantClusterSpec, parseObjects } from '../resources/index.ts';
import { effectiveSpec, referenceWarnings } from '../access/index.ts';

const RBAC = 'rbac.authorization.k8s.io';

/** ClusterRoles the tenant's role mapping names that neither exist there (or, before it exists, in root's
 *  built-in policy) nor are declared in its `objects`. */
async function missingClusterRoles(store: Store, catalog: Catalog, tenant: string, spec: TenantClusterSpec,
  tenantExists: boolean): Promise<string[]> {
  const wanted = new Set<string>();
  if (spec.access?.defaultClusterRole) wanted.add(spec.access.defaultClusterRole);
  for (const r of spec.access?.rules ?? []) wanted.add(r.clusterRole);
  const declared = new Set(parseObjects(spec.objects).objects
    .filter((o) => o.kind === 'ClusterRole').map((o) => (o.metadata as { name?: string } | undefined)?.name));
  const where = tenantExists ? tenant : ROOT_CLUSTER;
  const t = catalog.lookup(where, RBAC, 'v1', 'clusterroles');
  if (!t) return [];
  const missing: string[] = [];
  for (const name of [...wanted].sort()) {
    if (declared.has(name)) continue;
    try { await store.read(where, t, '', name); } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
      missing.push(name);
    }
  }
  return missing;
}

export async function tenantWarnings(store: Store, catalog: Catalog, state: PlatformState, obj: KObject,
  tenantExists: boolean): Promise<string[]> {
  const spec = obj.spec as TenantClusterSpec;
  const template = spec.templateRef ? state.templates.get(spec.templateRef.name) : undefined;
  const eff = effectiveSpec(spec, template);
  const name = obj.metadata.name!;
  const out = referenceWarnings(state, eff).map((w) => `TenantCluster "${name}": ${w}`);
  for (const r of await missingClusterRoles(store, catalog, name, eff, tenantExists)) {
    out.push(`TenantCluster "${name}": ClusterRole "${r}" does not exist in the tenant cluster and is not in spec.objects`);
  }
  return out;
}
