// The watch cache in front of a backend: serves get/list/watch from memory, sends writes to the backend and
// returns only once the cache has applied the write (read-your-writes). Cached objects are deep-frozen.
import {
  StorageError, type KObject, type ListOptions, type ListResult, type Storage, type StorageEvent,
  type Stored, type Watcher, type WatchErrorListener, type WatchListener,
} from './interface.ts';
import { CacheIndex, deepFreeze } from './cache-index.ts';
import { WatchHub } from './watch-hub.ts';

export interface CacherOptions {
  /** How many recent events are kept for watches from past rvs (default 100,000). */
  eventRetention?: number;
}

export type Cacher = Storage & { currentRV(): number };

interface Waiter { rv: number; resolve(): void; reject(err: Error): void }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
  const cacher = new WatchCache(backend, opts?.eventRetention ?? 100_000);
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
  private readonly hub: WatchHub<StorageEvent>;
  private rv = 0;
  private ready = false;
  private closed = false;
  private backendWatch?: Watcher;
  /** Writers waiting for the cache to reach their rv, ascending by rv. */
  private waiters: Waiter[] = [];

  constructor(private readonly backend: Storage, retention: number) {
    this.hub = new WatchHub<StorageEvent>(retention, 0, (e) => e);
  }

  currentRV(): number { return this.rv; }

  /** Lists the whole backend into memory and follows it with a watch from the list's rv. */
  async load(): Promise<void> {
    const snapshot = await this.backend.list('');
    if (this.closed) return;
    this.index.clear();
    for (const s of snapshot.items) this.index.put(deepFreeze(s));
    this.rv = Math.max(this.rv, snapshot.rv);
    this.hub.reset(this.rv);
    this.backendWatch = this.backend.watch('', snapshot.rv, (e) => this.apply(e), (err) => this.lost(err));
    this.ready = true;
    this.wake();
  }

  async get(key: string): Promise<Stored | undefined> {
    this.ensureOpen(key);
    return this.index.get(key);
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    this.ensureOpen(prefix);
    const page = this.index.list(prefix, opts);
    const result: ListResult = { items: page.items, rv: this.rv };
    if (page.next !== undefined) result.next = page.next;
    return result;
  }

  async create(key: string, object: KObject): Promise<Stored> {
    this.ensureOpen(key);
    return this.settle(await this.backend.create(key, object));
  }

  async update(key: string, object: KObject, expectRV?: number): Promise<Stored> {
    this.ensureOpen(key);
    return this.settle(await this.backend.update(key, object, expectRV));
  }

  async delete(key: string, expectRV?: number): Promise<Stored> {
    this.ensureOpen(key);
    return this.settle(await this.backend.delete(key, expectRV));
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
    const cached = this.index.get(written.key);
    return cached && cached.rv === written.rv ? cached : deepFreeze(written);
  }

  private apply(e: StorageEvent): void {
    if (e.rv <= this.rv) return; // already covered by a re-list
    const event = deepFreeze(e);
    if (event.type === 'DELETED') this.index.remove(event.key);
    else this.index.put(deepFreeze({ key: event.key, rv: event.rv, object: event.object }));
    this.rv = event.rv;
    this.hub.publish(event);
    this.wake();
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
