// One shared copy per distinct value (short strings, frozen results, configs): what many logical clusters hold alike
// is one object in memory and in the CPU caches. Bounded: at `max` entries the table starts over, which only stops
// sharing until values repeat (never a wrong answer: equal keys mean interchangeable values).
export class InternTable<V> {
  private readonly table = new Map<string, V>();
  constructor(private readonly max: number) {}

  /** The shared value for `key`: the one kept before, else `value` (kept from now on). */
  intern(key: string, value: V): V {
    const hit = this.table.get(key);
    if (hit !== undefined) return hit;
    if (this.table.size >= this.max) this.table.clear();
    this.table.set(key, value);
    return value;
  }
}
