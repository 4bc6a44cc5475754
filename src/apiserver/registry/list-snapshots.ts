// Consistent pagination, as kube-apiserver gives it: every page of a paginated LIST (limit/continue) comes from
// the snapshot its first page was cut from — the objects that matched then, at that resourceVersion — so
// objects created, changed or deleted in between neither appear, change nor vanish half-way. Snapshots are
// arrays of references to the (immutable) stored objects, kept for 5 minutes (etcd's default compaction
// window) and bounded in items. When a token's snapshot is gone, Kubernetes answers 410 Expired with an
// "inconsistent" continue token that resumes after the last key; so do we. A token issued by another replica
// (or an earlier run of this one) has never had a snapshot here: it resumes by key directly.
import { randomUUID } from 'node:crypto';
import { badRequest, expired } from '../errors.ts';
import type { Stored } from '../storage/interface.ts';

/** Who issued a token: tokens of other processes carry another id. */
const PROCESS = randomUUID().slice(0, 8);
const TTL_MS = 5 * 60_000;

export interface ContinueToken {
  /** The last key served: where an inconsistent continuation resumes. */
  k: string;
  /** Snapshot id, the offset of the next page in it, and the issuing process. */
  s?: string;
  o?: number;
  p?: string;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

export function decodeContinue(token: string, prefix: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString()) as Partial<ContinueToken>;
    if (typeof t.k === 'string' && t.k.startsWith(prefix)) {
      if (t.s === undefined) return { k: t.k };
      if (typeof t.s === 'string' && Number.isInteger(t.o) && (t.o as number) > 0 && typeof t.p === 'string') return t as ContinueToken;
    }
  } catch { /* fall through */ }
  throw badRequest('continue key is not valid: it was not issued for this list');
}

interface Snapshot { prefix: string; selectors: string; rv: number; items: readonly Stored[]; expires: number }

export interface SnapshotPage { items: readonly Stored[]; rv: number; continueToken?: string; remaining: number }

export class ListSnapshots {
  private readonly byId = new Map<string, Snapshot>();
  private held = 0;

  constructor(private readonly maxItems = 2_000_000, private readonly now: () => number = Date.now) {}

  /** The first page of `items` (all that matched at `rv`), keeping the rest for the following pages. */
  first(prefix: string, selectors: string, rv: number, items: readonly Stored[], limit: number): SnapshotPage {
    if (items.length <= limit) return { items, rv, remaining: 0 };
    this.expire();
    const id = randomUUID();
    this.byId.set(id, { prefix, selectors, rv, items, expires: this.now() + TTL_MS });
    this.held += items.length;
    // Oldest first, but never the one just made.
    for (const [old, s] of this.byId) {
      if (this.held <= this.maxItems || old === id) break;
      this.drop(old, s);
    }
    return this.page(id, this.byId.get(id)!, 0, limit);
  }

  /**
   * The page `t` asks for; undefined when the token resumes by key instead (no snapshot, another process's
   * snapshot, or other selectors than the first page's). A snapshot of this process that is gone: 410.
   */
  next(t: ContinueToken, prefix: string, selectors: string, limit: number): SnapshotPage | undefined {
    if (t.s === undefined || t.p !== PROCESS) return undefined;
    this.expire();
    const snap = this.byId.get(t.s);
    if (snap === undefined) {
      const err = expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      err.status.metadata = { continue: encodeContinue({ k: t.k }) };
      throw err;
    }
    if (snap.prefix !== prefix || snap.selectors !== selectors || t.o! >= snap.items.length) return undefined;
    return this.page(t.s, snap, t.o!, limit);
  }

  get size(): { snapshots: number; items: number } { return { snapshots: this.byId.size, items: this.held }; }

  private page(id: string, snap: Snapshot, offset: number, limit: number): SnapshotPage {
    const end = limit > 0 ? Math.min(snap.items.length, offset + limit) : snap.items.length;
    const items = snap.items.slice(offset, end);
    const remaining = snap.items.length - end;
    // The last page keeps its snapshot too (until it expires): a retried request gets the same answer.
    if (remaining === 0) return { items, rv: snap.rv, remaining };
    return { items, rv: snap.rv, remaining, continueToken: encodeContinue({ k: items[items.length - 1]!.key, s: id, o: end, p: PROCESS }) };
  }

  private drop(id: string, snap: Snapshot): void {
    if (this.byId.delete(id)) this.held -= snap.items.length;
  }

  private expire(): void {
    const now = this.now();
    for (const [id, s] of this.byId) {
      if (s.expires > now) break; // insertion order is expiry order
      this.drop(id, s);
    }
  }
}
