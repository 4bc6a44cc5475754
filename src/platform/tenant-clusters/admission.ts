// Admission of platform objects: a TenantCluster must name an existing project (and an allowed, existing
// template) and gets its owner from the creating user; a Project with tenant clusters is only deleted
// when the delete opts in to cascading.
import type { Admission, OpContext, Store } from '../../apiserver/registry/store.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { conflict, invalid, StatusError } from '../../apiserver/errors.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { logicalClusterType } from '../../apiserver/controllers/logical-clusters.ts';
import { tenantWarnings } from './admission-warnings.ts';
import { type PlatformState, type ProjectSpec, type TenantClusterSpec, CASCADE_ANNOTATION, GROUP, projectType, templateType, TENANT_LABEL, tenantClusterType, userType } from '../resources/index.ts';

/** The stored object (shared and read-only: no copy per admission), undefined when there is none. */
async function find(store: Store, t: typeof projectType, name: string): Promise<Readonly<KObject> | undefined> {
  try { return await store.read(ROOT_CLUSTER, t, '', name); } catch (e) {
    if (e instanceof StatusError && e.code === 404) return undefined;
    throw e;
  }
}

/** The delete's propagation policy, when the server passes it to admission (see report); else undefined. */
function propagationPolicy(ctx: OpContext): string | undefined {
  return ctx.propagationPolicy;
}

export function cascadeRequested(project: Readonly<KObject>, ctx: OpContext): boolean {
  return project.metadata.annotations?.[CASCADE_ANNOTATION] === 'true' || propagationPolicy(ctx) === 'Foreground';
}

export function platformAdmission(store: Store, catalog: Catalog, state: PlatformState): Admission {
  return {
    name: 'platform-references',
    handles: (_op, t) => t.group === GROUP,
    async admit(op, t, obj, old, ctx) {
      if (t.group !== GROUP || ctx.cluster !== ROOT_CLUSTER) return;
      if (t.resource === tenantClusterType.resource && obj && op !== 'delete') {
        await admitTenant(store, op, obj, old, ctx);
        if (!ctx.warnings) return; // a controller's write: nobody to warn
        const exists = op === 'update' && (await find(store, logicalClusterType, obj.metadata.name!)) !== undefined;
        ctx.warnings?.push(...await tenantWarnings(store, catalog, state, obj, exists));
      }
      if (t.resource === projectType.resource && op === 'delete' && old) await admitProjectDelete(store, old, ctx);
    },
  };
}

async function admitTenant(store: Store, op: 'create' | 'update', obj: KObject, old: KObject | undefined, ctx: OpContext): Promise<void> {
  const name = obj.metadata.name!;
  const spec = obj.spec as TenantClusterSpec;
  const fail = (field: string, message: string) => invalid(tenantClusterType.kind, GROUP, name, [{ field, message }]);
  if (op === 'create' || spec.templateRef?.name !== (old?.spec as TenantClusterSpec | undefined)?.templateRef?.name) {
    const project = await find(store, projectType, spec.project);
    if (!project) throw fail('spec.project', `project "${spec.project}" does not exist`);
    if (op === 'create' && project.metadata.deletionTimestamp) throw fail('spec.project', `project "${spec.project}" is being deleted`);
    if (spec.templateRef) {
      if (!(await find(store, templateType, spec.templateRef.name))) throw fail('spec.templateRef.name', `TenantClusterTemplate "${spec.templateRef.name}" does not exist`);
      const allowed = (project.spec as ProjectSpec | undefined)?.allowedTemplates ?? [];
      if (allowed.length && !allowed.includes(spec.templateRef.name)) {
        throw fail('spec.templateRef.name', `template "${spec.templateRef.name}" is not allowed in project "${spec.project}" (allowed: ${allowed.join(', ')})`);
      }
    }
  }
  if (op !== 'create') return;
  const lc = await find(store, logicalClusterType, name);
  if (lc && lc.metadata.labels?.[TENANT_LABEL] !== name) {
    throw new StatusError(409, 'AlreadyExists', `logical cluster "${name}" already exists and is not managed by the platform; choose another tenant cluster name`,
      { name, group: GROUP, kind: tenantClusterType.resource });
  }
  const creator = ctx.user?.username;
  if (!spec.owner && creator && (await find(store, userType, creator))) spec.owner = { user: creator };
}

async function admitProjectDelete(store: Store, project: Readonly<KObject>, ctx: OpContext): Promise<void> {
  if (cascadeRequested(project, ctx)) return;
  const name = project.metadata.name!;
  const list = await store.list(ROOT_CLUSTER, tenantClusterType, '');
  const tenants = list.items.filter((t) => (t.spec as TenantClusterSpec).project === name).map((t) => t.metadata.name!);
  if (tenants.length === 0) return;
  throw conflict(projectType, name, `project still has ${tenants.length} tenant cluster(s) (${tenants.slice(0, 10).join(', ')}${tenants.length > 10 ? ', ...' : ''}); ` +
    `delete them first, or opt in to deleting them with the project: kubectl annotate project ${name} ${CASCADE_ANNOTATION}=true`);
}
