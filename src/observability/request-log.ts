// withRequestLog: one structured line per request at debug level; errors (5xx) at error, slow requests at warn.
// Fields: reqId (the Audit-Id), cluster, user, verb, path (never the query string: it may hold codes), code,
// latencyMs. No header, body or credential is ever logged.
import type { Filter, RequestContext } from '../apiserver/context.ts';
import type { StructuredLogger } from '../apiserver/extension.ts';

/** Requests slower than this are logged at warn (watches excepted). */
export const SLOW_REQUEST_MS = 1000;

export function withRequestLog(logger: StructuredLogger, slowMs = SLOW_REQUEST_MS): Filter {
  const logRequest = requestLogger(logger, slowMs);
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      logRequest(ctx);
    }
  };
}

/**
 * The line for one finished request, or nothing: a successful request that is not slow is logged at debug level only,
 * and when debug is off nothing is formatted for it. For filters that wrap the request already (withMetrics).
 */
export function requestLogger(logger: StructuredLogger, slowMs = SLOW_REQUEST_MS): (ctx: RequestContext) => void {
  return (ctx) => {
    const code = ctx.responseCode ?? ctx.res.statusCode;
    const latencyMs = Math.round((Date.now() - ctx.receivedAt) * 10) / 10;
    const level = code >= 500 ? 'error' : latencyMs >= slowMs && ctx.info?.verb !== 'watch' ? 'warn' : 'debug';
    if (level === 'debug' && !logger.isLevelEnabled('debug')) return;
    const id = ctx.res.getHeader('Audit-Id') ?? ctx.req.headers['audit-id'];
    const fields = {
      reqId: typeof id === 'string' ? id.slice(0, 128) : undefined, cluster: ctx.cluster, user: ctx.user?.username,
      verb: ctx.info?.verb ?? ctx.req.method, path: ctx.path.slice(0, 512), code, latencyMs,
    };
    const msg = level === 'error' ? 'request failed' : level === 'warn' ? 'slow request' : 'request';
    logger[level](fields, msg);
  };
}
