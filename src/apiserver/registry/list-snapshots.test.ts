// ListSnapshots: pages of one snapshot, expiry with Kubernetes' 410 and inconsistent token, the item bound,
// and tokens that resume by key (no snapshot, another process, other selectors).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.ts';
import type { Stored } from '../storage/interface.ts';
import { decodeContinue, encodeContinue, ListSnapshots } from './list-snapshots.ts';

const P = '/c/root/configmaps/default/';
const items = (n: number): Stored[] => Array.from({ length: n }, (_, i) => ({ key: `${P}cm-${i}`, rv: i + 1, object: { metadata: { name: `cm-${i}` } } }));
const names = (xs: readonly Stored[]) => xs.map((s) => s.object.metadata.name);

describe('ListSnapshots', () => {
  it('serves every page from the first page\'s snapshot, at its resourceVersion', () => {
    const snaps = new ListSnapshots();
    const all = items(5);
    const p1 = snaps.first(P, '', 42, all, 2);
    assert.deepEqual(names(p1.items), ['cm-0', 'cm-1']);
    assert.equal(p1.remaining, 3);
    const p2 = snaps.next(decodeContinue(p1.continueToken!, P), P, '', 2)!;
    assert.deepEqual(names(p2.items), ['cm-2', 'cm-3']);
    assert.equal(p2.rv, 42);
    const p3 = snaps.next(decodeContinue(p2.continueToken!, P), P, '', 2)!;
    assert.deepEqual(names(p3.items), ['cm-4']);
    assert.equal(p3.continueToken, undefined);
    assert.equal(p3.remaining, 0);
    // A retried last page gets the same answer.
    assert.deepEqual(names(snaps.next(decodeContinue(p2.continueToken!, P), P, '', 2)!.items), ['cm-4']);
  });

  it('keeps nothing when one page holds everything', () => {
    const snaps = new ListSnapshots();
    const p = snaps.first(P, '', 1, items(2), 2);
    assert.equal(p.continueToken, undefined);
    assert.deepEqual(snaps.size, { snapshots: 0, items: 0 });
  });

  it('answers 410 Expired with an inconsistent continue token once the snapshot is gone', () => {
    let now = 0;
    const snaps = new ListSnapshots(100, () => now);
    const p1 = snaps.first(P, '', 7, items(4), 2);
    now += 5 * 60_000 + 1;
    assert.throws(() => snaps.next(decodeContinue(p1.continueToken!, P), P, '', 2), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 410);
      assert.equal(e.status.reason, 'Expired');
      assert.match(e.message, /too old to display a consistent list result/);
      const t = decodeContinue(String(e.status.metadata.continue), P);
      assert.deepEqual(t, { k: `${P}cm-1` }, 'resumes after the last key served, without a snapshot');
      return true;
    });
    assert.deepEqual(snaps.size, { snapshots: 0, items: 0 });
  });

  it('drops the oldest snapshots beyond its item bound', () => {
    const snaps = new ListSnapshots(10);
    const a = snaps.first(P, '', 1, items(6), 2);
    const b = snaps.first(P, '', 2, items(6), 2);
    assert.deepEqual(snaps.size, { snapshots: 1, items: 6 });
    assert.throws(() => snaps.next(decodeContinue(a.continueToken!, P), P, '', 2), /too old/);
    assert.equal(snaps.next(decodeContinue(b.continueToken!, P), P, '', 2)!.rv, 2);
  });

  it('lets tokens without a snapshot of this process, or with other selectors, resume by key', () => {
    const snaps = new ListSnapshots();
    const p1 = snaps.first(P, 'app=x\n', 3, items(4), 2);
    const t = decodeContinue(p1.continueToken!, P);
    assert.equal(snaps.next(t, P, '', 2), undefined, 'other selectors');
    assert.equal(snaps.next({ ...t, p: 'another' }, P, 'app=x\n', 2), undefined, 'another process');
    assert.equal(snaps.next({ k: t.k }, P, 'app=x\n', 2), undefined, 'key-only token');
    assert.ok(snaps.next(t, P, 'app=x\n', 2));
  });

  it('rejects tokens that were not issued for the list', () => {
    assert.throws(() => decodeContinue('not-a-token', P), /continue key is not valid/);
    assert.throws(() => decodeContinue(encodeContinue({ k: '/c/other/configmaps/x' }), P), /continue key is not valid/);
    assert.throws(() => decodeContinue(Buffer.from(JSON.stringify({ k: `${P}a`, s: 'x', o: -1, p: 'y' })).toString('base64url'), P), /continue key is not valid/);
  });
});
