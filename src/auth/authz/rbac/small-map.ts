// A compact string-keyed map for the many small per-scope indexes (a namespace's bindings, subjects and
// roles): up to 8 entries in one exact-size [key, value, ...] array, a Map beyond.
const EMPTY: readonly unknown[] = Object.freeze([]);
const MAX_PAIRS = 8;

export class SmallMap<V> {
  private pairs: readonly unknown[] = EMPTY;
  private map: Map<string, V> | null = null;

  get size(): number { return this.map !== null ? this.map.size : this.pairs.length >> 1; }

  get(key: string): V | undefined {
    if (this.map !== null) return this.map.get(key);
    const a = this.pairs;
    for (let i = 0; i < a.length; i += 2) if (a[i] === key) return a[i + 1] as V;
    return undefined;
  }

  set(key: string, value: V): this {
    if (this.map !== null) { this.map.set(key, value); return this; }
    const a = this.pairs;
    for (let i = 0; i < a.length; i += 2) {
      if (a[i] === key) { (a as unknown[])[i + 1] = value; return this; }
    }
    if (a.length >= 2 * MAX_PAIRS) {
      const m = new Map<string, V>();
      for (let i = 0; i < a.length; i += 2) m.set(a[i] as string, a[i + 1] as V);
      m.set(key, value);
      this.map = m;
      this.pairs = EMPTY;
      return this;
    }
    const b = new Array<unknown>(a.length + 2);
    for (let i = 0; i < a.length; i++) b[i] = a[i];
    b[a.length] = key;
    b[a.length + 1] = value;
    this.pairs = b;
    return this;
  }

  delete(key: string): boolean {
    if (this.map !== null) return this.map.delete(key);
    const a = this.pairs;
    for (let i = 0; i < a.length; i += 2) {
      if (a[i] !== key) continue;
      this.pairs = a.length === 2 ? EMPTY : [...a.slice(0, i), ...a.slice(i + 2)];
      return true;
    }
    return false;
  }

  /** The values in insertion order (a copy: safe to modify the map meanwhile). */
  values(): V[] {
    if (this.map !== null) return [...this.map.values()];
    const out: V[] = [];
    for (let i = 1; i < this.pairs.length; i += 2) out.push(this.pairs[i] as V);
    return out;
  }
}
