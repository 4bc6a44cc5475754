// End-to-end: `portcullis backup` while a writer keeps creating objects, `portcullis restore` into a new data
// directory (with progress), then a server on the restored directory: every object acknowledged before the backup
// began is there, and the admin kubeconfig and an access key issued before the backup still work. Secret files
// (the backup itself, the CA key, the pepper) are 0600.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness.ts';
import { credsFrom } from '../support/replicas.ts';
import { backupSqlite, restoreSqlite } from '../../src/server/backup.ts';

const quiet = { total: () => undefined, tick: () => undefined, done: () => undefined };
const BIN = path.resolve(import.meta.dirname, '../../bin/portcullis.mjs');
const CMS = '/api/v1/namespaces/backup/configmaps';

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('backup and restore of the embedded store', () => {
  let dir: string;
  let h: Harness;
  let restored: Harness | undefined;
  before(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-backup-')); });
  after(async () => {
    await h?.close();
    await restored?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up online while a writer creates objects; the restore has everything acknowledged before', { timeout: 120_000 }, async () => {
    const dataDir = path.join(dir, 'data');
    h = await startHarness({ dataDir });
    assert.equal((await h.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'backup' } } })).status, 201);
    const ak = await h.request('POST', '/apis/management.portcullis.io/v1/accesskeys', { body: {
      apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: 'before-' }, spec: { user: 'admin', displayName: 'before backup' },
    } });
    assert.equal(ak.status, 201, ak.body);
    const accessKey = ak.json().status.key as string;
    const oldKubeconfig = path.join(dir, 'old-admin.kubeconfig');
    copyFileSync(h.kubeconfig, oldKubeconfig);

    // The writer: one create after another; a name counts once its 201 came back.
    const acked: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const r = await h.request('POST', CMS, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w-${i}` }, data: { i: String(i) } } });
        assert.equal(r.status, 201, r.body);
        acked.push(`w-${i}`);
      }
    })();
    while (acked.length < 20) await new Promise((r) => setTimeout(r, 10));
    const ackedBefore = [...acked];
    const file = path.join(dir, 'portcullis.backup');
    const backedUp = await cli(['backup', '--data-dir', dataDir, '--to', file]);
    const countAtEnd = acked.length;
    while (acked.length < countAtEnd + 10) await new Promise((r) => setTimeout(r, 10));
    writing = false;
    await writer;
    assert.equal(backedUp.code, 0, backedUp.stderr);
    assert.match(backedUp.stdout, /Backed up \d+ objects and \d+ files \(.*pki\/ca\.key.*\)/);
    assert.ok(acked.length > countAtEnd, 'the server kept acknowledging writes during and after the backup');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await assert.rejects(backupSqlite({ dataDir, to: file }), /already exists/);
    await h.close();

    const target = path.join(dir, 'restored');
    const r = await cli(['restore', '--from', file, '--data-dir', target]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /checking objects: \d+\/\d+ objects \(100%\)/);
    assert.match(r.stdout, /Restored \d+ objects and \d+ files/);
    for (const f of ['pki/ca.key', 'pki/server.key', 'pki/credentials-pepper', 'admin.password']) {
      assert.equal(statSync(path.join(target, f)).mode & 0o777, 0o600, f);
    }
    await assert.rejects(restoreSqlite({ from: file, dataDir: target, copy: quiet, check: quiet }), /exists; restore into a new data directory/);

    restored = await startHarness({ dataDir: target });
    const listed = await restored.request('GET', CMS);
    assert.equal(listed.status, 200);
    const names = new Set((listed.json().items as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name));
    for (const n of ackedBefore) assert.ok(names.has(n), `${n} was acknowledged before the backup began`);
    for (const n of names) assert.ok(acked.includes(n), `${n} was written by the writer`);

    // Credentials issued before the backup: the old admin kubeconfig's certificate and the access key.
    const creds = credsFrom(oldKubeconfig);
    const get = (opts: https.RequestOptions) => new Promise<number>((resolve, reject) => {
      https.request(`${restored!.server.url}/api/v1/namespaces/backup`, { ca: restored!.server.pki.caCertPem, ...opts }, (res) => {
        res.resume(); resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    assert.equal(creds.ca, restored.server.pki.caCertPem, 'the same CA');
    assert.equal(await get({ cert: creds.cert, key: creds.key }), 200);
    assert.equal(await get({ headers: { authorization: `Bearer ${accessKey}` } }), 200);
  });

  it('refuses a PostgreSQL store and files that are not backups', async () => {
    await assert.rejects(backupSqlite({ dataDir: dir, store: 'postgres://postgres@127.0.0.1/x', to: path.join(dir, 'x.backup') }), /pg_dump/);
    const bogus = path.join(dir, 'bogus.db');
    copyFileSync(path.join(dir, 'restored', 'portcullis.db'), bogus);
    await assert.rejects(restoreSqlite({ from: bogus, dataDir: path.join(dir, 'other'), copy: quiet, check: quiet }), /is not a Portcullis backup/);
  });
});
