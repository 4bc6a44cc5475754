// Objects a controller is creating, by storage key, so that the ADDED events of its own creates do not bring the
// owner back for a pass that would find everything as it just wrote it (a tenant creating its 26 role bindings
// would otherwise be reconciled once more). Only ADDED is consumed: a later change or delete of the object, by
// anyone, is an ordinary event. Expectations live from the write until their event or the owner's next pass.

export class OwnCreates {
  /** storage key → owner (e.g. the tenant) */
  private readonly keys = new Map<string, string>();
  /** owner → its keys still expected (removed with the last one: nothing stays once the events came) */
  private readonly owners = new Map<string, Set<string>>();

  /** The owner is about to create these keys (call before the write: events may arrive during it). */
  expect(owner: string, keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.forget(owner);
    for (const k of keys) this.keys.set(k, owner);
    this.owners.set(owner, new Set(keys));
  }

  /** True, once, for the ADDED event of a key its owner is creating. */
  consume(type: string, key: string): boolean {
    if (type !== 'ADDED') return false;
    const owner = this.keys.get(key);
    if (owner === undefined) return false;
    this.keys.delete(key);
    const left = this.owners.get(owner);
    if (left?.delete(key) && left.size === 0) this.owners.delete(owner);
    return true;
  }

  /** Drops what the owner still expects (its next pass starts, or the write failed). */
  forget(owner: string): void {
    const keys = this.owners.get(owner);
    if (!keys) return;
    this.owners.delete(owner);
    for (const k of keys) if (this.keys.get(k) === owner) this.keys.delete(k);
  }

  /** Keys expected now (bounded by the writes in flight). */
  get size(): number { return this.keys.size; }
}
