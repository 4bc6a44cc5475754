// Tests that age formatting matches Kubernetes' duration.HumanDuration boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageSince, humanDuration } from './duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('humanDuration matches HumanDuration at every boundary', () => {
  const cases: Array<[number, string]> = [
    [-2500, '<invalid>'], [-1500, '0s'], [-500, '0s'], [0, '0s'], [5 * S, '5s'], [119 * S + 999, '119s'],
    [120 * S, '2m'], [200 * S, '3m20s'], [9 * M + 59 * S, '9m59s'], [10 * M + 30 * S, '10m'], [179 * M, '179m'],
    [180 * M, '3h'], [3 * H + 5 * M, '3h5m'], [7 * H + 59 * M, '7h59m'], [8 * H + 30 * M, '8h'], [47 * H, '47h'],
    [48 * H, '2d'], [52 * H, '2d4h'], [7 * D + 23 * H, '7d23h'], [8 * D + 5 * H, '8d'], [729 * D, '729d'],
    [730 * D, '2y'], [800 * D, '2y70d'], [8 * 365 * D, '8y'], [3000 * D, '8y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('ageSince handles missing and unparsable timestamps', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  assert.equal(ageSince('2024-05-01T11:56:40Z', now), '3m20s');
  assert.equal(ageSince(undefined, now), '<unknown>');
  assert.equal(ageSince('', now), '<unknown>');
  assert.equal(ageSince('yesterday', now), '<unknown>');
});
