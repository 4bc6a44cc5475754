// The watch cache in front of a backend: serves get/list/watch from memory, sends writes to the backend and
// returns only once the cache has applied the write (read-your-writes). Cached objects are deep-frozen.
import {
  StorageError, type KObject, type ListOptions, type ListResult, type Storage, type StorageEvent,
  type Stored, type Watcher, type WatchErrorListener, type WatchListener, type BatchOp, type RawRowListener,
} from './interface.ts';
import { CacheIndex, deepFreeze, freezeCompact, type CompactStats, type IndexPage } from './cache-index.ts';
import { WatchHub, type Retention } from './watch-hub.ts';
import { isMarkerKey, isTombstone, SharedView, sharedSetMarkerPrefix, type SharedSet } from './shared-sets.ts';
import { RowSorter } from './load-rows.ts';
import { clusterOfKey } from './keys.ts';

export interface CacherOptions {
  /** At most this many recent events are kept for watches from past rvs (default 100,000). */
  eventRetention?: number;
  /**
   * Beyond the newest `eventFloor` (default 1,000), events older than this are dropped (default 75 s, as
   * kube-apiserver's eventFreshDuration): an idle cluster holds no event memory; older watches are Expired (410).
   */
  eventWindowMs?: number;
  eventFloor?: number;
  /** Clock for the event window (tests). */
  now?: () => number;
  /**
   * Period of the idle-cluster sweep (default 60 s; 0: never): a logical cluster nobody read or wrote for one to
   * two periods is held as one compressed blob and restored on its next use (CacheIndex.compactIdle).
   */
  idleSweepMs?: number;
}

export type Cacher = Storage & {
  currentRV(): number;
  /**
   * Serves `set` to every cluster holding its marker (shared-sets.ts); call before serving. Writes to its objects
   * are copy-on-write per cluster; deleting a cluster's marker also removes its tombstones.
   */
  share(set: SharedSet): void;
  /** Keys of the shared objects of `set` that some cluster edited, re-created or deleted (own rows). */
  sharedOwnRows(set: string): string[];
  /** One idle-cluster sweep now (the periodic one runs by itself): clusters unused since the last go cold. */
  compactIdleClusters(): CompactStats;
  /** Logical clusters held compressed now (cold), restored on their next use. */
  coldClusters(): number;
};

interface Waiter { rv: number; resolve(): void; reject(err: Error): void }

/** The idle sweep's work per turn and its pause between turns (sweepIdle). */
const SWEEP_SLICE_MS = 4;
const SWEEP_PAUSE_MS = 8;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const withRV = (o: KObject, rv: number): KObject => ({ ...o, metadata: { ...o.metadata, resourceVersion: String(rv) } });
const flagged = (e: StorageEvent, shared: true | undefined): StorageEvent => (shared ? { ...e, shared } : e);
const conflictError = (key: string, want: number, have: number): StorageError =>
  new StorageError('Conflict', key, `${key}: expected resourceVersion ${want}, have ${have}`);

/** A translated write that lost a race (another writer got there first): Exists / Conflict / NotFound become `code`. */
function raced(e: StorageError, code: 'Exists' | 'Conflict'): StorageError {
  return e.code === 'Unavailable' || e.code === 'Expired' ? e : new StorageError(code, e.key);
}

/**
 * Everything the cacher returns (Stored records, their objects, watch events) is deep-frozen and shared:
 * callers must clone (structuredClone) before changing anything. Writes never mutate their input.
 *
 * If the backend watch fails, every watcher of the cache gets onError(Unavailable), the cache re-lists
 * the backend (retrying with backoff) and resumes; watches from before the re-list become Expired.
 * Reads during the re-list are served from the last known state; new watches fail with Unavailable.
 * close() also closes the backend.
 */
export async function createCacher(backend: Storage, opts?: CacherOptions): Promise<Cacher> {
  const cacher = new WatchCache(backend, {
    capacity: opts?.eventRetention ?? 100_000, freshMs: opts?.eventWindowMs ?? 75_000, minKeep: opts?.eventFloor ?? 1_000, now: opts?.now,
  }, opts?.idleSweepMs ?? 60_000);
  for (let attempt = 1; ; attempt++) {
    try {
      await cacher.load();
      return cacher;
    } catch (err) {
      // The backend may drop the list's rv from its event window before the watch starts: list again.
      if (attempt >= 3 || !(err instanceof StorageError && err.code === 'Expired')) throw err;
    }
  }
}

class WatchCache implements Storage {
  private readonly index = new CacheIndex();
  private readonly view = new SharedView((key) => this.index.get(key));
  private readonly hub: WatchHub<StorageEvent>;
  private rv = 0;
  private ready = false;
  private closed = false;
  private backendWatch?: Watcher;
  /** Writers waiting for the cache to reach their rv, ascending by rv. */
  private waiters: Waiter[] = [];

  private readonly sweeper?: NodeJS.Timeout;
  private sweeping = false;

  constructor(private readonly backend: Storage, retention: Retention, idleSweepMs: number) {
    this.hub = new WatchHub<StorageEvent>(retention, 0, (e) => e);
    if (idleSweepMs > 0) {
      this.sweeper = setInterval(() => void this.sweepIdle(), idleSweepMs);
      this.sweeper.unref();
    }
  }

  /**
   * The periodic sweep: compacts idle clusters in slices of at most SWEEP_SLICE_MS with SWEEP_PAUSE_MS between them,
   * so that it takes at most about a third of the event loop while requests and controllers run. It has a whole
   * period to finish: thousands of clusters compacted back to back (64 per turn) delayed everything else by up to a
   * second during a mass creation (bench/RESULTS.md). One sweep at a time.
   */
  private async sweepIdle(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const idle = this.index.idleClusters();
      let slice = performance.now();
      for (let i = 0; i < idle.length && !this.closed; i++) {
        if (performance.now() - slice >= SWEEP_SLICE_MS) {
          await new Promise((r) => setTimeout(r, SWEEP_PAUSE_MS));
          slice = performance.now();
        }
        this.index.compact(idle[i]);
      }
    } finally {
      this.sweeping = false;
    }
  }

  compactIdleClusters(): CompactStats { return this.index.compactIdle(); }

  coldClusters(): number { return this.index.coldClusters; }

  currentRV(): number { return this.rv; }

  share(set: SharedSet): void {
    this.view.add(set);
    // which rows are own rows of a set depends on the sets; markers do not (and clusters loaded cold stay so)
    this.view.forgetOwnRows();
    this.index.forEachKey((key) => { if (!isMarkerKey(key)) this.view.noteRow(key, true); });
  }

  sharedOwnRows(set: string): string[] { return this.view.ownRows(set); }

  /**
   * Lists the whole backend into memory and follows it with a watch from the list's rv. Each logical cluster is held
   * cold as its rows' JSON text (load-rows.ts), parsed on its first use: a start parses only what it serves.
   */
  async load(): Promise<void> {
    const sorter = new RowSorter();
    const rv = await this.backend.listRaw('', sorter.row);
    if (this.closed) return;
    const rows = sorter.done();
    this.index.clear();
    this.view.clear();
    for (const s of rows.warm) this.put(s);
    for (const c of rows.cold) {
      this.index.putRaw(c.prefix, c.parts);
      if (!this.view.active) continue;
      for (const { keys } of c.parts) for (const key of keys) if (!isMarkerKey(key)) this.view.noteRow(key, true);
    }
    for (const m of rows.markers) this.view.noteRow(m.key, m);
    this.rv = Math.max(this.rv, rv);
    this.hub.reset(this.rv);
    this.backendWatch = this.backend.watch('', rv, (e) => this.apply(e), (err) => this.lost(err));
    this.ready = true;
    this.wake();
  }

  async get(key: string): Promise<Stored | undefined> {
    this.ensureOpen(key);
    return this.view.get(key);
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    this.ensureOpen(prefix);
    const page = this.view.covers(prefix) ? this.viewPage(prefix, opts) : this.index.list(prefix, opts);
    if (this.view.active) page.items = page.items.filter((s) => !isTombstone(s.object));
    const result: ListResult = { items: page.items, rv: this.rv };
    if (page.next !== undefined) result.next = page.next;
    return result;
  }

  /**
   * A page of the shared view: from a page of physical rows when limited (a cluster held in parts is restored
   * part by part), skipping pages that hold tombstones only.
   */
  private viewPage(prefix: string, opts?: ListOptions): IndexPage {
    if (!(opts?.limit && opts.limit > 0)) return this.view.list(prefix, this.index.list(prefix).items, opts);
    for (let after = opts.after; ;) {
      const rows = this.index.list(prefix, { limit: opts.limit, after });
      const page = this.view.list(prefix, rows.items, { limit: opts.limit, after }, rows.next);
      if (page.items.length > 0 || rows.next === undefined) return page;
      after = rows.next;
    }
  }

  /** The logical view (as list), serialized. */
  async listRaw(prefix: string, onRow: RawRowListener): Promise<number> {
    const page = await this.list(prefix);
    for (const s of page.items) onRow(s.key, s.rv, JSON.stringify(s.object));
    return page.rv;
  }

  async create(key: string, object: KObject): Promise<Stored> {
    return this.write({ op: 'create', key, object });
  }

  async update(key: string, object: KObject, expectRV?: number): Promise<Stored> {
    return this.write({ op: 'update', key, object, expectRV });
  }

  async delete(key: string, expectRV?: number): Promise<Stored> {
    const out = await this.write({ op: 'delete', key, expectRV });
    if (key.startsWith(sharedSetMarkerPrefix(clusterOfKey(key)))) await this.dropTombstones(key, out.object.metadata.uid);
    return out;
  }

  async batch(ops: readonly BatchOp[]): Promise<Stored[]> {
    if (ops.length === 0) return [];
    this.ensureOpen(ops[0].key);
    const plans = ops.map((op) => this.plan(op));
    let written: Stored[];
    try { written = await this.backend.batch(plans.map((p) => p.write)); } catch (e) {
      const p = e instanceof StorageError ? plans.find((x) => x.write.key === e.key) : undefined;
      throw p?.raced ? raced(e as StorageError, p.raced) : e;
    }
    await this.settle(written[written.length - 1]);
    return written.map((w, i) => plans[i].result?.(w) ?? this.cached(w));
  }

  /** One logical write: its physical op, through the shared view (shared-sets.ts), settled in the cache. */
  private async write(op: BatchOp): Promise<Stored> {
    this.ensureOpen(op.key);
    const p = this.plan(op);
    const w = p.write;
    let written: Stored;
    try {
      written = w.op === 'create' ? await this.backend.create(w.key, w.object)
        : w.op === 'update' ? await this.backend.update(w.key, w.object, w.expectRV) : await this.backend.delete(w.key, w.expectRV);
    } catch (e) {
      throw p.raced && e instanceof StorageError ? raced(e, p.raced) : e;
    }
    const settled = await this.settle(written);
    return p.result?.(written) ?? settled;
  }

  /**
   * The physical op for a logical one. Ordinary keys pass through (the backend decides). A shared object seen
   * by the cluster is written copy-on-write (create, or over a void tombstone) and deleted by a tombstone; a
   * tombstoned one is absent. `raced`: what a backend refusal means then (another writer got there first).
   */
  private plan(op: BatchOp): { write: BatchOp; raced?: 'Exists' | 'Conflict'; result?: (w: Stored) => Stored } {
    const { key } = op;
    const row = this.index.get(key);
    const tombRow = row !== undefined && isTombstone(row.object);
    if (!this.view.active || (row !== undefined && !tombRow)) {
      if (op.op === 'delete' && row !== undefined && this.view.shared(key)) return this.planDelete(op, row);
      return { write: op };
    }
    const cur = this.view.get(key);
    if (op.op === 'create') {
      if (cur) throw new StorageError('Exists', key);
      return tombRow ? { write: { op: 'update', key, object: op.object, expectRV: row!.rv }, raced: 'Exists' } : { write: op };
    }
    if (!cur) {
      if (tombRow) throw new StorageError('NotFound', key);
      return { write: op };
    }
    if (op.expectRV !== undefined && op.expectRV !== cur.rv) throw conflictError(key, op.expectRV, cur.rv);
    if (op.op === 'delete') return this.planDelete(op, row);
    const write: BatchOp = row ? { op: 'update', key, object: op.object, expectRV: row.rv } : { op: 'create', key, object: op.object };
    return { write, raced: 'Conflict' };
  }

  /** Deleting a shared object (or the cluster's own copy of one) leaves a tombstone. */
  private planDelete(op: BatchOp & { op: 'delete' }, row: Stored | undefined): ReturnType<WatchCache['plan']> {
    const sh = this.view.shared(op.key)!;
    const cur = this.view.get(op.key);
    if (!cur) throw new StorageError('NotFound', op.key);
    if (op.expectRV !== undefined && op.expectRV !== cur.rv) throw conflictError(op.key, op.expectRV, cur.rv);
    const tomb = this.view.tombstone(cur.object, sh);
    const write: BatchOp = row ? { op: 'update', key: op.key, object: tomb, expectRV: row.rv } : { op: 'create', key: op.key, object: tomb };
    return { write, raced: 'Conflict', result: (w) => ({ key: op.key, rv: w.rv, object: deepFreeze(withRV(cur.object, w.rv)) }) };
  }

  watch(prefix: string, fromRV: number, onEvent: WatchListener, onError?: WatchErrorListener): Watcher {
    this.ensureOpen(prefix);
    if (!this.ready) throw new StorageError('Unavailable', prefix, 'watch cache is re-listing its backend');
    return this.hub.watch(prefix, fromRV, onEvent, onError);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.backendWatch?.stop();
    this.hub.close();
    clearInterval(this.sweeper);
    const err = new StorageError('Unavailable', '', 'storage closed');
    this.hub.failAll(err);
    for (const w of this.waiters.splice(0)) w.reject(err);
    await this.backend.close();
  }

  /** Waits until the cache has applied `written`, then returns the cached (frozen) record. */
  private async settle(written: Stored): Promise<Stored> {
    if (this.rv < written.rv) {
      await new Promise<void>((resolve, reject) => {
        const w: Waiter = { rv: written.rv, resolve, reject };
        let i = this.waiters.length;
        while (i > 0 && this.waiters[i - 1].rv > w.rv) i--;
        this.waiters.splice(i, 0, w);
      });
    }
    return this.cached(written);
  }

  private cached(written: Stored): Stored {
    const cached = this.view.get(written.key);
    return cached && cached.rv === written.rv ? cached : deepFreeze(written);
  }

  private put(s: Stored): void {
    this.index.put(s);
    this.view.noteRow(s.key, s);
  }

  private remove(key: string): void {
    this.index.remove(key);
    this.view.noteRow(key, undefined);
  }

  /** Applies a backend event and publishes what it changed in the logical view (shared-sets.ts). */
  private apply(e: StorageEvent): void {
    if (e.rv <= this.rv) return; // already covered by a re-list
    const event = deepFreeze({ ...e, object: freezeCompact(e.object) });
    if (!this.view.active) {
      if (event.type === 'DELETED') this.index.remove(event.key);
      else this.index.put(deepFreeze({ key: event.key, rv: event.rv, object: event.object }));
      this.rv = event.rv;
      this.hub.publish(event);
      this.wake();
      return;
    }
    const cluster = clusterOfKey(event.key);
    const marker = event.key.startsWith(sharedSetMarkerPrefix(cluster))
      ? event.key.slice(sharedSetMarkerPrefix(cluster).length) : undefined;
    const before = this.view.get(event.key);
    const hidden = marker !== undefined && event.type === 'DELETED' ? this.view.visibleOf(cluster, marker) : [];
    if (event.type === 'DELETED') this.remove(event.key);
    else this.put(deepFreeze({ key: event.key, rv: event.rv, object: event.object }));
    this.rv = event.rv;
    const after = this.view.get(event.key);
    if (before && !after) {
      const last = event.type === 'DELETED' && !isTombstone(event.object) ? event.object : deepFreeze(withRV(before.object, event.rv));
      this.hub.publish(flagged({ type: 'DELETED', key: event.key, rv: event.rv, object: last }, before.shared));
    }
    else if (after) this.hub.publish(flagged({ type: before ? 'MODIFIED' : 'ADDED', key: event.key, rv: event.rv, object: after.object }, after.shared));
    // A marker brings or takes every shared object of its set the cluster has no own row for: the ADDED ones are one
    // retained group (shared-sets.ts addedEventsOf), delivered to each watcher as its events.
    const added = marker !== undefined && event.type === 'ADDED' ? this.view.addedEventsOf(cluster, marker, event.rv) : undefined;
    if (added) this.hub.publishGroup(`/${cluster}/`, event.rv, added);
    for (const s of hidden) this.hub.publish({ type: 'DELETED', key: s.key, rv: event.rv, object: deepFreeze(withRV(s.object, event.rv)), shared: true });
    this.wake();
  }

  /** After a marker's delete: its tombstones mean nothing now; remove them (best effort, they are inert). */
  private async dropTombstones(markerKey: string, uid: string | undefined): Promise<void> {
    const prefix = `/${clusterOfKey(markerKey)}/`;
    for (const s of this.index.list(prefix).items) {
      if (!isTombstone(s.object) || (uid !== undefined && s.object['portcullis.io/sharedTombstone'] !== uid)) continue;
      await this.backend.delete(s.key, s.rv).catch(() => undefined);
    }
  }

  private wake(): void {
    let n = 0;
    while (n < this.waiters.length && this.waiters[n].rv <= this.rv) n++;
    if (n > 0) for (const w of this.waiters.splice(0, n)) w.resolve();
  }

  /** The backend watch ended: fail our watchers, then re-list until it works again (or we close). */
  private lost(err: StorageError): void {
    if (this.closed) return;
    this.ready = false;
    this.backendWatch = undefined;
    this.hub.failAll(new StorageError('Unavailable', '', `watch cache lost its backend watch: ${err.message}`));
    void this.relist();
  }

  private async relist(): Promise<void> {
    for (let delay = 50; !this.closed && !this.ready; delay = Math.min(delay * 2, 5_000)) {
      try {
        await this.load();
      } catch {
        await sleep(delay);
      }
    }
  }

  private ensureOpen(key: string): void {
    if (this.closed) throw new StorageError('Unavailable', key, 'storage is closed');
  }
}
