// End-to-end: the PostgreSQL backup path the README documents — pg_dump (custom format) of a serving installation,
// pg_restore into a new database, and a server on it with a fresh data directory: objects are back, and the admin
// certificate and an access key issued before the dump still work (the CA, signing keys and pepper live in the store).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../src/apiserver/storage/postgres-test-support.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { credsFrom } from '../support/replicas.ts';

const run = (bin: string, args: string[]) => new Promise<void>((resolve, reject) => {
  execFile(bin, args, { timeout: 60_000 }, (err, _out, stderr) => (err ? reject(new Error(`${bin} failed: ${stderr}`)) : resolve()));
});

describe('PostgreSQL backup with pg_dump and pg_restore', () => {
  let dir: string;
  let source: TestDatabase;
  let target: TestDatabase;
  let h: Harness | undefined;
  let restored: Harness | undefined;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-pgbackup-'));
    source = await createTestDatabase();
    target = await createTestDatabase();
  });
  after(async () => {
    await h?.close();
    await restored?.close();
    await source?.drop();
    await target?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores objects and credentials from a dump taken while serving', { timeout: 120_000 }, async () => {
    h = await startHarness({ dataDir: path.join(dir, 'a'), config: { store: source.url() } });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' }, data: { a: '1' } };
    assert.equal((await h.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm })).status, 201);
    const ak = await h.request('POST', '/apis/management.portcullis.io/v1/accesskeys', { body: {
      apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: 'pg-' }, spec: { user: 'admin', displayName: 'before dump' },
    } });
    assert.equal(ak.status, 201, ak.body);
    const accessKey = ak.json().status.key as string;
    const oldKubeconfig = path.join(dir, 'old.kubeconfig');
    copyFileSync(h.kubeconfig, oldKubeconfig);

    const dump = path.join(dir, 'portcullis.dump');
    await run('/usr/bin/pg_dump', ['--format=custom', '--file', dump, source.url()]);
    await h.close();
    h = undefined;
    await run('/usr/bin/pg_restore', ['--no-owner', '--dbname', target.url(), dump]);

    // A new data directory: on PostgreSQL everything that matters is in the database.
    restored = await startHarness({ dataDir: path.join(dir, 'b'), config: { store: target.url() } });
    const got = await restored.request('GET', '/api/v1/namespaces/default/configmaps/kept');
    assert.equal(got.status, 200);
    assert.deepEqual(got.json().data, { a: '1' });
    const creds = credsFrom(oldKubeconfig);
    const status = (opts: https.RequestOptions) => new Promise<number>((resolve, reject) => {
      https.request(`${restored!.server.url}/api/v1/namespaces/default/configmaps/kept`, { ca: restored!.server.pki.caCertPem, ...opts }, (res) => {
        res.resume(); resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    assert.equal(creds.ca, restored.server.pki.caCertPem, 'the CA came back from the database');
    assert.equal(await status({ cert: creds.cert, key: creds.key }), 200);
    assert.equal(await status({ headers: { authorization: `Bearer ${accessKey}` } }), 200);
  });
});
