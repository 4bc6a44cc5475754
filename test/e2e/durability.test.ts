// Durability: kill -9 in the middle of a stream of acknowledged creates, restart on the same data dir:
// every acknowledged object is there and resourceVersions keep increasing.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChildServer, type ChildServer } from '../support/child-server.ts';

describe('durability', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-durable-'));
  let server: ChildServer | undefined;
  after(async () => { await server?.kill(); rmSync(dir, { recursive: true, force: true }); });

  it('keeps every acknowledged create across kill -9', async () => {
    const args = ['--data-dir', dir, '--listen', '127.0.0.1:0'];
    server = await startChildServer(args);
    const base = '/clusters/root/api/v1/namespaces/default/configmaps';
    const acked = new Map<string, number>();
    let stop = false;
    const writers = [0, 1, 2, 3].map(async (w) => {
      for (let i = 0; !stop; i++) {
        const name = `cm-${w}-${i}`;
        try {
          const r = await server!.request('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } });
          if (r.status === 201) acked.set(name, Number(r.json().metadata.resourceVersion));
        } catch { return; }
      }
    });
    while (acked.size < 150) await new Promise((r) => setTimeout(r, 20));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    const maxRV = Math.max(...acked.values());

    server = await startChildServer(args);
    const list = (await server.request('GET', base)).json();
    const names = new Set<string>(list.items.map((o: { metadata: { name: string } }) => o.metadata.name));
    for (const name of acked.keys()) assert.ok(names.has(name), `acknowledged ${name} is missing after restart`);
    const next = await server.request('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restart' } });
    assert.equal(next.status, 201);
    assert.ok(Number(next.json().metadata.resourceVersion) > maxRV, 'resourceVersions keep increasing');
  });
});
