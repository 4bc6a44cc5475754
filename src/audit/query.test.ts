// Reading recent audit events back: newest first across rotated files, one cluster only, filters, paging by time,
// and the scan budget.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { queryAuditLog } from './query.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'audit-query-'));
let n = 0;
const ev = (cluster: string, user: string, verb: string, resource: string, code = 200, stage = 'ResponseComplete') => JSON.stringify({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `id-${++n}`, stage, requestURI: `/clusters/${cluster}/x`, verb,
  user: { username: user }, sourceIPs: ['127.0.0.1'], objectRef: { resource, namespace: 'app' }, responseStatus: { metadata: {}, code },
  requestReceivedTimestamp: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000000Z`, stageTimestamp: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000000Z`,
  annotations: { 'portcullis.io/cluster': cluster, ...(code === 403 ? {} : { 'authorization.k8s.io/decision': 'allow' }) },
});
// older events in the rotated file, newer in the current one
const older = [ev('a', 'alice', 'get', 'pods'), ev('b', 'bob', 'get', 'pods'), ev('a', 'carol', 'delete', 'secrets', 403)];
const newer = [ev('a', 'alice', 'list', 'configmaps'), ev('a', 'alice', 'get', 'configmaps', 200, 'RequestReceived'), 'not json', ev('a', 'dave', 'create', 'pods')];
writeFileSync(path.join(dir, 'audit.log.1'), `${older.join('\n')}\n`);
writeFileSync(path.join(dir, 'audit.log'), `${newer.join('\n')}\n`);
const files = [path.join(dir, 'audit.log'), path.join(dir, 'audit.log.1'), path.join(dir, 'audit.log.2')];

describe('audit query', () => {
  it('lists one cluster\'s completed requests, newest first, across rotated files', async () => {
    const r = await queryAuditLog(files, { cluster: 'a', limit: 10 });
    assert.deepEqual(r.items.map((i) => `${i.user} ${i.verb} ${i.resource}`), ['dave create pods', 'alice list configmaps', 'carol delete secrets', 'alice get pods']);
    assert.equal(r.complete, true);
  });
  it('filters by user, verb, resource and decision (a 403 before the authorizer counts as forbid)', async () => {
    assert.deepEqual((await queryAuditLog(files, { cluster: 'a', limit: 10, user: 'alice', verb: 'get' })).items.map((i) => i.resource), ['pods']);
    assert.deepEqual((await queryAuditLog(files, { cluster: 'a', limit: 10, resource: 'config' })).items.map((i) => i.verb), ['list']);
    const denied = await queryAuditLog(files, { cluster: 'a', limit: 10, decision: 'forbid' });
    assert.deepEqual(denied.items.map((i) => i.user), ['carol']);
  });
  it('pages by time and stops at the limit or the scan budget', async () => {
    const first = await queryAuditLog(files, { cluster: 'a', limit: 2 });
    assert.equal(first.items.length, 2);
    const next = await queryAuditLog(files, { cluster: 'a', limit: 2, before: first.items[1].time });
    assert.deepEqual(next.items.map((i) => i.user), ['carol', 'alice']);
    const tiny = await queryAuditLog(files, { cluster: 'b', limit: 10 }, 10);
    assert.equal(tiny.complete, false);
  });
});
