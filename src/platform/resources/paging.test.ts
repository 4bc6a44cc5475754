// Server-side search and pagination of the platform directory lists.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { page, pageQuery } from './paging.ts';
import { StatusError } from '../../apiserver/errors.ts';

const names = Array.from({ length: 25 }, (_, i) => ({ name: `user-${String(i).padStart(2, '0')}`, display: i % 2 ? 'Odd One' : 'Even' }));
const q = (s: string) => pageQuery(new URL(`https://x/p?${s}`));
const run = (s: string) => page([...names].reverse(), (u) => u.name, (u) => [u.name, u.display], q(s));

describe('paging', () => {
  it('returns everything in name order without a limit (compatible with older clients)', () => {
    const p = run('');
    assert.equal(p.items.length, 25);
    assert.equal(p.items[0].name, 'user-00');
    assert.equal(p.continue, undefined);
  });
  it('walks pages with continue tokens and counts every match', () => {
    const seen: string[] = [];
    let token = '';
    for (let i = 0; i < 10; i++) {
      const p = run(`limit=10${token ? `&continue=${token}` : ''}`);
      assert.equal(p.total, 25);
      seen.push(...p.items.map((u) => u.name));
      if (!p.continue) break;
      token = p.continue;
    }
    assert.deepEqual(seen, names.map((u) => u.name));
  });
  it('searches case-insensitively in every searchable text', () => {
    const p = run('search=ODD&limit=5');
    assert.equal(p.total, 12);
    assert.ok(p.items.every((u) => u.display === 'Odd One'));
  });
  it('refuses bad limits and tokens with a 400', () => {
    for (const s of ['limit=0', 'limit=501', 'limit=x', 'continue=' + 'a'.repeat(500)]) {
      assert.throws(() => q(s), (e: unknown) => e instanceof StatusError && e.code === 400, s);
    }
  });
});
