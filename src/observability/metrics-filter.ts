// withMetrics: counts every request (apiserver_request_total), times the short ones, tracks in-flight and
// long-running ones (watches), authentication attempts and authorization decisions. Outermost: sees final codes.
import type { Filter, RequestContext } from '../apiserver/context.ts';
import type { Metrics } from './metrics.ts';
import type { CounterCell, HistogramCell } from './cells.ts';
import { credentialKindOf, labelKey, presentedKindOf, type RequestLabels } from './labels.ts';

const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);
const MUTATING_VERBS = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE']);

/** The cells of one request label set: its duration histogram and a counter per response code. */
interface Series { duration: HistogramCell; byCode: Map<number, CounterCell>; values: string[] }

/** `after` runs once the request is recorded (the request log), so one filter, not two, wraps each request. */
export function withMetrics(mx: Metrics, labelsOf: (ctx: RequestContext) => RequestLabels, kindOf: (ctx: RequestContext) => string,
  after?: (ctx: RequestContext) => void): Filter {
  // Found by labelKey (one string per label set); bounded because label values are (labels.ts).
  const series = new Map<string, Series>();
  const readOnly = mx.inflight.labels('readOnly');
  const mutating = mx.inflight.labels('mutating');
  const seriesOf = (l: RequestLabels): Series => {
    const key = labelKey(l);
    let c = series.get(key);
    if (!c) {
      const values = [l.verb, l.dry_run, l.group, l.version, l.resource, l.subresource, l.scope, l.component];
      if (l.cluster !== undefined) values.push(l.cluster);
      c = { duration: mx.requestDuration.labels(...values), byCode: new Map(), values };
      series.set(key, c);
    }
    return c;
  };
  const count = (c: Series, code: number) => {
    let t = c.byCode.get(code);
    if (!t) { t = mx.requestTotal.labels(...c.values, String(code)); c.byCode.set(code, t); }
    t.inc();
  };
  const attempts = { success: mx.authnAttempts.labels('success'), error: mx.authnAttempts.labels('error') };
  const kinds = { success: new Map<string, CounterCell>(), failure: new Map<string, CounterCell>() };
  const byKind = (kind: string, result: 'success' | 'failure') => {
    let c = kinds[result].get(kind);
    if (!c) { c = mx.credentialAuthns.labels(kind, result); kinds[result].set(kind, c); }
    return c;
  };
  const decisions = { allowed: mx.authzDecisions.labels('RBAC', 'portcullis', 'allowed'), denied: mx.authzDecisions.labels('RBAC', 'portcullis', 'denied') };
  const authnAndAuthz = (ctx: RequestContext, code: number) => {
    if (ctx.user) {
      attempts.success.inc();
      byKind(credentialKindOf(ctx.annotations['authentication.portcullis.io/reason']), 'success').inc();
    } else if (code === 401) {
      attempts.error.inc();
      byKind(presentedKindOf(ctx), 'failure').inc();
    }
    const decision = ctx.annotations['authorization.k8s.io/decision'];
    if (decision) (decision === 'allow' ? decisions.allowed : decisions.denied).inc();
  };

  return async (ctx, next) => {
    const start = performance.now();
    const raw = ctx.req.url ?? '';
    // Watches are long-running: not in flight and not timed; counted once their response starts.
    const maybeWatch = raw.includes('watch');
    const inflight = maybeWatch ? undefined : READ_ONLY.has(ctx.req.method ?? '') ? readOnly : mutating;
    inflight?.inc();
    let longRunning: (() => void) | undefined;
    if (maybeWatch) {
      const res = ctx.res;
      const writeHead = res.writeHead;
      res.writeHead = function (this: typeof res, ...args: unknown[]) {
        if (!longRunning && ctx.info?.verb === 'watch') {
          const l = labelsOf(ctx);
          const lr = mx.longRunning.labels(l.verb, l.group, l.version, l.resource, l.subresource, l.scope, l.component);
          const w = mx.watchers.labels(l.group, l.version, kindOf(ctx));
          lr.inc(); w.inc();
          longRunning = () => { lr.dec(); w.dec(); };
        }
        return (writeHead as (...a: unknown[]) => typeof res).apply(this, args);
      } as typeof res.writeHead;
    }
    try {
      await next();
    } finally {
      inflight?.dec();
      longRunning?.();
      const code = ctx.responseCode ?? ctx.res.statusCode;
      const l = labelsOf(ctx);
      const c = seriesOf(l);
      count(c, code);
      if (ctx.info?.verb !== 'watch') c.duration.observe((performance.now() - start) / 1000);
      authnAndAuthz(ctx, code);
      if (ctx.annotations['authorization.k8s.io/decision'] === 'allow' && MUTATING_VERBS.has(l.verb) && code >= 400 && code < 500
        && code !== 404 && code !== 409) {
        mx.admissionRejections.labels(l.verb === 'POST' ? 'CREATE' : l.verb === 'DELETE' ? 'DELETE' : 'UPDATE').inc();
      }
      after?.(ctx);
    }
  };
}
