// Objects shared by every logical cluster (as kcp serves shared system objects): one copy of a set (Kubernetes'
// bootstrap RBAC) serves every cluster holding the set's marker row, and each cluster sees them as its own objects
// (a uid derived from its marker, the marker's resourceVersion and creation time). A write to one is copy-on-write
// (the cluster gets its own row at that key); a delete leaves a tombstone row naming the marker. Only the watch
// cache (cacher.ts) reads through this view; backends store markers, own rows and tombstones as ordinary rows.
import nodeCrypto, { createHash, randomUUID } from 'node:crypto';
import type { KObject, ListOptions, Stored, StorageEvent } from './interface.ts';
import { deepFreeze, type IndexPage } from './cache-index.ts';

/**
 * Start-up reconciliation of one shared object a cluster holds its own row for (edited, re-created or deleted):
 * the object to write (`recreate`: delete it first, then create), or undefined to leave it.
 */
export type SharedReconcile = (rel: string, own: KObject | undefined) => { object: KObject; recreate?: boolean } | undefined;

export interface SharedSet {
  /** A cluster holds the set while its marker row `/<cluster>/portcullis.io/sharedsets/<name>` exists. */
  readonly name: string;
  /** Objects by key relative to a cluster (`<group|core>/<resource>/[<namespace>/]<name>`), deep-frozen. */
  readonly objects: ReadonlyMap<string, KObject>;
  /** Run at start for the objects clusters changed (shared ones need nothing: they are the set). */
  readonly reconcile?: SharedReconcile;
}

const MARKER_PATH = 'portcullis.io/sharedsets/';
const TOMBSTONE = 'portcullis.io/sharedTombstone';

export const sharedSetMarkerPrefix = (cluster: string): string => `/${cluster}/${MARKER_PATH}`;
export const sharedSetMarkerKey = (cluster: string, set: string): string => `${sharedSetMarkerPrefix(cluster)}${set}`;

/** The marker row that makes `set` part of a cluster (its uid seeds the uids of the cluster's shared objects). */
export function sharedSetMarker(set: string, now = new Date()): KObject {
  return {
    apiVersion: 'v1', kind: 'SharedSetMarker',
    metadata: { name: set, uid: randomUUID(), creationTimestamp: now.toISOString().replace(/\.\d+Z$/, 'Z') },
  };
}

/** Whether `key` is a marker row (whose object the view needs; of other rows, only their keys). */
export function isMarkerKey(key: string): boolean {
  return key.startsWith(MARKER_PATH, key.indexOf('/', 1) + 1);
}

export const isTombstone = (o: KObject): boolean => TOMBSTONE in o;

/** A row saying "this cluster deleted its copy of the shared object" (void once the marker it names is gone). */
function tombstone(of: KObject, markerUid: string): KObject {
  const meta = of.metadata;
  return { metadata: { name: meta.name, ...(meta.namespace ? { namespace: meta.namespace } : {}) }, [TOMBSTONE]: markerUid };
}

/**
 * SHA-256 in hex. One-shot `crypto.hash` (Node >= 20.12) where present: a shared object is built on every read, and a
 * Hash object per build is a native object with a weak handle each scavenge must process.
 */
const sha256Hex: (s: string) => string = typeof (nodeCrypto as { hash?: unknown }).hash === 'function'
  ? (s) => (nodeCrypto as unknown as { hash(a: string, d: string, e: 'hex'): string }).hash('sha256', s, 'hex')
  : (s) => createHash('sha256').update(s).digest('hex');

/** A stable, per-cluster uid (UUID layout) for a shared object. */
function derivedUid(markerUid: string, rel: string): string {
  const h = sha256Hex(`${markerUid}\0${rel}`);
  const variant = ((parseInt(h[16], 16) & 3) | 8).toString(16);
  // join builds one flat string (a template literal of slices is a chain of cons strings over the whole digest)
  return [h.slice(0, 8), h.slice(8, 12), `5${h.slice(13, 16)}`, `${variant}${h.slice(17, 20)}`, h.slice(20, 32)].join('-');
}

interface Marker { rv: number; uid: string; created: string }
interface Shared { set: SharedSet; marker: Marker; rel: string; base: KObject }

const clusterOf = (key: string): string => key.slice(1, key.indexOf('/', 1));

/**
 * A shared object's ADDED event whose object is built each time it is read and never kept. `object` is an own,
 * enumerable accessor (spreading or comparing the event sees the built object), defined with one getter shared by
 * every event and its state under non-enumerable symbols: the events stay small fast-mode objects (~200 bytes with
 * their key; an object literal with its own getter closure is a ~800-byte dictionary-mode object, and a new cluster
 * announces ~57 of them on each dispatch and replay).
 */
function builtOnRead(key: string, rv: number, sh: Shared, build: (key: string, sh: Shared) => KObject): StorageEvent {
  const e = { type: 'ADDED' as const, key, rv, shared: true as const };
  Object.defineProperty(e, SHARED, { value: sh });
  Object.defineProperty(e, BUILD, { value: build });
  return Object.freeze(Object.defineProperty(e, 'object', BUILT_ON_READ)) as unknown as StorageEvent;
}
const SHARED = Symbol('shared');
const BUILD = Symbol('build');
const BUILT_ON_READ: PropertyDescriptor = {
  get(this: { key: string; [SHARED]: Shared; [BUILD]: (key: string, sh: Shared) => KObject }): KObject { return this[BUILD](this.key, this[SHARED]); },
  enumerable: true,
};

/** The logical view over the physical rows of the cache index (`rowOf`). */
export class SharedView {
  private readonly sets = new Map<string, { set: SharedSet; rels: string[] }>();
  /** Which set holds a relative key. */
  private readonly setOfRel = new Map<string, string>();
  /** cluster -> set name -> its marker. */
  private readonly markers = new Map<string, Map<string, Marker>>();
  /** cluster -> relative keys of shared objects with an own row there (edited, re-created or tombstoned). */
  private readonly rows = new Map<string, Set<string>>();

  constructor(private readonly rowOf: (key: string) => Stored | undefined) {}

  get active(): boolean { return this.sets.size > 0; }

  add(set: SharedSet): void {
    const rels = [...set.objects.keys()].sort();
    this.sets.set(set.name, { set, rels });
    for (const r of rels) this.setOfRel.set(r, set.name);
  }

  /**
   * Keeps markers and own rows current; call after every physical put / remove of the index (`s`: the row now, or
   * just true that a row exists when it is no marker).
   */
  noteRow(key: string, s: Stored | true | undefined): void {
    const cluster = clusterOf(key);
    const rel = key.slice(cluster.length + 2);
    if (rel.startsWith(MARKER_PATH)) {
      const name = rel.slice(MARKER_PATH.length);
      let m = this.markers.get(cluster);
      if (s === true) throw new TypeError(`shared sets: marker ${key} noted without its row`);
      if (s) {
        if (!m) this.markers.set(cluster, (m = new Map()));
        m.set(name, { rv: s.rv, uid: s.object.metadata.uid ?? '', created: s.object.metadata.creationTimestamp ?? '' });
      } else if (m?.delete(name) && m.size === 0) this.markers.delete(cluster);
      return;
    }
    if (!this.setOfRel.has(rel)) return;
    let r = this.rows.get(cluster);
    if (s) {
      if (!r) this.rows.set(cluster, (r = new Set()));
      r.add(rel);
    } else if (r?.delete(rel) && r.size === 0) this.rows.delete(cluster);
  }

  /**
   * Forgets every row. Then noteRow() each again: markers with their record, other rows by key alone (noteRow(key,
   * true)); or, after add() of a set, forgetOwnRows() and note again every row but markers (they do not depend on it).
   */
  clear(): void { this.markers.clear(); this.rows.clear(); }

  forgetOwnRows(): void { this.rows.clear(); }

  /** The shared object a key names in a cluster holding its set, if any. */
  shared(key: string): Shared | undefined {
    if (this.sets.size === 0) return undefined;
    const cluster = clusterOf(key);
    const m = this.markers.get(cluster);
    if (!m) return undefined;
    const rel = key.slice(cluster.length + 2);
    const name = this.setOfRel.get(rel);
    const marker = name === undefined ? undefined : m.get(name);
    if (!marker) return undefined;
    const set = this.sets.get(name!)!.set;
    return { set, marker, rel, base: set.objects.get(rel)! };
  }

  /** The object as the cluster sees it: its own row, else the shared copy unless tombstoned. */
  get(key: string): Stored | undefined {
    const row = this.rowOf(key);
    if (row && !isTombstone(row.object)) return row;
    const sh = this.shared(key);
    if (!sh || (row && row.object[TOMBSTONE] === sh.marker.uid)) return undefined;
    return this.materialize(key, sh);
  }

  /** The tombstone row a delete of `cur` (the shared object of `sh`) writes. */
  tombstone(cur: KObject, sh: Shared): KObject { return tombstone(cur, sh.marker.uid); }

  /** Keys of own rows (edits, re-creations, tombstones) of `set`'s objects in clusters holding it. */
  ownRows(set: string): string[] {
    const out: string[] = [];
    for (const [cluster, rels] of this.rows) {
      if (!this.markers.get(cluster)?.has(set)) continue;
      for (const rel of rels) if (this.setOfRel.get(rel) === set) out.push(`/${cluster}/${rel}`);
    }
    return out.sort();
  }

  /** Visible shared objects (no own row) of one cluster's set, e.g. when its marker comes or goes. */
  visibleOf(cluster: string, set: string): Stored[] {
    return this.visibleLazyOf(cluster, set).map((v) => v.build());
  }

  /** The same as keys, each with a way to build its object as it is now (built only when called). */
  visibleLazyOf(cluster: string, set: string): Array<{ key: string; build: () => Stored }> {
    const entry = this.sets.get(set);
    if (!entry || !this.markers.get(cluster)?.has(set)) return [];
    const out: Array<{ key: string; build: () => Stored }> = [];
    for (const rel of entry.rels) {
      const key = `/${cluster}/${rel}`;
      if (this.rowOf(key) !== undefined) continue;
      const sh = this.shared(key)!;
      out.push({ key, build: () => this.materialize(key, sh) });
    }
    return out;
  }

  /**
   * What watchers are told when `set`'s marker (at `rv`) is added to a cluster: an ADDED event for each shared object
   * the cluster sees now (no own row), in key order. Returned as a function that yields them anew on each call, from
   * a snapshot of which ones are visible (a few references, not 65 events per new cluster); each event's object is
   * built each time it is read and never kept (a per-cluster copy of every built-in object would fill the old
   * generation during a mass creation).
   */
  addedEventsOf(cluster: string, set: string, rv: number): (() => Iterable<StorageEvent>) | undefined {
    const entry = this.sets.get(set);
    const marker = this.markers.get(cluster)?.get(set);
    if (!entry || !marker) return undefined;
    const own = this.rows.get(cluster);
    const skip = own && own.size > 0 ? new Set(own) : undefined;
    const view = this;
    return function* added(): Iterable<StorageEvent> {
      const build = (key: string, sh: Shared): KObject => view.materialize(key, sh).object;
      for (const rel of entry.rels) {
        if (skip?.has(rel)) continue;
        yield builtOnRead(`/${cluster}/${rel}`, rv, { set: entry.set, marker, rel, base: entry.set.objects.get(rel)! }, build);
      }
    };
  }

  /** Whether a list of `prefix` may contain shared objects (else the index answers it alone). */
  covers(prefix: string): boolean {
    if (this.sets.size === 0 || this.markers.size === 0) return false;
    const slash = prefix.indexOf('/', 1);
    if (slash < 0) return true;
    const cluster = prefix.slice(1, slash);
    const m = this.markers.get(cluster);
    if (!m) return false;
    const relPrefix = prefix.slice(slash + 1);
    for (const name of m.keys()) {
      const rels = this.sets.get(name)?.rels ?? [];
      const i = lowerBound(rels, relPrefix);
      if (i < rels.length && rels[i].startsWith(relPrefix)) return true;
    }
    return false;
  }

  /**
   * A list page of the logical view: `rows` are every physical row under prefix (in key order), or with `end`
   * those after opts.after up to `end` (a page of them; more follow).
   */
  list(prefix: string, rows: readonly Stored[], opts?: ListOptions, end?: string): IndexPage {
    const all: Stored[] = [];
    for (const s of rows) if (!isTombstone(s.object)) all.push(s);
    for (const [cluster, m] of this.clustersUnder(prefix)) {
      for (const name of m.keys()) {
        for (const rel of this.sets.get(name)?.rels ?? []) {
          const key = `/${cluster}/${rel}`;
          if (!key.startsWith(prefix) || (end !== undefined && (key > end || key <= (opts?.after ?? '')))) continue;
          const row = this.rowOf(key);
          if (row && !isTombstone(row.object)) continue;
          const v = this.get(key);
          if (v) all.push(v);
        }
      }
    }
    all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let i = opts?.after !== undefined ? lowerBound(all.map((s) => s.key), opts.after) : 0;
    if (opts?.after !== undefined && i < all.length && all[i].key === opts.after) i++;
    const limit = opts?.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items = all.slice(i, Math.min(all.length, i + limit));
    const page: IndexPage = { items };
    const more = i + items.length < all.length || end !== undefined;
    if (more && items.length > 0) page.next = items[items.length - 1].key;
    return page;
  }

  /** Clusters with markers a list of `prefix` reaches: one map lookup when the prefix names a cluster. */
  private clustersUnder(prefix: string): Iterable<[string, Map<string, Marker>]> {
    const slash = prefix.indexOf('/', 1);
    if (slash > 0) {
      const cluster = prefix.slice(1, slash);
      const m = this.markers.get(cluster);
      return m ? [[cluster, m]] : [];
    }
    return [...this.markers].filter(([cluster]) => `/${cluster}/`.startsWith(prefix));
  }

  private materialize(key: string, sh: Shared): Stored {
    const meta = sh.base.metadata;
    const object = {
      ...sh.base,
      metadata: {
        ...meta, uid: derivedUid(sh.marker.uid, sh.rel), resourceVersion: String(sh.marker.rv), creationTimestamp: sh.marker.created,
      },
    };
    return { key, rv: sh.marker.rv, object: deepFreeze(object), shared: true };
  }
}

function lowerBound(xs: readonly string[], x: string): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}
