// SortedRun (the watch cache's per-cluster key order in chunks) against a plain sorted array: random inserts,
// replacements and removals across many chunk splits and merges, then every seek and a full walk agree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Stored } from './interface.ts';
import { search, SortedRun } from './sorted-run.ts';
import { CacheIndex } from './cache-index.ts';

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rec = (key: string, rv: number): Stored => ({ key, rv, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: key } } });
const walk = (run: SortedRun): Stored[] => {
  const out: Stored[] = [];
  const at = run.start();
  for (let s = run.at(at); s !== undefined; s = run.at(at)) { out.push(s); run.next(at); }
  return out;
};

describe('SortedRun', () => {
  it('inserts sorted ranges (restored parts) before, between, inside and across held records', () => {
    const next = random(5);
    const key = (i: number) => `k${String(i).padStart(6, '0')}`;
    const run = new SortedRun();
    const ref = new Map<string, Stored>();
    // ranges of consecutive even keys, some falling inside a chunk, some overlapping held keys (odd ones added later)
    for (let round = 0; round < 60; round++) {
      const from = Math.floor(next() * 20_000);
      const len = 1 + Math.floor(next() * 700);
      const range: Stored[] = [];
      for (let i = from; i < from + len; i++) {
        const k = key(round % 3 === 0 ? 2 * i + 1 : 2 * i);
        if (!ref.has(k)) range.push(rec(k, round));
      }
      run.insertRange(range);
      for (const s of range) ref.set(s.key, s);
      const want = [...ref.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
      assert.equal(run.length, want.length);
      assert.deepEqual(walk(run).map((s) => s.key), want.map((s) => s.key), `round ${round}`);
      const probe = key(Math.floor(next() * 40_000));
      assert.equal(run.at(run.seek(probe, false))?.key, want[search(want, probe, false)]?.key);
    }
  });

  it('agrees with a sorted array through inserts, replacements and removals', () => {
    const next = random(17);
    const run = new SortedRun();
    const ref = new Map<string, Stored>();
    const keyOf = () => `/c/r/${String(Math.floor(next() * 3000)).padStart(5, '0')}`;
    for (let step = 0; step < 20_000; step++) {
      const key = keyOf();
      if (next() < 0.35) {
        assert.equal(run.remove(key), ref.delete(key));
      } else {
        const s = rec(key, step);
        run.put(s);
        ref.set(key, s);
      }
      if (step % 2000 === 1999 || step === 0) {
        const want = [...ref.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        assert.equal(run.length, want.length);
        assert.deepEqual(walk(run), want);
        assert.deepEqual(run.toArray(), want);
        for (let q = 0; q < 200; q++) {
          const probe = q % 3 === 0 ? keyOf() : `/c/r/${String(Math.floor(next() * 3000)).padStart(5, '0')}x`;
          for (const strict of [false, true]) {
            const i = search(want, probe, strict);
            assert.equal(run.at(run.seek(probe, strict))?.key, want[i]?.key, `${probe} strict=${strict}`);
          }
        }
      }
    }
    for (const key of [...ref.keys()]) assert.ok(run.remove(key));
    assert.equal(run.length, 0);
    assert.equal(run.at(run.seek('/c/', false)), undefined);
  });

  it('keeps a cluster list paged in key order in the cache index across chunk boundaries', () => {
    const index = new CacheIndex();
    const keys: string[] = [];
    for (let i = 2999; i >= 0; i--) {
      const key = `/root/${i % 2 ? 'a' : 'b'}/${String(i).padStart(5, '0')}`;
      keys.push(key);
      index.put(rec(key, i));
    }
    keys.sort();
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = index.list('/root/b/', { limit: 700, after });
      seen.push(...page.items.map((s) => s.key));
      after = page.next;
    } while (after !== undefined);
    assert.deepEqual(seen, keys.filter((k) => k.startsWith('/root/b/')));
    assert.equal(index.list('/root/').items.length, 3000);
    assert.deepEqual(index.list('/root/a/', { limit: 2, after: '/root/a/00003' }).items.map((s) => s.key), ['/root/a/00005', '/root/a/00007']);
  });
});
