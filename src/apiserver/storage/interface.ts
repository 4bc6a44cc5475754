// The narrow storage contract every backend (SQLite, PostgreSQL) and the in-memory watch cache implement.
// Keys are opaque strings built only by keys.ts; resourceVersions are one global, strictly increasing integer sequence.

/** Any Kubernetes object as stored: JSON with metadata. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<Record<string, unknown>>;
  managedFields?: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

/** An object with its storage key and the resourceVersion of its last write. */
export interface Stored {
  key: string;
  rv: number;
  object: KObject;
  /** Set by the watch cache on a shared object (shared-sets.ts) a cluster sees without a row of its own. */
  shared?: true;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
/** One committed change. For DELETED, `object` is the last state with metadata.resourceVersion = rv of the delete. */
export interface StorageEvent {
  type: EventType;
  key: string;
  rv: number;
  object: KObject;
  /**
   * Set by the watch cache when the change is to a shared object served without a row of the cluster's own (its
   * set arriving or leaving with the marker, or the cluster deleting it): derived state, never a stored row.
   */
  shared?: true;
}

export interface ListOptions {
  /** At most this many items (0/undefined = all). */
  limit?: number;
  /** Continue after this key (exclusive), as returned in ListResult.next. */
  after?: string;
}
export interface ListResult {
  items: Stored[];
  /** The resourceVersion the list is consistent with. */
  rv: number;
  /** Set when more items remain: pass as ListOptions.after. */
  next?: string;
}

/** One row of Storage.listRaw: its object's JSON text, unparsed (it may lack metadata.resourceVersion: `rv` is it). */
export type RawRowListener = (key: string, rv: number, json: string) => void;

export interface Watcher { stop(): void }
export type WatchListener = (event: StorageEvent) => void;
/** Called once if the watch ends abnormally (backend lost, or it fell too far behind). */
export type WatchErrorListener = (err: StorageError) => void;

export type StorageErrorCode = 'NotFound' | 'Exists' | 'Conflict' | 'Expired' | 'Unavailable';
export class StorageError extends Error {
  constructor(readonly code: StorageErrorCode, readonly key: string, message?: string) {
    super(message ?? `${code}: ${key}`);
  }
}

/** One write of a batch (Storage.batch): the same checks as the single-object methods. */
export type BatchOp =
  | { op: 'create'; key: string; object: KObject }
  | { op: 'update'; key: string; object: KObject; expectRV?: number }
  | { op: 'delete'; key: string; expectRV?: number };

export interface Storage {
  get(key: string): Promise<Stored | undefined>;
  /** Objects whose key starts with `prefix`, in ascending key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /**
   * list(prefix) without parsing (the watch cache's load): `onRow` gets every object under prefix in ascending key
   * order, and must not call the storage. Resolves to the rv the rows are consistent with.
   */
  listRaw(prefix: string, onRow: RawRowListener): Promise<number>;
  /** Fails with StorageError('Exists') if the key is taken. Sets metadata.resourceVersion. */
  create(key: string, object: KObject): Promise<Stored>;
  /** Compare-and-swap when expectRV is given: StorageError('Conflict') if the stored rv differs, 'NotFound' if absent. */
  update(key: string, object: KObject, expectRV?: number): Promise<Stored>;
  /** Removes the key (CAS on expectRV when given); returns the final state with the delete's rv. */
  delete(key: string, expectRV?: number): Promise<Stored>;
  /**
   * Applies every op in one transaction, all or none: in order, each at the next rv (consecutive), each
   * published as its own event in that order. If one fails (its StorageError names its key), nothing is written.
   * Returns the results in op order. A key may appear only once per batch.
   */
  batch(ops: readonly BatchOp[]): Promise<Stored[]>;
  /**
   * Delivers, in commit order and exactly once, every event with rv > fromRV whose key starts with prefix.
   * Throws StorageError('Expired') if events after fromRV are no longer retained.
   */
  watch(prefix: string, fromRV: number, onEvent: WatchListener, onError?: WatchErrorListener): Watcher;
  close(): Promise<void>;
}
