// withAudit: decides the audit level by policy, then records RequestReceived, ResponseStarted (watches),
// ResponseComplete or Panic as audit.k8s.io/v1 Events. Costs nothing beyond the event lines at Metadata.
import { connectionOf } from '../apiserver/context.ts';
import type { Filter, RequestContext } from '../apiserver/context.ts';
import { StatusError } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { UserInfo } from '../apiserver/auth/types.ts';
import { auditIdOf, auditUser, formatMicros, nowMicros, objectRefOf, sourceIPs, type ObjectReference, type ResponseStatus } from './event.ts';
import { levelAtLeast, type PolicyDecision, type PolicyEvaluator, type Stage } from './policy.ts';
import { captureRequest, captureResponse, decodeCaptured, type Capture } from './capture.ts';
import { redact } from './redact.ts';
import { annotationParts, memoFor, type FragmentMemo } from './fragment-memo.ts';
import type { AuditSink } from './sink.ts';

export const CLUSTER_ANNOTATION = 'portcullis.io/cluster';
export const TRUNCATED_ANNOTATION = 'audit.portcullis.io/truncated';

export interface AuditFilterDeps {
  policy: PolicyEvaluator;
  sink: AuditSink;
  /** False for logical clusters whose auditing is switched off. */
  enabled(cluster: string): boolean;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function withAudit(d: AuditFilterDeps): Filter {
  return async (ctx, next) => {
    const cluster = ctx.cluster ?? ROOT_CLUSTER;
    const user = ctx.user;
    if (!user || !d.enabled(cluster)) return next();
    const info = ctx.info;
    const decision = d.policy.evaluate({
      username: user.username, groups: user.groups, verb: info?.verb ?? ctx.req.method?.toLowerCase() ?? '', cluster,
      isResourceRequest: info?.isResourceRequest ?? false, path: info?.path ?? ctx.path, apiGroup: info?.apiGroup ?? '',
      resource: info?.resource ?? '', subresource: info?.subresource ?? '', namespace: info?.namespace ?? '', name: info?.name ?? '',
    });
    if (decision.level === 'None') return next();
    const rec = new Recorder(ctx, d.sink, decision, user, cluster);
    ctx.res.setHeader('Audit-Id', rec.auditID);
    rec.emit('RequestReceived');
    if (rec.longRunning) {
      const writeHead = ctx.res.writeHead;
      ctx.res.writeHead = function (this: typeof ctx.res, ...args: unknown[]) {
        const r = (writeHead as (...a: unknown[]) => typeof ctx.res).apply(this, args);
        rec.emit('ResponseStarted', { code: typeof args[0] === 'number' ? args[0] : this.statusCode });
        return r;
      } as typeof ctx.res.writeHead;
    }
    try {
      await next();
    } catch (e) {
      if (e instanceof StatusError) rec.emit('ResponseComplete', { error: e });
      else rec.emit('Panic', { panic: e });
      throw e;
    }
    rec.emit('ResponseComplete');
  };
}

/** Audits a request whose authentication failed (kube's WithFailedAuthenticationAudit): one ResponseComplete event. */
export function auditFailedAuthentication(d: AuditFilterDeps): (ctx: RequestContext, err: StatusError) => void {
  return (ctx, err) => {
    const cluster = ctx.cluster ?? ROOT_CLUSTER;
    if (!d.enabled(cluster)) return;
    const user: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
    const info = ctx.info;
    const decision = d.policy.evaluate({
      username: user.username, groups: user.groups, verb: info?.verb ?? ctx.req.method?.toLowerCase() ?? '', cluster,
      isResourceRequest: info?.isResourceRequest ?? false, path: info?.path ?? ctx.path, apiGroup: info?.apiGroup ?? '',
      resource: info?.resource ?? '', subresource: info?.subresource ?? '', namespace: info?.namespace ?? '', name: info?.name ?? '',
    });
    if (decision.level === 'None') return;
    const rec = new Recorder(ctx, d.sink, { ...decision, level: 'Metadata' }, user, cluster);
    ctx.res.setHeader('Audit-Id', rec.auditID);
    rec.emit('ResponseComplete', { error: err });
  };
}

interface StageDetails { code?: number; error?: StatusError; panic?: unknown }

/**
 * One request's audit state. Each stage's line is assembled from JSON fragments in Kubernetes' field order;
 * the parts every stage shares are serialised once per request (this is on the request path).
 */
class Recorder {
  readonly auditID: string;
  readonly longRunning: boolean;
  private readonly received: number;
  private readonly reqBody?: Capture;
  private readonly resBody?: Capture;
  private readonly memo: FragmentMemo;
  private shared?: { head: string; who: string; from: string; ref?: ObjectReference; refJson: string; received: string };

  constructor(private readonly ctx: RequestContext, private readonly sink: AuditSink, private readonly decision: PolicyDecision,
    private readonly user: UserInfo, private readonly cluster: string) {
    this.auditID = auditIdOf(ctx);
    this.memo = memoFor(connectionOf(ctx.req));
    this.received = ctx.receivedAt * 1000;
    this.longRunning = ctx.info?.verb === 'watch';
    if (levelAtLeast(decision.level, 'Request') && BODY_METHODS.has(ctx.req.method ?? '')) this.reqBody = captureRequest(ctx.req);
    if (decision.level === 'RequestResponse' && !this.longRunning) this.resBody = captureResponse(ctx.res);
  }

  emit(stage: Stage, s: StageDetails = {}): void {
    if (this.decision.omitStages.has(stage)) return;
    try {
      this.sink.write(this.line(stage, s));
    } catch (e) {
      // Auditing must never fail a request; an unserialisable event is reported in the log stream instead.
      this.sink.write(JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: this.auditID, stage, annotations: { 'audit.portcullis.io/error': (e as Error).message } }));
    }
  }

  private line(stage: Stage, s: StageDetails): string {
    const ctx = this.ctx;
    const sh = this.shared ??= this.sharedParts();
    let out = `${sh.head},"stage":"${stage}"${sh.who}`;
    if (ctx.impersonator && ctx.user && stage !== 'RequestReceived') out += `,"impersonatedUser":${JSON.stringify(auditUser(ctx.user))}`;
    out += sh.from;
    // The logical-cluster filter has put the cluster among the annotations already (copy only when it has not).
    let annotations: Record<string, string> = ctx.annotations;
    if (annotations[CLUSTER_ANNOTATION] !== this.cluster) annotations = { ...annotations, [CLUSTER_ANNOTATION]: this.cluster };
    let tail = '';
    if (stage !== 'RequestReceived') {
      tail += `,"responseStatus":${JSON.stringify(this.responseStatus(stage, s))}`;
      const truncated: string[] = [];
      let requestObject: unknown;
      let responseObject: unknown;
      if (this.reqBody && (stage === 'ResponseComplete' || stage === 'Panic')) {
        if (this.reqBody.truncated) truncated.push('requestObject');
        else if (!this.reqBody.empty) requestObject = this.body(this.reqBody.bytes(), String(ctx.req.headers['content-type'] ?? ''));
      }
      if (stage === 'ResponseComplete' && this.decision.level === 'RequestResponse' && !this.longRunning) {
        if (s.error) responseObject = this.clean(s.error.status);
        else if (this.resBody?.truncated) truncated.push('responseObject');
        else if (this.resBody && !this.resBody.empty) responseObject = this.body(this.resBody.bytes(), String(ctx.res.getHeader('content-type') ?? ''));
      }
      if (requestObject !== undefined) tail += `,"requestObject":${JSON.stringify(requestObject)}`;
      if (responseObject !== undefined) tail += `,"responseObject":${JSON.stringify(responseObject)}`;
      if (truncated.length > 0) annotations = { ...annotations, [TRUNCATED_ANNOTATION]: truncated.join(',') };
      // Like k8s, a create's name comes from the object; at Metadata level bodies are never read (hot path), so it stays empty.
      if (sh.ref && !sh.ref.name) {
        const name = nameOf(responseObject) ?? nameOf(requestObject);
        if (name) { sh.ref.name = name; sh.refJson = `,"objectRef":${JSON.stringify(sh.ref)}`; }
      }
    }
    const stageTime = formatMicros(Math.max(this.received, nowMicros()));
    const annJson = this.memo.get(stage === 'RequestReceived' ? 'annotations:received' : 'annotations', annotationParts(annotations), () => JSON.stringify(annotations));
    return `${out}${sh.refJson}${tail}${sh.received},"stageTimestamp":"${stageTime}","annotations":${annJson}}`;
  }

  private sharedParts(): NonNullable<Recorder['shared']> {
    const ctx = this.ctx;
    const verb = ctx.info?.verb ?? (ctx.req.method ?? '').toLowerCase();
    const h = ctx.req.headers;
    const ua = h['user-agent'];
    const uri = ctx.req.url ?? ctx.path;
    const ref = objectRefOf(ctx);
    const m = this.memo;
    return {
      head: `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"${this.decision.level}","auditID":${JSON.stringify(this.auditID)}`,
      who: m.get('who', [uri, verb, this.user], () => `,"requestURI":${JSON.stringify(uri)},"verb":${JSON.stringify(verb)},"user":${JSON.stringify(auditUser(this.user))}`),
      from: m.get('from', [ua, h['x-forwarded-for'], h['x-real-ip']], () => `,"sourceIPs":${JSON.stringify(sourceIPs(ctx))}${ua ? `,"userAgent":${JSON.stringify(ua)}` : ''}`),
      ref,
      refJson: ref ? m.get('ref', [uri, verb], () => `,"objectRef":${JSON.stringify(ref)}`) : '',
      received: `,"requestReceivedTimestamp":"${formatMicros(this.received)}"`,
    };
  }

  private responseStatus(stage: Stage, s: StageDetails): ResponseStatus {
    if (stage === 'Panic') {
      const msg = s.panic instanceof Error ? s.panic.message : String(s.panic);
      return { metadata: {}, code: 500, message: `APIServer panic'd: ${msg}` };
    }
    if (s.error) {
      const st = s.error.status;
      const out: ResponseStatus = { metadata: {}, code: st.code, status: st.status };
      if (st.reason) out.reason = st.reason;
      if (st.message) out.message = st.message;
      return out;
    }
    return { metadata: {}, code: s.code ?? this.ctx.responseCode ?? this.ctx.res.statusCode };
  }

  private body(buf: Buffer, contentType: string): unknown {
    const v = decodeCaptured(buf, contentType);
    return v === undefined ? undefined : this.clean(v);
  }

  private clean(v: unknown): unknown {
    return redact(v, { resource: this.ctx.info?.resource, omitManagedFields: this.decision.omitManagedFields });
  }
}

function nameOf(o: unknown): string | undefined {
  const m = (o as { kind?: unknown; metadata?: { name?: unknown } } | undefined);
  if (!m || m.kind === 'Status' || typeof m.metadata?.name !== 'string') return undefined;
  return m.metadata.name || undefined;
}
