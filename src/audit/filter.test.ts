// withAudit over a real HTTP server: stages, Audit-Id, users and impersonation, response status, Panic,
// request/response capture at the policy's level with redaction, ResponseStarted for watches, per-cluster off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { compose } from '../apiserver/chain.ts';
import { newContext, type Filter } from '../apiserver/context.ts';
import { notFound } from '../apiserver/errors.ts';
import { withRecovery } from '../apiserver/filters/recovery.ts';
import { parseRequestInfo } from '../apiserver/filters/request-info.ts';
import { readBody } from '../apiserver/codec/body.ts';
import { writeJson } from '../apiserver/handlers/respond.ts';
import { parsePolicy, PolicyEvaluator } from './policy.ts';
import { withAudit, CLUSTER_ANNOTATION, TRUNCATED_ANNOTATION } from './filter.ts';
import type { AuditEvent } from './event.ts';
import type { AuditSink } from './sink.ts';

class MemorySink implements AuditSink {
  lines: string[] = [];
  dropped = 0;
  write(line: string): void { this.lines.push(line); }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  events(): AuditEvent[] { return this.lines.map((l) => JSON.parse(l) as AuditEvent); }
  take(id: string): AuditEvent[] { return this.events().filter((e) => e.auditID === id); }
}

const POLICY = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  nonResourceURLs: ["/quiet*"]
- level: RequestResponse
  resources: [{group: "", resources: ["secrets"]}]
  omitManagedFields: true
- level: Request
  resources: [{group: "", resources: ["configmaps"]}]
- level: Metadata
  omitStages: [RequestReceived]
  users: [terse]
- level: Metadata
`);

describe('withAudit', () => {
  const sink = new MemorySink();
  const disabled = new Set(['muted']);
  let server: http.Server;
  let base = '';

  // Stand-ins for the filters around audit: cluster/info/user before it, impersonation and authz after it.
  const before_: Filter = async (ctx, next) => {
    ctx.cluster = String(ctx.req.headers['x-cluster'] ?? 'root');
    ctx.info = parseRequestInfo(ctx.req.method ?? 'GET', ctx.path, ctx.url.searchParams);
    ctx.user = { username: String(ctx.req.headers['x-user'] ?? 'alice'), uid: 'u1', groups: ['devs', 'system:authenticated'] };
    await next();
  };
  const after_: Filter = async (ctx, next) => {
    const as = ctx.req.headers['impersonate-user'];
    if (typeof as === 'string') { ctx.impersonator = ctx.user; ctx.user = { username: as, groups: ['system:authenticated'] }; }
    ctx.annotations['authorization.k8s.io/decision'] = 'allow';
    ctx.annotations['authorization.k8s.io/reason'] = String(ctx.req.headers['x-reason'] ?? 'test allowed it');
    await next();
  };
  const handler = compose([withRecovery(() => {}), before_, withAudit({ policy: new PolicyEvaluator(POLICY), sink, enabled: (c) => !disabled.has(c) }), after_], async (ctx) => {
    const info = ctx.info!;
    if (ctx.path === '/boom') throw new Error('kaboom');
    if (info.verb === 'watch') {
      ctx.responseCode = 200;
      ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
      ctx.res.write('{"type":"ADDED","object":{"kind":"Secret","data":{"a":"V0FUQ0g="}}}\n');
      await new Promise((r) => setTimeout(r, 20));
      ctx.res.end();
      return;
    }
    if (info.name === 'missing') throw notFound({ group: '', resource: info.resource }, 'missing');
    if (info.verb === 'create') {
      const body = JSON.parse((await readBody(ctx.req)).toString()) as Record<string, unknown>;
      return writeJson(ctx, 201, { ...body, metadata: { ...(body.metadata as object), uid: 'x', managedFields: [{ manager: 'm' }] } });
    }
    if (info.name === 'big') return writeJson(ctx, 200, { kind: 'Status', pad: 'p'.repeat(1_100_000) });
    writeJson(ctx, 200, { kind: 'ConfigMap', metadata: { name: info.name }, data: { a: 'b' } });
  });

  before(async () => {
    server = http.createServer((req, res) => { void handler(newContext(req, res)); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const call = async (p: string, init: RequestInit & { headers?: Record<string, string> } = {}) => {
    const res = await fetch(base + p, init);
    await res.text();
    const id = res.headers.get('audit-id') ?? '';
    return { res, id, events: sink.take(id) };
  };

  it('requests on one keep-alive connection never share stale fragments (user, URI, source, annotations)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (p: string, headers: Record<string, string>) => new Promise<string>((resolve, reject) => {
      http.get(base + p, { agent, headers }, (res) => { res.resume(); res.on('end', () => resolve(String(res.headers['audit-id']))); }).on('error', reject);
    });
    try {
      const plan = [
        { p: '/api/v1/namespaces/a/pods/x', user: 'alice', reason: 'first reason', ua: 'one' },
        { p: '/api/v1/namespaces/a/pods/x', user: 'alice', reason: 'first reason', ua: 'one' },
        { p: '/api/v1/namespaces/a/pods/x', user: 'alice', reason: 'second reason', ua: 'one' },
        { p: '/api/v1/namespaces/b/pods/y', user: 'bob', reason: 'second reason', ua: 'two' },
      ];
      for (const step of plan) {
        const id = await get(step.p, { 'x-user': step.user, 'x-reason': step.reason, 'user-agent': step.ua });
        const done = sink.take(id).find((e) => e.stage === 'ResponseComplete')!;
        assert.equal(done.requestURI, step.p);
        assert.equal(done.user.username, step.user);
        assert.equal(done.userAgent, step.ua);
        assert.equal(done.annotations?.['authorization.k8s.io/reason'], step.reason);
        assert.equal(done.objectRef?.namespace, step.p.split('/')[4]);
      }
    } finally { agent.destroy(); }
  });

  it('records RequestReceived and ResponseComplete with Kubernetes fields at Metadata', async () => {
    const { res, id, events } = await call('/apis/apps/v1/namespaces/ns1/deployments/d1?x=1', { headers: { 'user-agent': 'kubectl/v1.32', 'x-cluster': 'team-a' } });
    assert.equal(res.status, 200);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(events.map((e) => e.stage), ['RequestReceived', 'ResponseComplete']);
    const done = events[1];
    assert.equal(done.kind, 'Event');
    assert.equal(done.apiVersion, 'audit.k8s.io/v1');
    assert.equal(done.level, 'Metadata');
    assert.equal(done.verb, 'get');
    assert.equal(done.requestURI, '/apis/apps/v1/namespaces/ns1/deployments/d1?x=1');
    assert.deepEqual(done.user, { username: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'] });
    assert.deepEqual(done.objectRef, { resource: 'deployments', namespace: 'ns1', name: 'd1', apiGroup: 'apps', apiVersion: 'v1' });
    assert.deepEqual(done.responseStatus, { metadata: {}, code: 200 });
    assert.equal(done.userAgent, 'kubectl/v1.32');
    assert.ok(done.sourceIPs.includes('127.0.0.1'));
    assert.match(done.stageTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(done.requestReceivedTimestamp, events[0].requestReceivedTimestamp);
    assert.ok(done.stageTimestamp >= done.requestReceivedTimestamp);
    assert.equal(done.annotations?.[CLUSTER_ANNOTATION], 'team-a');
    assert.equal(done.annotations?.['authorization.k8s.io/reason'], 'test allowed it');
    assert.equal(events[0].annotations?.['authorization.k8s.io/reason'], undefined, 'authorization runs after RequestReceived');
    assert.equal(done.requestObject, undefined);
    assert.equal(done.responseObject, undefined);
  });

  it('keeps a sane client Audit-ID and reports failures with their Status', async () => {
    const { res, events } = await call('/api/v1/namespaces/ns1/pods/missing', { headers: { 'audit-id': 'client-chosen-1' } });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('audit-id'), 'client-chosen-1');
    const done = events.find((e) => e.stage === 'ResponseComplete')!;
    assert.deepEqual(done.responseStatus, { metadata: {}, code: 404, status: 'Failure', reason: 'NotFound', message: 'pods "missing" not found' });
  });

  it('records Panic (not ResponseComplete) for errors that are not StatusErrors', async () => {
    const { res, events } = await call('/boom');
    assert.equal(res.status, 500);
    assert.deepEqual(events.map((e) => e.stage), ['RequestReceived', 'Panic']);
    assert.equal(events[1].responseStatus?.code, 500);
    assert.match(events[1].responseStatus?.message ?? '', /panic'd: kaboom/);
    assert.equal(events[1].objectRef, undefined);
  });

  it('captures request and response objects at RequestResponse, redacted, without managedFields', async () => {
    const body = { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's1' }, data: { pw: 'UzNDUkVU' } };
    const { res, events } = await call('/api/v1/namespaces/ns1/secrets', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 201);
    const done = events.find((e) => e.stage === 'ResponseComplete')!;
    assert.equal(done.level, 'RequestResponse');
    assert.deepEqual(done.requestObject, { ...body, data: { pw: '<redacted>' } });
    assert.deepEqual(done.responseObject, { ...body, metadata: { name: 's1', uid: 'x' }, data: { pw: '<redacted>' } });
    assert.equal(done.objectRef?.name, 's1', 'name of a created object comes from the object');
    assert.ok(!sink.lines.join('\n').includes('UzNDUkVU'));
  });

  it('captures only the request object at Request level', async () => {
    const body = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c1' }, data: { k: 'v' } };
    const { events } = await call('/api/v1/namespaces/ns1/configmaps', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const done = events.find((e) => e.stage === 'ResponseComplete')!;
    assert.equal(done.level, 'Request');
    assert.deepEqual(done.requestObject, body);
    assert.equal(done.responseObject, undefined);
  });

  it('notes a response too large to capture instead of recording it', async () => {
    const big = await call('/api/v1/namespaces/ns1/secrets/big');
    const d2 = big.events.find((e) => e.stage === 'ResponseComplete')!;
    assert.equal(d2.responseObject, undefined);
    assert.equal(d2.annotations?.[TRUNCATED_ANNOTATION], 'responseObject');
  });

  it('records the impersonated user and the real one', async () => {
    const { events } = await call('/api/v1/namespaces/ns1/configmaps/c1', { headers: { 'impersonate-user': 'bob' } });
    const done = events.find((e) => e.stage === 'ResponseComplete')!;
    assert.equal(done.user.username, 'alice');
    assert.equal(done.impersonatedUser?.username, 'bob');
  });

  it('records ResponseStarted for watches and captures no watch body', async () => {
    const { events } = await call('/api/v1/namespaces/ns1/secrets?watch=true');
    assert.deepEqual(events.map((e) => e.stage), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
    assert.equal(events[1].responseStatus?.code, 200);
    assert.equal(events[2].responseObject, undefined);
    assert.ok(!sink.lines.join('\n').includes('V0FUQ0g='));
  });

  it('honours None, omitStages and per-cluster off', async () => {
    assert.deepEqual((await call('/quiet/x')).events, []);
    assert.equal((await call('/quiet/x')).id, '', 'no Audit-Id when nothing is recorded');
    assert.deepEqual((await call('/version', { headers: { 'x-user': 'terse' } })).events.map((e) => e.stage), ['ResponseComplete']);
    const before = sink.lines.length;
    await call('/api/v1/namespaces/ns1/configmaps/c1', { headers: { 'x-cluster': 'muted' } });
    assert.equal(sink.lines.length, before);
  });
});
