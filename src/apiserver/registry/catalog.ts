// The resource types served in each logical cluster: built-ins and platform types for all, CRD types per cluster.
import type { ResourceType } from './types.ts';

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
