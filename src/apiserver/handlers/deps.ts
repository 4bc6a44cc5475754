// What the generic handlers need from the server: the store, the catalog of types, and optional hooks.
import type { Store } from '../registry/store.ts';
import type { Catalog } from '../registry/catalog.ts';
import type { Storage } from '../storage/interface.ts';

export interface HandlerDeps {
  store: Store;
  storage: Storage;
  catalog: Catalog;
  /** Interval between watch bookmarks (ms). */
  bookmarkIntervalMs: number;
  /** Aborted when the server shuts down gracefully: watches end with a clean close (and a last bookmark). */
  shutdown?: AbortSignal;
}
