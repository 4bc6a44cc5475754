import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress } from './progress.ts';

function sink(isTTY: boolean) {
  const out = { isTTY, text: '', write(s: string) { out.text += s; return true; } };
  return out as typeof out & NodeJS.WritableStream;
}

describe('progress', () => {
  it('prints plain lines at every tenth and at the end when not on a terminal', () => {
    const out = sink(false);
    let t = 0;
    const p = createProgress('copying objects', 'objects', out, () => t);
    p.total(100);
    for (let i = 0; i < 100; i++) { t += 10; p.tick(); }
    p.done();
    const lines = out.text.trimEnd().split('\n');
    assert.equal(lines.length, 10);
    assert.equal(lines[0], 'copying objects: 10/100 objects (10%), 100 objects/s, ETA 1s');
    assert.equal(lines.at(-1), 'copying objects: 100/100 objects (100%), 100 objects/s');
    assert.doesNotMatch(out.text, /\r/);
  });

  it('redraws one line in place on a terminal, at most every 100 ms', () => {
    const out = sink(true);
    let t = 0;
    const p = createProgress('checking', 'objects', out, () => t);
    p.total(1000);
    for (let i = 0; i < 1000; i++) { t += 1; p.tick(); }
    p.done();
    const draws = out.text.split('\r').filter(Boolean);
    assert.ok(draws.length >= 9 && draws.length <= 12, `${draws.length} redraws`);
    assert.match(draws.at(-1)!, /^\x1b\[Kchecking: 1000\/1000 objects \(100%\), 1000 objects\/s\n$/);
  });
});
