// Strategies of the platform kinds: zod validation of spec, defaults, finalizers and immutable fields.
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { StatusCause } from '../../apiserver/errors.ts';
import { extendStrategy } from '../../apiserver/registry/strategies/default.ts';
import { dns1123Label } from '../../apiserver/registry/validation.ts';
import { nowTimestamp } from '../../apiserver/registry/object-meta.ts';
import {
  parseObjects, projectSpecSchema, usernameProblems, teamSpecSchema, templateSpecSchema, tenantClusterSpecSchema, userSpecSchema, zodCauses,
  type TenantClusterSpec,
} from './schemas.ts';

// Literal copies of the names in types.ts (types.ts imports this file).
const TENANT_FINALIZER = 'management.portcullis.io/tenant-cluster';
const HOST_RBAC_FINALIZER = 'management.portcullis.io/host-rbac';
const PROJECT_FINALIZER = 'management.portcullis.io/project';
const RESERVED_CLUSTERS = ['root', 'host'];

function addFinalizer(obj: KObject, f: string): void {
  obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), f])];
}

function specRequired(obj: KObject): StatusCause[] {
  return obj.spec === undefined || obj.spec === null || typeof obj.spec !== 'object' ? [{ field: 'spec', message: 'Required value', reason: 'FieldValueRequired' }] : [];
}

export const userStrategy = extendStrategy({
  validate: (obj) => zodCauses(userSpecSchema, obj.spec, 'spec'),
  validateName: usernameProblems,
  // The argon2id hash stays on the server: clients never see it (updates without it keep the stored one).
  present: (obj) => {
    const spec = obj.spec as Record<string, unknown> | undefined;
    if (!spec || spec.passwordHash === undefined) return obj as KObject;
    const { passwordHash: _hidden, ...rest } = spec;
    return { ...obj, spec: rest } as KObject;
  },
});

export const teamStrategy = extendStrategy({
  validate: (obj) => zodCauses(teamSpecSchema, obj.spec, 'spec'),
});

export const projectStrategy = extendStrategy({
  prepareForCreate(obj) { addFinalizer(obj, PROJECT_FINALIZER); },
  validate: (obj) => zodCauses(projectSpecSchema, obj.spec, 'spec'),
});

function objectsCauses(field: string, text: unknown): StatusCause[] {
  if (typeof text !== 'string') return [];
  const { error } = parseObjects(text);
  return error ? [{ field, message: error }] : [];
}

export const templateStrategy = extendStrategy({
  validate: (obj) => {
    const causes = zodCauses(templateSpecSchema, obj.spec, 'spec');
    const spec = obj.spec as { template?: { objects?: unknown } } | undefined;
    return [...causes, ...objectsCauses('spec.template.objects', spec?.template?.objects)];
  },
});

/** Defaults of a TenantCluster spec (template fields are applied over them at reconcile time). */
export function defaultTenantSpec(name: string, spec: TenantClusterSpec): void {
  spec.hostCluster ??= 'host';
  spec.hostNamespace ??= `tc-${name}`;
  spec.access ??= {};
  spec.access.defaultClusterRole ??= 'cluster-admin';
  spec.delegation ??= { resources: [{ group: '', resource: 'nodes' }] };
  spec.auditLog ??= {};
  spec.auditLog.enabled ??= true;
}

function validateTenant(obj: KObject): StatusCause[] {
  const causes = specRequired(obj);
  if (causes.length) return causes;
  causes.push(...zodCauses(tenantClusterSpecSchema, obj.spec, 'spec'));
  causes.push(...objectsCauses('spec.objects', (obj.spec as { objects?: unknown }).objects));
  return causes;
}

export const tenantClusterStrategy = extendStrategy({
  prepareForCreate(obj) {
    addFinalizer(obj, TENANT_FINALIZER);
    addFinalizer(obj, HOST_RBAC_FINALIZER); // held from the start: no write of its own when host RBAC is provisioned
    if (obj.spec && typeof obj.spec === 'object') defaultTenantSpec(obj.metadata.name ?? '', obj.spec as TenantClusterSpec);
    // Until the controller's first pass, and while the logical cluster that pass creates is bootstrapped, the status
    // says the tenant is waiting in its queue (the controller writes no Pending status in between).
    obj.status = {
      phase: 'Pending',
      conditions: [{
        type: 'Ready', status: 'False', reason: 'Queued', lastTransitionTime: nowTimestamp(),
        message: 'waiting for the tenant cluster controller to provision its logical cluster',
      }],
    };
  },
  prepareForUpdate(obj) {
    if (obj.spec && typeof obj.spec === 'object') defaultTenantSpec(obj.metadata.name ?? '', obj.spec as TenantClusterSpec);
  },
  validate: validateTenant,
  validateUpdate: (obj, old) => {
    const causes = validateTenant(obj);
    const s = (obj.spec ?? {}) as TenantClusterSpec;
    const o = (old.spec ?? {}) as TenantClusterSpec;
    for (const f of ['project', 'hostCluster', 'hostNamespace'] as const) {
      if (s[f] !== o[f]) causes.push({ field: `spec.${f}`, message: 'field is immutable' });
    }
    return causes;
  },
  validateName: (name) => (RESERVED_CLUSTERS.includes(name)
    ? [`"${name}" is a reserved logical cluster name`]
    : dns1123Label(name)),
});
