// A key-sorted sequence of Stored records held as a list of small sorted chunks (a one-level B-tree): insert and
// remove cost O(log N + CHUNK) instead of the O(N) splice of one flat array, which mattered for root (every
// TenantCluster, LogicalCluster, user, team... in one cluster: 10,000s of rows, one insert per tenant write).
import type { Stored } from './interface.ts';

/** Chunks split when they grow past this; each holds between CHUNK / 2 and CHUNK records (but the last few). */
const CHUNK = 256;

/** First index in `items` (sorted by key) whose key is > `key` (strict) or >= `key` (!strict). */
export function search(items: readonly Stored[], key: string, strict: boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = items[mid].key;
    if (k < key || (strict && k === key)) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** A position in a SortedRun: chunk c, index i in it (c === chunk count: the end). */
export interface Cursor { c: number; i: number }

export class SortedRun {
  private readonly chunks: Stored[][] = [];
  private n = 0;

  /** A run holding `sorted` (ascending keys, no duplicates); the array is not kept. */
  static from(sorted: readonly Stored[]): SortedRun {
    const run = new SortedRun();
    for (let i = 0; i < sorted.length; i += CHUNK / 2) run.chunks.push(sorted.slice(i, i + CHUNK / 2));
    run.n = sorted.length;
    return run;
  }

  get length(): number { return this.n; }

  toArray(): Stored[] { return this.chunks.flat(); }

  /** Index of the first chunk whose last key is >= key (> key when strict; chunk count when none is). */
  private chunkFor(key: string, strict = false): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const last = chunks[mid][chunks[mid].length - 1].key;
      if (last < key || (strict && last === key)) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Inserts `s`, or replaces the record of the same key. */
  put(s: Stored): void {
    const chunks = this.chunks;
    if (chunks.length === 0) { chunks.push([s]); this.n = 1; return; }
    const c = Math.min(this.chunkFor(s.key), chunks.length - 1);
    const chunk = chunks[c];
    const i = search(chunk, s.key, false);
    if (i < chunk.length && chunk[i].key === s.key) { chunk[i] = s; return; }
    if (i === chunk.length) chunk.push(s); else chunk.splice(i, 0, s);
    this.n++;
    if (chunk.length > CHUNK) chunks.splice(c + 1, 0, chunk.splice(CHUNK / 2));
  }

  /**
   * Inserts `sorted` (ascending keys, none held yet): in O(chunks + its length) when no record held lies between its
   * first and last key (a restored slice of a cold cluster), else one by one.
   */
  insertRange(sorted: readonly Stored[]): void {
    if (sorted.length === 0) return;
    const chunks = this.chunks;
    let c = this.chunkFor(sorted[0].key);
    if (c < chunks.length) {
      const i = search(chunks[c], sorted[0].key, false);
      if (chunks[c][i].key <= sorted[sorted.length - 1].key) { for (const s of sorted) this.put(s); return; }
      if (i > 0) { chunks.splice(c + 1, 0, chunks[c].splice(i)); c++; }
    }
    const add: Stored[][] = [];
    for (let i = 0; i < sorted.length; i += CHUNK / 2) add.push(sorted.slice(i, i + CHUNK / 2));
    chunks.splice(c, 0, ...add);
    this.n += sorted.length;
  }

  /** Removes the record of `key`; whether there was one. */
  remove(key: string): boolean {
    const c = this.chunkFor(key);
    const chunk = this.chunks[c];
    if (chunk === undefined) return false;
    const i = search(chunk, key, false);
    if (i >= chunk.length || chunk[i].key !== key) return false;
    chunk.splice(i, 1);
    this.n--;
    if (chunk.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /** The position of the first record whose key is > `key` (strict) or >= `key` (!strict). */
  seek(key: string, strict: boolean): Cursor {
    const chunks = this.chunks;
    let c = this.chunkFor(key, strict);
    if (c >= chunks.length) return { c: chunks.length, i: 0 };
    const i = search(chunks[c], key, strict);
    if (i < chunks[c].length) return { c, i };
    c++;
    return { c, i: 0 };
  }

  /** The first position. */
  start(): Cursor { return { c: 0, i: 0 }; }

  /** The record at `at`, or undefined at the end. */
  at(at: Cursor): Stored | undefined { return this.chunks[at.c]?.[at.i]; }

  /** Moves `at` to the next record. */
  next(at: Cursor): void {
    if (++at.i >= this.chunks[at.c].length) { at.c++; at.i = 0; }
  }
}
