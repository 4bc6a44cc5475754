// The informer's record of every stored object handlers were told about (key → rv), for the diff after a re-list.
// Held per logical cluster with the key's rest (`<group>/<resource>/[<ns>/]<name>`) as one shared string: the same
// rests recur in every tenant (its namespaces, its role-mapping bindings), so a tenant costs its entries, not keys.

const POOL_MAX = 100_000;

export class KnownKeys {
  /** '/<cluster>/' → rest of key → rv. */
  private readonly clusters = new Map<string, Map<string, number>>();
  private readonly pool = new Map<string, string>();

  has(key: string): boolean { return this.get(key) !== undefined; }

  get(key: string): number | undefined {
    const i = key.indexOf('/', 1);
    return this.clusters.get(key.slice(0, i + 1))?.get(key.slice(i + 1));
  }

  set(key: string, rv: number): void {
    const i = key.indexOf('/', 1);
    const prefix = key.slice(0, i + 1);
    let m = this.clusters.get(prefix);
    if (!m) this.clusters.set(prefix, (m = new Map()));
    m.set(this.shared(key.slice(i + 1)), rv);
  }

  delete(key: string): void {
    const i = key.indexOf('/', 1);
    const prefix = key.slice(0, i + 1);
    const m = this.clusters.get(prefix);
    if (m?.delete(key.slice(i + 1)) && m.size === 0) this.clusters.delete(prefix);
  }

  /** Every [key, rv], as a snapshot (safe to change the record while iterating it). */
  entries(): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (const [prefix, m] of this.clusters) for (const [rest, rv] of m) out.push([prefix + rest, rv]);
    return out;
  }

  private shared(rest: string): string {
    const have = this.pool.get(rest);
    if (have !== undefined) return have;
    if (this.pool.size >= POOL_MAX) this.pool.clear(); // a bound: sharing resumes as rests recur
    this.pool.set(rest, rest);
    return rest;
  }
}
