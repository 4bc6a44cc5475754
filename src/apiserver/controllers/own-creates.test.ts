// OwnCreates: a controller's own creates are recognised once, by key and ADDED only; nothing stays behind.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { OwnCreates } from './own-creates.ts';

it('consumes the ADDED event of each expected key once, and only ADDED', () => {
  const own = new OwnCreates();
  own.expect('t1', ['/t1/a', '/t1/b']);
  assert.equal(own.consume('MODIFIED', '/t1/a'), false);
  assert.equal(own.consume('DELETED', '/t1/a'), false);
  assert.equal(own.consume('ADDED', '/t1/a'), true);
  assert.equal(own.consume('ADDED', '/t1/a'), false, 'a second ADDED (deleted and re-created by someone) is an ordinary event');
  assert.equal(own.consume('ADDED', '/t2/a'), false);
  assert.equal(own.consume('ADDED', '/t1/b'), true);
  assert.equal(own.size, 0);
});

it('forgets what an owner still expects when its next pass starts, without touching other owners', () => {
  const own = new OwnCreates();
  own.expect('t1', ['/t1/a']);
  own.expect('t2', ['/t2/a']);
  own.forget('t1');
  assert.equal(own.consume('ADDED', '/t1/a'), false);
  assert.equal(own.consume('ADDED', '/t2/a'), true);
  own.expect('t3', ['/x']);
  own.expect('t3', ['/y']); // a new expectation replaces the previous one
  assert.equal(own.consume('ADDED', '/x'), false);
  assert.equal(own.consume('ADDED', '/y'), true);
  assert.equal(own.size, 0);
});
