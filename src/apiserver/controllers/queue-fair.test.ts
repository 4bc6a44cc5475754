// Tests FairPending's closed levels: a level at its limit is skipped without visiting its shards, so that a start-up
// replay of thousands of background keys (one shard each) costs O(1) per take, not O(shards) per add.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FairPending } from './queue-fair.ts';

test('a closed level is skipped without visiting its shards; an open one is served round-robin', () => {
  const p = new FairPending((k) => k.split('/')[0]!);
  for (let i = 0; i < 1000; i++) p.put(`t${i}/x`, 'low', 0);
  p.put('fresh/x', 'normal', 0);
  let visits = 0;
  const canRun = () => { visits++; return true; };
  assert.equal(p.take(canRun, (l) => l === 'normal')?.key, 'fresh/x');
  assert.equal(p.take(canRun, (l) => l === 'normal'), undefined, 'only background keys left, and their level is closed');
  assert.equal(visits, 1, 'the closed level\'s 1,000 shards were not visited');
  assert.equal(p.size, 1000);
  assert.deepEqual([p.take(canRun)?.key, p.take(canRun)?.key], ['t0/x', 't1/x'], 'open again: oldest shards first');
});
