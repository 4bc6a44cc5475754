// The built-in resource types every logical cluster serves: the Kubernetes 1.32 resource table generated from its
// published OpenAPI (builtin-resources.json, scripts/generate-builtin-api.ts), discovery names, and strategies that
// add Kubernetes' defaults, required fields and immutable fields to each kind's own behaviour.
import { readFileSync } from 'node:fs';
import type { ResourceType, Strategy, SubresourceHandler, VersionView } from './types.ts';
import { hpaToV1, hpaToV2 } from './hpa-conversion.ts';
import { STORED_VERBS } from './types.ts';
import { defaultStrategy, extendStrategy } from './strategies/default.ts';
import { configMapStrategy, namespaceStrategy, secretStrategy } from './strategies/core.ts';
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleStrategy } from './strategies/rbac.ts';
import { crdStrategy } from './strategies/crd.ts';
import { dns1035Label } from './validation.ts';
import { notImplemented } from '../errors.ts';
import { BUILTIN_NAMES } from './builtin-names.ts';
import { applyBuiltinDefaults } from './builtin-defaults.ts';
import { immutableFieldCauses, keepOnUpdate } from './builtin-immutable.ts';
import type { GeneratedResource, GeneratedTable } from './builtin-table-gen.ts';
import { builtinSchema } from '../schema/builtin-index.ts';
import { missingRequired } from '../schema/builtin-check.ts';

/** Pods are stored as data; like a real server, a new pod starts Pending. */
const podStrategy = extendStrategy({
  prepareForCreate(obj) { obj.status = { phase: 'Pending', ...(obj.status as object | undefined) }; },
});

/** Kind-specific behaviour, keyed by "<group>/<resource>". */
const STRATEGIES: Record<string, Strategy> = {
  '/namespaces': namespaceStrategy, '/secrets': secretStrategy, '/configmaps': configMapStrategy, '/pods': podStrategy,
  '/services': extendStrategy({ validateName: dns1035Label }),
  'rbac.authorization.k8s.io/roles': roleStrategy, 'rbac.authorization.k8s.io/clusterroles': clusterRoleStrategy,
  'rbac.authorization.k8s.io/rolebindings': roleBindingStrategy,
  'rbac.authorization.k8s.io/clusterrolebindings': clusterRoleBindingStrategy,
  'apiextensions.k8s.io/customresourcedefinitions': crdStrategy,
};

/** Versions served as views of another stored version, keyed by "<group>/<version>/<resource>". */
const VERSION_VIEWS: Record<string, VersionView> = {
  'autoscaling/v1/horizontalpodautoscalers': { toServed: hpaToV1, toStored: hpaToV2 },
};

/**
 * Resources of the table served elsewhere or not at all: the review APIs (create-only, added by the RBAC module),
 * pods/binding's parent and componentstatuses (neither can be stored).
 */
const NOT_STORED = new Set(['authentication.k8s.io', 'authorization.k8s.io']);
const SKIPPED = new Set(['/bindings', '/componentstatuses']);
/** Subresources served by the generic handlers (status-like writes, namespace finalize) or attached by the server. */
const GENERIC_SUBRESOURCES = new Set(['status', 'approval', 'finalize']);
const ATTACHED_SUBRESOURCES = new Set(['token']);

/** The answer of subresources that need running workloads or nodes. */
function notServed(resource: string, name: string): SubresourceHandler['handle'] {
  return async () => {
    throw notImplemented(`${resource}/${name} is not served: Portcullis stores ${resource} as data and runs no `
      + 'workloads, nodes or proxies behind them');
  };
}

/** Wraps a kind's strategy with the schema-derived behaviour every built-in kind has. */
function builtinStrategy(r: GeneratedResource, inner: Strategy, hasStatus: boolean): Strategy {
  const schema = builtinSchema(r.group, r.version, r.kind);
  const required = (obj: Parameters<NonNullable<Strategy['validate']>>[0]) => (schema ? missingRequired(schema, obj) : []);
  return {
    prepareForCreate(obj) {
      // As Kubernetes' strategies do, a new object's status is the server's, not the client's.
      if (hasStatus) delete obj.status;
      applyBuiltinDefaults(r.group, r.kind, obj);
      inner.prepareForCreate?.(obj);
    },
    prepareForUpdate(obj, old) {
      keepOnUpdate(r.group, r.kind, obj, old);
      applyBuiltinDefaults(r.group, r.kind, obj);
      inner.prepareForUpdate?.(obj, old);
    },
    validate: (obj) => [...required(obj), ...(inner.validate?.(obj) ?? [])],
    validateUpdate: (obj, old) => [...required(obj), ...immutableFieldCauses(r.group, r.kind, obj, old),
      ...(inner.validateUpdate?.(obj, old) ?? [])],
    validateName: inner.validateName,
    present: inner.present,
  };
}

let table: GeneratedTable | undefined;
/** The generated resource table (builtin-resources.json). */
export function builtinResourceTable(): GeneratedTable {
  table ??= JSON.parse(readFileSync(new URL('./builtin-resources.json', import.meta.url), 'utf8')) as GeneratedTable;
  return table;
}

/** Built-in stored types. Subresources with handlers of their own (serviceaccounts/token) are attached by the server. */
export function builtinTypes(): ResourceType[] {
  const out: ResourceType[] = [];
  for (const r of builtinResourceTable().resources) {
    const key = `${r.group}/${r.resource}`;
    if (NOT_STORED.has(r.group) || SKIPPED.has(key)) continue;
    const subresources: SubresourceHandler[] = r.subresources.filter((s) => !ATTACHED_SUBRESOURCES.has(s.name)).map((s) => ({
      name: s.name, kind: s.kind, group: s.group, version: s.version, verbs: s.verbs,
      ...(GENERIC_SUBRESOURCES.has(s.name) ? {} : { handle: notServed(r.resource, s.name) }),
    }));
    const names = BUILTIN_NAMES[key] ?? {};
    const hasStatus = r.subresources.some((s) => s.name === 'status');
    out.push({
      group: r.group, version: r.version, resource: r.resource, kind: r.kind, listKind: `${r.kind}List`,
      singular: r.kind.toLowerCase(), namespaced: r.namespaced,
      shortNames: names.shortNames ?? [], categories: names.categories ?? [],
      verbs: r.verbs.length ? r.verbs : STORED_VERBS, subresources,
      strategy: builtinStrategy(r, STRATEGIES[key] ?? defaultStrategy, hasStatus),
      ...(VERSION_VIEWS[`${r.group}/${r.version}/${r.resource}`] ? { versionView: VERSION_VIEWS[`${r.group}/${r.version}/${r.resource}`] } : {}),
    });
  }
  return out;
}

interface Def {
  shortNames?: string[];
  categories?: string[];
  cluster?: boolean;
  strategy?: Strategy;
  status?: boolean;
  singular?: string;
  verbs?: string[];
  onlyInClusters?: string[];
}

/** A resource type of our own (platform, credentials, tenancy) declared in code. */
export function defineType(group: string, version: string, resource: string, kind: string, d: Def = {}): ResourceType {
  const subresources: SubresourceHandler[] = d.status
    ? [{ name: 'status', kind, group, version, verbs: ['get', 'patch', 'update'] }]
    : [];
  return {
    group, version, resource, kind, listKind: `${kind}List`,
    singular: d.singular ?? kind.toLowerCase(),
    namespaced: !d.cluster,
    shortNames: d.shortNames ?? [],
    categories: d.categories ?? [],
    verbs: d.verbs ?? STORED_VERBS,
    subresources,
    strategy: d.strategy ?? defaultStrategy,
    onlyInClusters: d.onlyInClusters,
  };
}
