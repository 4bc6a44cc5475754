// End-to-end: a graceful shutdown on one server — /readyz fails first while requests are still served, then an
// HTTP/2 watch ends with a clean close after a last bookmark (the client resumes from it), new connections are
// refused, and the audit log holds the watch's completion (flushed before exit).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness.ts';
import { credsFrom } from '../support/replicas.ts';

describe('graceful shutdown', () => {
  let h: Harness;
  before(async () => { h = await startHarness({ config: { shutdownDelaySeconds: 0.3, shutdownTimeoutSeconds: 5 } }); });
  after(async () => { await h?.close().catch(() => undefined); });

  it('fails readiness first, ends watches cleanly with a bookmark, drains and flushes the audit log', { timeout: 60_000 }, async () => {
    const creds = credsFrom(h.kubeconfig);
    const session = http2.connect(h.server.url, { ca: creds.ca, cert: creds.cert, key: creds.key });
    const created = await h.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'before' } } });
    assert.equal(created.status, 201);
    const rv = created.json().metadata.resourceVersion as string;
    const stream = session.request({ ':path': `/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}` });
    let body = '';
    let status = 0;
    stream.on('response', (hd) => { status = Number(hd[':status']); });
    stream.on('data', (c: Buffer) => { body += String(c); });
    const ended = new Promise<'end' | 'aborted'>((resolve) => { stream.on('end', () => resolve('end')); stream.on('aborted', () => resolve('aborted')); });
    await new Promise((r) => stream.once('response', r));
    assert.equal(status, 200);
    const later = await h.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'during-watch' } } });
    assert.equal(later.status, 201);
    while (!body.includes('during-watch')) await new Promise((r) => setTimeout(r, 10));

    const stopped = h.server.shutdown();
    // During the delay: not ready, still serving.
    const ready = await h.request('GET', '/readyz', { anonymous: true });
    assert.equal(ready.status, 500);
    assert.match(ready.body, /\[-\]shutdown failed/);
    assert.equal((await h.request('GET', '/api/v1/namespaces/default/configmaps/before')).status, 200);

    assert.equal(await ended, 'end', 'the watch stream ended cleanly');
    const events = body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name?: string; resourceVersion: string } } });
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'BOOKMARK'], body);
    assert.equal(events[1].object.metadata.resourceVersion, later.json().metadata.resourceVersion, 'the last bookmark is where to resume');
    session.close();
    await stopped;
    await assert.rejects(h.request('GET', '/readyz', { anonymous: true }), /ECONNREFUSED/);
    const audit = readFileSync(path.join(h.dir, 'data', 'audit.log'), 'utf8');
    assert.match(audit, /"verb":"watch".*"stage":"ResponseComplete"|"stage":"ResponseComplete".*"verb":"watch"/);
  });
});
