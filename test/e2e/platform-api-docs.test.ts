// docs/platform-api.md is the reference of the /platform/v1 endpoints: every endpoint the server registers is
// documented there, and every documented endpoint exists (a request to it is not answered "route not found").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness, type Harness } from '../support/harness.ts';
import { defaultModules } from '../../src/server/modules.ts';
import type { Route } from '../../src/apiserver/extension.ts';

const DOC = readFileSync(new URL('../../docs/platform-api.md', import.meta.url), 'utf8');
/** `METHOD /platform/v1/...` as the doc's tables write them; <name> placeholders become a sample name. */
const documented = [...DOC.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/platform\/v1\/[^`\s]*)`/g)]
  .map((m) => ({ method: m[1], path: m[2] }));
const NOT_FOUND_ROUTE = /the server could not find the requested resource/;

describe('platform REST API reference (docs/platform-api.md)', () => {
  let h: Harness;
  let routes: Route[] = [];
  before(async () => {
    const spy = { name: 'route-spy', setup(m: { routes: Route[] }) { routes = m.routes; } };
    h = await startHarness({ modules: [...defaultModules(), spy] });
  });
  after(() => h?.close());

  it('documents every /platform/v1 endpoint the server registers', () => {
    const prefixes = [...new Set(routes.map((r) => r.prefix).filter((p) => p.startsWith('/platform/v1/')))];
    assert.ok(prefixes.length >= 15, `found only ${prefixes.length} platform routes`);
    const missing = prefixes.filter((p) => !documented.some((d) => d.path === p || d.path.startsWith(`${p}/`)));
    assert.deepEqual(missing, [], 'registered but not documented');
  });

  it('every documented endpoint exists', async () => {
    assert.ok(documented.length >= 25, `the doc lists only ${documented.length} endpoints`);
    const objectRoutes = routes.map((r) => r.prefix).filter((p) => p.startsWith('/platform/v1/'));
    for (const d of documented) {
      // a path naming an object that does not exist may answer 404 for it: its route prefix must be registered
      if (d.path.includes('<') && objectRoutes.some((p) => d.path.startsWith(`${p}/`))) continue;
      const path = d.path.replace(/<[^>]+>/g, 'sample');
      const r = await h.request(d.method, path, d.method === 'GET' || d.method === 'DELETE' ? {} : { body: {} });
      const text = r.body;
      assert.ok(!(r.status === 404 && NOT_FOUND_ROUTE.test(text)), `${d.method} ${path}: ${r.status} ${text.slice(0, 200)}`);
      assert.notEqual(r.status, 500, `${d.method} ${path}: ${text.slice(0, 300)}`);
    }
  });
});
