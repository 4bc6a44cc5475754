// In-memory object index of the watch cache: a key map plus, per logical cluster, a key-sorted array: keys under
// any prefix inside a cluster are contiguous in it, so listing one collection is a binary search and a scan of that
// collection alone, never of other clusters. (One array per cluster, not one per ancestor prefix: memory per
// object is what bounds how many tenants fit.) A cluster nobody read or wrote between two compactIdle() calls is
// kept as one deflated blob of its rows (its objects are alike: tens of bytes each) and restored on its next use.
// A cluster loaded from the backend can start cold and raw (putRaw: its rows' JSON text, never parsed), deflated
// by the next sweep unless used first. A cold cluster of more than PART_ROWS objects is held in parts (key ranges):
// a use restores only the parts holding the keys it touches, so a first use of a large cluster (root, the host
// cluster: 10,000s of objects) never parses it whole in one go.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { KObject, ListOptions, Stored } from './interface.ts';
import { SortedRun } from './sorted-run.ts';
import { InternTable } from '../intern.ts';

/** Freezes a JSON value and everything inside it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/**
 * Parsed objects carry their own copy of every string; most short values repeat across many objects (groups,
 * kinds, timestamps, verbs, label values, role and namespace names, the same names in every cluster). The cache
 * keeps one copy of each (a bounded pool). Values unique by nature (uids, resourceVersions) are left alone.
 */
const UNIQUE = new Set(['uid', 'resourceVersion']);
const POOLED_MAX_LENGTH = 64;
const POOL_MAX = 100_000;
const pool = new InternTable<string>(POOL_MAX);

function pooled(s: string): string {
  return s.length > POOLED_MAX_LENGTH ? s : pool.intern(s, s);
}

/**
 * deepFreeze for a value the caller owns and nobody else has seen yet (a parsed backend object): short string
 * values are replaced by one shared copy first. Returns it.
 */
export function freezeCompact<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') value[i] = pooled(v); else freezeCompact(v);
    }
  } else {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v === 'string') { if (!UNIQUE.has(k)) o[k] = pooled(v); } else freezeCompact(v);
    }
  }
  return Object.freeze(value);
}

/** A row parsed as the cache holds it: resourceVersion from its rv (a backend may store the object without it). */
export function parsedRow(key: string, rv: number, object: KObject): Stored {
  object.metadata.resourceVersion = String(rv);
  return deepFreeze({ key, rv, object: freezeCompact(object) });
}

/** The prefix of a key's logical cluster ('/<cluster>/'), or undefined for a root-level key. */
function clusterBucket(key: string): string | undefined {
  const i = key.indexOf('/', 1);
  return i < 0 ? undefined : key.slice(0, i + 1);
}

export interface IndexPage { items: Stored[]; next?: string }

/** Clusters of fewer objects stay warm (a blob saves little on them). */
export const COLD_MIN_ROWS = 8;

/** Objects per part of a cold cluster (about 30 ms to restore: parse, freeze, index). */
export const PART_ROWS = 1_000;

/** A cold cluster's rows as loaded: their Stored[] JSON and their keys (in key order). */
export interface RawPart { json: string; keys: readonly string[] }

/**
 * A part of a cold cluster: its rows as loaded (json, keys) or deflated (blob, a latin1 string), and its least and
 * greatest keys (in JavaScript order) when the cluster has several parts (a lone part holds the whole cluster).
 */
interface ColdPart { json?: string; keys?: readonly string[]; blob?: string; first?: string; last?: string }

/** A cold cluster: a deflated blob of the whole cluster (most: one string, as small as can be), or its parts. */
type Cold = string | ColdPart[];
const partsOf = (c: Cold): ColdPart[] => (typeof c === 'string' ? [{ blob: c }] : c);

/** What compactIdle() did: clusters compacted now, and how many are cold in all. */
export interface CompactStats { compacted: number; cold: number }

export class CacheIndex {
  private readonly byKey = new Map<string, Stored>();
  private readonly buckets = new Map<string, SortedRun>();
  /**
   * Cold clusters (or the cold parts of partly restored ones): prefix → their Stored records as JSON in key order,
   * deflated and held as a latin1 string (exactly its size, on the heap: zlib's output Buffer is a view of a 16 KB+
   * chunk, which it would keep alive), or as loaded. No key is both in a cold part and in byKey.
   */
  private readonly cold = new Map<string, Cold>();
  /** Clusters used (read or written) since the last compactIdle(). */
  private readonly used = new Set<string>();

  /** Objects held warm (not counting cold clusters). */
  get size(): number { return this.byKey.size; }
  /** Clusters with objects held cold (all or some). */
  get coldClusters(): number { return this.cold.size; }

  get(key: string): Stored | undefined {
    const prefix = clusterBucket(key);
    if (prefix === undefined) return this.byKey.get(key);
    this.use(prefix, holding(key));
    return this.byKey.get(key);
  }

  /** Inserts or replaces `s`; the caller hands over ownership (it should be deep-frozen). */
  put(s: Stored): void {
    const prefix = clusterBucket(s.key);
    if (prefix !== undefined) this.use(prefix, holding(s.key));
    this.byKey.set(s.key, s);
    if (prefix === undefined) return;
    let items = this.buckets.get(prefix);
    if (!items) this.buckets.set(prefix, (items = new SortedRun()));
    items.put(s);
  }

  remove(key: string): void {
    const prefix = clusterBucket(key);
    if (prefix !== undefined) this.use(prefix, holding(key));
    if (!this.byKey.delete(key)) return;
    const items = prefix === undefined ? undefined : this.buckets.get(prefix);
    if (!items) return;
    items.remove(key);
    if (items.length === 0) this.buckets.delete(prefix!);
  }

  clear(): void {
    this.byKey.clear();
    this.buckets.clear();
    this.cold.clear();
    this.used.clear();
  }

  /**
   * Holds a cluster cold without parsing it, in parts (consecutive key ranges, in order; at most PART_ROWS rows
   * each to be restored in slices): each part's `json` is a JSON array of its Stored records in key order (objects
   * may lack metadata.resourceVersion: `rv` is set on restore), `keys` theirs. The cluster must hold nothing yet.
   */
  putRaw(prefix: string, parts: readonly RawPart[]): void {
    if (parts.length === 0) return;
    if (parts.length === 1) { this.cold.set(prefix, [{ json: parts[0].json, keys: parts[0].keys }]); return; }
    this.cold.set(prefix, parts.map(({ json, keys }) => {
      let first = keys[0];
      let last = keys[0];
      for (const k of keys) { if (k < first) first = k; if (k > last) last = k; } // backend order may differ
      return { json, keys, first, last };
    }));
  }

  /**
   * Every key held, with its record when warm (keys of a cold cluster as loaded come without: it stays cold; a
   * deflated one is restored).
   */
  forEachKey(fn: (key: string, s: Stored | undefined) => void): void {
    const deflated = (part: ColdPart) => part.keys === undefined;
    for (const [p, c] of [...this.cold]) if (partsOf(c).some(deflated)) this.use(p, deflated);
    for (const [key, s] of this.byKey) fn(key, s);
    for (const c of this.cold.values()) {
      for (const part of partsOf(c)) for (const key of part.keys ?? []) fn(key, undefined);
    }
  }

  /**
   * Compacts every cluster of at least `minRows` objects not used since the previous call, except those `keep`
   * names (call periodically: a cluster unused for one to two periods goes cold). Reads of it restore it.
   */
  compactIdle(keep: (prefix: string) => boolean = () => false, minRows = COLD_MIN_ROWS): CompactStats {
    let compacted = 0;
    for (const prefix of this.idleClusters(keep, minRows)) if (this.compact(prefix)) compacted++;
    return { compacted, cold: this.coldClusters };
  }

  /**
   * Begins a sweep: the clusters of at least `minRows` objects unused since the previous sweep began (except those
   * `keep` names), to compact() one by one (so that a large sweep can yield between them).
   */
  idleClusters(keep: (prefix: string) => boolean = () => false, minRows = COLD_MIN_ROWS): string[] {
    const out: string[] = [];
    for (const [prefix, items] of this.buckets) {
      const idle = !this.used.has(prefix) && (items.length >= minRows || this.cold.has(prefix));
      if (idle && !keep(prefix)) out.push(prefix);
    }
    for (const [prefix, c] of this.cold) { // as loaded, unused since: deflated now
      const loaded = !this.buckets.has(prefix) && !this.used.has(prefix) && partsOf(c).some((p) => p.json !== undefined);
      if (loaded && !keep(prefix)) out.push(prefix);
    }
    this.used.clear();
    return out;
  }

  /**
   * Holds a cluster's warm objects and parts as loaded deflated (in parts of PART_ROWS objects when it has more),
   * unless it was used since its sweep began.
   */
  compact(prefix: string): boolean {
    if (this.used.has(prefix)) return false;
    const items = this.buckets.get(prefix);
    const c = this.cold.get(prefix);
    const parts = c === undefined ? [] : partsOf(c);
    if (!items && !parts.some((p) => p.json !== undefined)) return false;
    const out = parts.map((p) => (p.json === undefined ? p : { blob: deflate(p.json), first: p.first, last: p.last }));
    const rows = items?.toArray() ?? [];
    for (let i = 0; i < rows.length; i += PART_ROWS) {
      const slice = rows.slice(i, i + PART_ROWS);
      out.push({ blob: deflate(JSON.stringify(slice)), first: slice[0].key, last: slice[slice.length - 1].key });
    }
    for (const s of rows) this.byKey.delete(s.key);
    this.buckets.delete(prefix);
    this.cold.set(prefix, out.length === 1 ? out[0].blob! : out);
    return true;
  }

  /** Marks a cluster used, restoring first its cold parts that `which` names (all by default). */
  private use(prefix: string, which: (p: ColdPart) => boolean = () => true): void {
    this.used.add(prefix);
    const c = this.cold.get(prefix);
    if (c === undefined) return;
    const parts = partsOf(c);
    const restore = parts.filter(which);
    if (restore.length === 0) return;
    if (restore.length === parts.length) this.cold.delete(prefix);
    else this.cold.set(prefix, parts.filter((p) => !restore.includes(p)));
    let run = this.buckets.get(prefix);
    if (!run) this.buckets.set(prefix, (run = new SortedRun()));
    for (const part of restore) {
      const json = part.json ?? inflateRawSync(Buffer.from(part.blob!, 'latin1')).toString();
      const items: Stored[] = [];
      for (const r of JSON.parse(json) as Stored[]) {
        const s = parsedRow(r.key, r.rv, r.object);
        this.byKey.set(s.key, s);
        items.push(s);
      }
      // a backend's key order (UTF-8 bytes) can differ from JavaScript's (UTF-16 units) past U+FFFF: sort if so
      if (items.some((s, i) => i > 0 && items[i - 1].key >= s.key)) items.sort((a, b) => (a.key < b.key ? -1 : 1));
      run.insertRange(items);
    }
  }

  /**
   * Objects under `prefix` in ascending key order, paged by limit/after. A page of a cluster held in parts restores
   * only the parts that can hold its keys (a large cluster listed page by page is restored part by part).
   */
  list(prefix: string, opts?: ListOptions): IndexPage {
    const cluster = clusterBucket(prefix);
    const limited = opts?.limit !== undefined && opts.limit > 0;
    if (cluster === undefined || !limited) return this.scan(prefix, opts, ...this.candidates(prefix));
    this.used.add(cluster);
    for (;;) {
      const run = this.buckets.get(cluster);
      const page = this.scan(prefix, opts, run ?? EMPTY, prefix === cluster || run === undefined);
      const part = this.coldPartIn(cluster, prefix, opts.after, page.next);
      if (part === undefined) return page;
      this.use(cluster, part.first === undefined ? undefined : (p) => p === part);
    }
  }

  /** The first cold part of `cluster` that can hold a key under `prefix` after `after` and up to `end` (if set). */
  private coldPartIn(cluster: string, prefix: string, after?: string, end?: string): ColdPart | undefined {
    const c = this.cold.get(cluster);
    if (c === undefined) return undefined;
    let first: ColdPart | undefined;
    for (const p of partsOf(c)) {
      if (p.first === undefined) return p;
      if (!under(prefix)(p) || (after !== undefined && p.last! <= after)) continue;
      if (end !== undefined && p.first > end) continue;
      if (first === undefined || p.first < first.first!) first = p;
    }
    return first;
  }

  private scan(prefix: string, opts: ListOptions | undefined, items: SortedRun, exact: boolean): IndexPage {
    const limit = opts?.limit && opts.limit > 0 ? opts.limit : Infinity;
    const after = opts?.after;
    // the later of "just after `after`" and "the first key under `prefix`"
    const at = exact
      ? (after !== undefined ? items.seek(after, true) : items.start())
      : (after !== undefined && after >= prefix ? items.seek(after, true) : items.seek(prefix, false));
    const out: Stored[] = [];
    let s = items.at(at);
    // Keys under a prefix are contiguous in key order, so stop at the first one outside it.
    for (; s !== undefined && out.length < limit && (exact || s.key.startsWith(prefix)); s = items.at(at)) {
      out.push(s);
      items.next(at);
    }
    const more = s !== undefined && (exact || s.key.startsWith(prefix));
    const page: IndexPage = { items: out };
    if (more && out.length > 0) page.next = out[out.length - 1].key;
    return page;
  }

  /** A sorted run containing every key under `prefix`; exact when it holds nothing else. */
  private candidates(prefix: string): [SortedRun, boolean] {
    const cluster = clusterBucket(prefix);
    if (cluster !== undefined) {
      this.use(cluster, prefix === cluster ? undefined : under(prefix));
      const items = this.buckets.get(cluster);
      return items ? [items, prefix === cluster] : [EMPTY, true];
    }
    // Root-level prefixes ('' or '/...' without a second '/') are rare: sort everything (cold clusters too).
    for (const p of [...this.cold.keys()]) if (p.startsWith(prefix)) this.use(p);
    const all = [...this.byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return [SortedRun.from(all), false];
  }
}

const EMPTY = new SortedRun();

/** Parts whose key range holds `key` (a part without a range holds the whole cluster). */
const holding = (key: string) => (p: ColdPart): boolean => p.first === undefined || (p.first <= key && key <= p.last!);

/** Parts whose key range holds a key under `prefix` (such keys are the keys from `prefix` up, until one is not). */
const under = (prefix: string) => (p: ColdPart): boolean =>
  p.first === undefined || (p.last! >= prefix && (p.first <= prefix || p.first.startsWith(prefix)));

/** Deflated, as a latin1 string: exactly its size, on the heap (see CacheIndex.cold). */
const deflate = (json: string): string => deflateRawSync(Buffer.from(json)).toString('latin1');
