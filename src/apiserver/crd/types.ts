// The resource types a CRD defines in its logical cluster: one per served version, each with the strategy
// compiled from that version's schema (cached per CRD uid and generation), status and scale subresources,
// printer columns, and the deprecation warning of deprecated versions.
import type { KObject } from '../storage/interface.ts';
import type { PrinterColumn, ResourceType, SubresourceHandler } from '../registry/types.ts';
import { STORED_VERBS } from '../registry/types.ts';
import type { Store } from '../registry/store.ts';
import type { Props } from './json-schema.ts';
import { CompiledVersion, compareKubeVersions, customResourceStrategy, deprecationWarning } from './custom-resource.ts';
import { scaleSubresource, type ScaleSpec } from './scale.ts';

export interface CrdVersion {
  name: string; served?: boolean; storage?: boolean; deprecated?: boolean; deprecationWarning?: string;
  schema?: { openAPIV3Schema?: Props };
  additionalPrinterColumns?: PrinterColumn[];
  subresources?: { status?: object; scale?: ScaleSpec };
}
interface CrdSpec {
  group: string; scope: string; versions?: CrdVersion[];
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
}

/** Compiled versions by `<uid>/<generation>/<version>`; entries of older generations are dropped on recompiling. */
const compiled = new Map<string, CompiledVersion>();

function compiledVersion(crd: KObject, v: CrdVersion): CompiledVersion {
  const uid = crd.metadata.uid ?? crd.metadata.name ?? '';
  const key = `${uid}/${crd.metadata.generation ?? 0}/${v.name}`;
  let c = compiled.get(key);
  if (!c) {
    for (const k of compiled.keys()) if (k.startsWith(`${uid}/`) && k.endsWith(`/${v.name}`)) compiled.delete(k);
    c = new CompiledVersion(v.schema?.openAPIV3Schema);
    compiled.set(key, c);
  }
  return c;
}

/** Forgets the compiled versions of a deleted CRD. */
export function forgetCrd(crd: KObject): void {
  const uid = crd.metadata.uid ?? crd.metadata.name ?? '';
  for (const k of compiled.keys()) if (k.startsWith(`${uid}/`)) compiled.delete(k);
}

/**
 * The resource types a CRD defines (one per served version, highest version priority first, so discovery
 * prefers it as Kubernetes does); none while it is being deleted.
 */
export function typesFromCrd(crd: KObject, store?: Store): ResourceType[] {
  const spec = (crd.spec ?? {}) as CrdSpec;
  if (crd.metadata.deletionTimestamp) return [];
  const versions = spec.versions ?? [];
  const storageVersion = versions.find((v) => v.storage)?.name ?? versions[0]?.name ?? '';
  const served = versions.filter((v) => v.served !== false).sort((a, b) => compareKubeVersions(b.name, a.name));
  return served.map((v) => {
    const cv = compiledVersion(crd, v);
    const subresources: SubresourceHandler[] = [];
    if (v.subresources?.status) subresources.push({ name: 'status', kind: spec.names.kind, group: spec.group, version: v.name, verbs: ['get', 'patch', 'update'] });
    const t: ResourceType = {
      group: spec.group,
      version: v.name,
      resource: spec.names.plural,
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      namespaced: spec.scope === 'Namespaced',
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      verbs: STORED_VERBS,
      subresources,
      strategy: customResourceStrategy(cv, {
        group: spec.group, version: v.name, storageVersion, statusSubresource: Boolean(v.subresources?.status),
      }),
      printerColumns: v.additionalPrinterColumns,
      schema: v.schema?.openAPIV3Schema as Record<string, unknown> | undefined,
      custom: true,
      warning: v.deprecated ? (v.deprecationWarning ?? deprecationWarning(spec.group, spec.names.kind, v.name, versions)) : undefined,
    };
    if (v.subresources?.scale) subresources.push(scaleSubresource(v.subresources.scale, () => store, () => t));
    return t;
  });
}
