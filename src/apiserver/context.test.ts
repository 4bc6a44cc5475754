// newContext takes plain paths as they are and parses the URL lazily; ctx.path must always equal what the
// WHATWG URL parser makes of the request target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newContext } from './context.ts';

const targets = [
  '/api/v1/pods', '/clusters/a/api/v1/namespaces/x/pods?watch=1', '/x%20y/z', '/a/./b', '/a/../b', '/a\\b',
  'http://h/abs/p?q', '/', '/clusters/root/api?x#f', '/ünï', '/a"b', '/a<b>', '/a`b', '/a{b}', '/a|b', '/a^b',
  '/a b', '/.well-known/x', '/a/.hidden', '/a%zz', '/clusters/team-a/apis/apps/v1/deployments?labelSelector=a%3Db',
];

test('ctx.path equals the parsed URL pathname for plain and unusual request targets', () => {
  for (const url of targets) {
    const ctx = newContext({ url } as IncomingMessage, {} as ServerResponse);
    assert.equal(ctx.path, ctx.url.pathname, url);
  }
});

test('query parameters are parsed on first use', () => {
  const ctx = newContext({ url: '/api/v1/pods?watch=true&resourceVersion=5' } as IncomingMessage, {} as ServerResponse);
  assert.equal(ctx.url.searchParams.get('watch'), 'true');
  assert.equal(ctx.url.searchParams.get('resourceVersion'), '5');
  assert.equal(ctx.url, ctx.url, 'parsed once');
});
