// withMetrics: counts every request (apiserver_request_total), times the short ones, tracks in-flight and
// long-running ones (watches), authentication attempts and authorization decisions. Outermost: sees final codes.
import type { Filter, RequestContext } from '../apiserver/context.ts';
import type { Metrics } from './metrics.ts';
import { credentialKindOf, labelKey, presentedKindOf, type RequestLabels } from './labels.ts';

const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);
const MUTATING_VERBS = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE']);

interface Children { total: Map<number, { inc(): void }>; duration: { observe(v: number): void } }

export function withMetrics(mx: Metrics, labelsOf: (ctx: RequestContext) => RequestLabels, kindOf: (ctx: RequestContext) => string): Filter {
  const children = new Map<string, Children>();
  const readOnly = mx.inflight.labels('readOnly');
  const mutating = mx.inflight.labels('mutating');
  const childrenOf = (l: RequestLabels): Children => {
    const key = labelKey(l);
    let c = children.get(key);
    if (!c) {
      const { cluster, ...rest } = l;
      const base: Record<string, string> = cluster === undefined ? { ...rest } : { ...rest, cluster };
      c = { total: new Map(), duration: mx.requestDuration.labels(base) };
      children.set(key, c);
    }
    return c;
  };
  const count = (c: Children, l: RequestLabels, code: number) => {
    let t = c.total.get(code);
    if (!t) {
      const { cluster, ...rest } = l;
      t = mx.requestTotal.labels({ ...rest, ...(cluster === undefined ? {} : { cluster }), code: String(code) });
      c.total.set(code, t);
    }
    t.inc();
  };
  // Labelled children are made once per label set: prom-client's labels() parses its arguments on every call.
  const memo = <T>(make: (...l: string[]) => T) => {
    const seen = new Map<string, T>();
    return (...l: string[]): T => {
      const k = l.join('\u0000');
      let c = seen.get(k);
      if (!c) { c = make(...l); seen.set(k, c); }
      return c;
    };
  };
  const attempts = memo((r) => mx.authnAttempts.labels(r));
  const byKind = memo((kind, r) => mx.credentialAuthns.labels(kind, r));
  const decisions = memo((d) => mx.authzDecisions.labels('RBAC', 'portcullis', d));
  const authnAndAuthz = (ctx: RequestContext, code: number) => {
    if (ctx.user) {
      attempts('success').inc();
      byKind(credentialKindOf(ctx.annotations['authentication.portcullis.io/reason']), 'success').inc();
    } else if (code === 401) {
      attempts('error').inc();
      byKind(presentedKindOf(ctx), 'failure').inc();
    }
    const decision = ctx.annotations['authorization.k8s.io/decision'];
    if (decision) decisions(decision === 'allow' ? 'allowed' : 'denied').inc();
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
      const c = childrenOf(l);
      count(c, l, code);
      if (ctx.info?.verb !== 'watch') c.duration.observe((performance.now() - start) / 1000);
      authnAndAuthz(ctx, code);
      if (ctx.annotations['authorization.k8s.io/decision'] === 'allow' && MUTATING_VERBS.has(l.verb) && code >= 400 && code < 500
        && code !== 404 && code !== 409) {
        mx.admissionRejections.labels(l.verb === 'POST' ? 'CREATE' : l.verb === 'DELETE' ? 'DELETE' : 'UPDATE').inc();
      }
    }
  };
}
