// The watch cache's load sorting (load-rows.ts): which clusters are held cold as their rows' JSON, which are parsed.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RowSorter } from './load-rows.ts';
import { COLD_MIN_ROWS, PART_ROWS } from './cache-index.ts';
import type { Stored } from './interface.ts';

const row = (key: string, rv: number): [string, number, string] =>
  [key, rv, JSON.stringify({ metadata: { name: key.slice(key.lastIndexOf('/') + 1), uid: `u${rv}` } })];
const cluster = (c: string, n: number): Array<[string, number, string]> =>
  Array.from({ length: n }, (_, i) => row(`/${c}/core/configmaps/default/cm${String(i).padStart(5, '0')}`, i + 1));

it('holds clusters cold as Stored[] JSON, parses root-level keys, small clusters and markers', () => {
  const sorter = new RowSorter();
  const rows = [
    row('/toplevel', 1),
    ...cluster('a', COLD_MIN_ROWS), ...cluster('big', 1_000), ...cluster('small', COLD_MIN_ROWS - 1),
    row('/a2/portcullis.io/sharedsets/s', 7), ...cluster('a2', COLD_MIN_ROWS).slice(1),
  ].sort((x, y) => (x[0] < y[0] ? -1 : 1));
  for (const [k, rv, json] of rows) sorter.row(k, rv, json);
  const out = sorter.done();
  const cold = out.cold.map((c) => [c.prefix, c.parts.map((p) => p.keys.length)]);
  assert.deepEqual(cold, [['/a/', [COLD_MIN_ROWS]], ['/a2/', [COLD_MIN_ROWS]], ['/big/', [1_000]]]);
  const warm = new Map<string, number>();
  for (const s of out.warm) warm.set(s.key.split('/')[1], (warm.get(s.key.split('/')[1]) ?? 0) + 1);
  assert.deepEqual([...warm], [['small', COLD_MIN_ROWS - 1], ['toplevel', 1]]);
  const markers = out.markers.map((m) => [m.key, m.rv, m.object.metadata.resourceVersion]);
  assert.deepEqual(markers, [['/a2/portcullis.io/sharedsets/s', 7, '7']]);
  const [a] = out.cold[0].parts;
  const parsed = JSON.parse(a.json) as Stored[];
  assert.deepEqual(parsed.map((s) => s.key), a.keys);
  assert.deepEqual(parsed[2], { key: a.keys[2], rv: 3, object: JSON.parse(cluster('a', 3)[2][2]) });
  for (const s of out.warm) assert.equal(s.object.metadata.resourceVersion, String(s.rv));
  assert.ok(Object.isFrozen(out.warm[0].object));
});

it('holds a cluster of more than PART_ROWS rows in parts of PART_ROWS, in key order', () => {
  const sorter = new RowSorter();
  const rows = cluster('huge', 2 * PART_ROWS + 3);
  for (const [k, rv, json] of rows) sorter.row(k, rv, json);
  const [huge] = sorter.done().cold;
  assert.deepEqual(huge.parts.map((p) => p.keys.length), [PART_ROWS, PART_ROWS, 3]);
  const keys = huge.parts.flatMap((p) => (JSON.parse(p.json) as Stored[]).map((s) => s.key));
  assert.deepEqual(keys, rows.map((r) => r[0]));
  assert.deepEqual(huge.parts.flatMap((p) => p.keys), keys);
});
