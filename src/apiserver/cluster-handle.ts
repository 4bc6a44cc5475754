// One object per logical cluster that the request path reaches in one lookup (the logical-cluster filter's): the
// cluster's state and, in slots, what modules keep per cluster for their decisions (the platform's tenant record,
// the RBAC index's cluster state). A decision then reads fields of objects it already holds instead of looking the
// cluster up again by name in each module's map: fewer per-tenant objects touched, so fewer cache misses per request
// when requests spread over thousands of tenants.
//
// Exactness: a module writes its slot in the same place it writes its own map (ClusterSlot.set), so a live handle's
// slot always equals what that map holds now. A handle that nothing holds any more is dropped and marked dead; a
// request still holding it (or holding none: an unknown cluster) reads the module's map by name instead (`MISS`).

/** The slots a handle has (a few modules keep something per cluster on the request path). */
const SLOTS = ['s0', 's1', 's2', 's3'] as const;
type SlotKey = (typeof SLOTS)[number];

export class ClusterHandle {
  /** The logical cluster's state ('active', 'deleting'; undefined: no LogicalCluster object), as the directory holds it. */
  state: 'active' | 'deleting' | undefined = undefined;
  /** Dropped from the registry: its slots are no longer written (readers look the name up instead). */
  dead = false;
  s0: unknown = undefined;
  s1: unknown = undefined;
  s2: unknown = undefined;
  s3: unknown = undefined;
  /** `name` is the registry's key: requests carry this string, so maps keyed by it compare pointers, not text. */
  constructor(readonly name: string) {}

  /** Nothing refers to the cluster any more. */
  get empty(): boolean {
    return this.state === undefined && this.s0 === undefined && this.s1 === undefined && this.s2 === undefined && this.s3 === undefined;
  }
}

/** What `ClusterSlot.read` returns when the handle cannot answer (none, dead, or another cluster's). */
export const MISS: unique symbol = Symbol('cluster handle miss');

/** One module's slot on every handle. */
export class ClusterSlot<T> {
  constructor(private readonly handles: ClusterHandles, private readonly key: SlotKey) {}

  /** Mirrors the module's own map: call wherever it sets (value) or deletes (undefined) `name`. */
  set(name: string, value: T | undefined): void {
    if (value === undefined) {
      const h = this.handles.get(name);
      if (h === undefined) return;
      h[this.key] = undefined;
      this.handles.release(h);
      return;
    }
    this.handles.ensure(name)[this.key] = value;
  }

  /** The slot's value for `cluster` through `h` (undefined: the module holds nothing for it), or MISS. */
  read(h: ClusterHandle | undefined, cluster: string): T | undefined | typeof MISS {
    if (h === undefined || h.dead || (h.name !== cluster)) return MISS;
    return h[this.key] as T | undefined;
  }
}

export class ClusterHandles {
  private readonly byName = new Map<string, ClusterHandle>();
  private used = 0;

  /** A slot for one module (at most four). */
  slot<T>(): ClusterSlot<T> {
    const key = SLOTS[this.used++];
    if (key === undefined) throw new Error('no cluster handle slot left');
    return new ClusterSlot<T>(this, key);
  }

  get(name: string): ClusterHandle | undefined { return this.byName.get(name); }

  ensure(name: string): ClusterHandle {
    let h = this.byName.get(name);
    if (h === undefined) this.byName.set(name, (h = new ClusterHandle(name)));
    return h;
  }

  /** Drops `h` once nothing refers to it. */
  release(h: ClusterHandle): void {
    if (!h.empty || this.byName.get(h.name) !== h) return;
    this.byName.delete(h.name);
    h.dead = true;
  }

  get size(): number { return this.byName.size; }
}
