// The resource types served in each logical cluster: built-ins and platform types for all, CRD types per cluster.
import type { KObject } from '../storage/interface.ts';
import type { PrinterColumn, ResourceType } from './types.ts';
import { STORED_VERBS } from './types.ts';
import { defaultStrategy } from './strategies/default.ts';

export class Catalog {
  private readonly shared: ResourceType[] = [];
  private readonly sharedIndex = new Map<string, ResourceType>();
  private readonly custom = new Map<string, Map<string, ResourceType[]>>();
  private readonly customIndex = new Map<string, Map<string, ResourceType>>();
  private generation = 0;

  constructor(types: ResourceType[]) {
    for (const t of types) this.add(t);
  }

  /** Adds a type served in every cluster (or in its onlyInClusters). */
  add(t: ResourceType): void {
    this.shared.push(t);
    this.sharedIndex.set(indexKey(t.group, t.version, t.resource), t);
    this.generation++;
  }

  /** Changes whenever the set of types changes anywhere (discovery caches key on it). */
  get version(): number { return this.generation; }

  /** Installs (or replaces) the types defined by one CRD in one cluster. */
  setCustom(cluster: string, crdName: string, types: ResourceType[]): void {
    let byCrd = this.custom.get(cluster);
    if (!byCrd) { byCrd = new Map(); this.custom.set(cluster, byCrd); }
    if (types.length) byCrd.set(crdName, types); else byCrd.delete(crdName);
    this.reindex(cluster);
  }

  removeCustom(cluster: string, crdName: string): void {
    this.custom.get(cluster)?.delete(crdName);
    this.reindex(cluster);
  }

  dropCluster(cluster: string): void {
    this.custom.delete(cluster);
    this.customIndex.delete(cluster);
    this.generation++;
  }

  private reindex(cluster: string): void {
    const idx = new Map<string, ResourceType>();
    for (const types of this.custom.get(cluster)?.values() ?? []) {
      for (const t of types) idx.set(indexKey(t.group, t.version, t.resource), t);
    }
    this.customIndex.set(cluster, idx);
    this.generation++;
  }

  /** Every type served in the cluster. */
  typesFor(cluster: string): ResourceType[] {
    const out = this.shared.filter((t) => !t.onlyInClusters || t.onlyInClusters.includes(cluster));
    for (const t of this.customIndex.get(cluster)?.values() ?? []) out.push(t);
    return out;
  }

  lookup(cluster: string, group: string, version: string, resource: string): ResourceType | undefined {
    const key = indexKey(group, version, resource);
    const t = this.sharedIndex.get(key);
    if (t) return !t.onlyInClusters || t.onlyInClusters.includes(cluster) ? t : undefined;
    return this.customIndex.get(cluster)?.get(key);
  }

  /** Any served version of a group/resource (for storage-level operations such as namespace cleanup). */
  storedResources(cluster: string): ResourceType[] {
    const seen = new Map<string, ResourceType>();
    for (const t of this.typesFor(cluster)) {
      if (t.virtualCreate) continue;
      const k = `${t.group}/${t.resource}`;
      if (!seen.has(k)) seen.set(k, t);
    }
    return [...seen.values()];
  }
}

function indexKey(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

interface CrdVersion {
  name: string; served?: boolean; storage?: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  additionalPrinterColumns?: PrinterColumn[];
  subresources?: { status?: object; scale?: object };
}

/** The resource types a CRD defines (one per served version); none until it is Established. */
export function typesFromCrd(crd: KObject): ResourceType[] {
  const spec = (crd.spec ?? {}) as {
    group: string; scope: string; versions?: CrdVersion[];
    names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  };
  if (crd.metadata.deletionTimestamp) return [];
  return (spec.versions ?? []).filter((v) => v.served !== false).map((v) => ({
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
    subresources: v.subresources?.status ? [{ name: 'status', kind: spec.names.kind, group: spec.group, version: v.name, verbs: ['get', 'patch', 'update'] }] : [],
    strategy: defaultStrategy,
    printerColumns: v.additionalPrinterColumns,
    schema: v.schema?.openAPIV3Schema,
    custom: true,
  }));
}
