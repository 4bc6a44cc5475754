// The observability ServerModule: Prometheus metrics at GET /metrics (authorized like kube-apiserver's: the
// nonResourceURL get on /metrics, which the built-in system:monitoring role grants) and structured request logs,
// both as one filter in the observe slot. Metrics and logs carry bounded labels and never a credential.
import type { ModuleContext, ServerModule } from '../apiserver/extension.ts';
import type { AuditStats } from '../audit/index.ts';
import { writeRaw } from '../apiserver/handlers/respond.ts';
import { routeNotFound } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { HistogramCell } from './cells.ts';
import { createKindOf, createLabeler } from './labels.ts';
import { withMetrics } from './metrics-filter.ts';
import { requestLogger, withRequestLog } from './request-log.ts';
import { trackInventory } from './inventory.ts';
import { registerQueueMetrics } from './queue-metrics.ts';

export interface ObservabilityModule extends ServerModule { metrics?: Metrics }

export function observabilityModule(): ObservabilityModule {
  const mod: ObservabilityModule = {
    name: 'observability',
    setup(m: ModuleContext) {
      if (m.cfg.metrics === false) { m.filters.observe = withRequestLog(m.logger); return; }
      const perCluster = m.cfg.metricsPerCluster ?? false;
      const mx = createMetrics(perCluster);
      mod.metrics = mx;
      m.filters.observe = withMetrics(mx, createLabeler(m.catalog, perCluster), createKindOf(m.catalog, perCluster), requestLogger(m.logger));

      // Timing observers: a cell per (operation, result) and (authenticator, result), made on first use and then
      // found without building a key.
      const backend = m.instrument.storeBackend;
      const stores = new Map<string, { success?: HistogramCell; error?: HistogramCell }>();
      m.instrument.storage = (op, seconds, success) => {
        let s = stores.get(op);
        if (!s) { s = {}; stores.set(op, s); }
        const result = success ? 'success' : 'error';
        (s[result] ??= mx.storeDuration.labels(op, backend, result)).observe(seconds);
      };
      const timers = new Map<string, { success?: HistogramCell; none?: HistogramCell; error?: HistogramCell }>();
      m.instrument.authenticator = (name, seconds, result) => {
        let t = timers.get(name);
        if (!t) { t = {}; timers.set(name, t); }
        // name "": the whole union, whose result is success or failure (kube's authentication_duration_seconds).
        (t[result] ??= name === '' ? mx.authnDuration.labels(result === 'success' ? 'success' : 'failure')
          : mx.authenticatorDuration.labels(name, result)).observe(seconds);
      };

      registerQueueMetrics(mx.registry, m.queues);
      const inventory = trackInventory(m.informer, m.catalog, mx);
      const audit = m.modules.find((x) => x.name === 'audit') as { stats?: AuditStats } | undefined;
      let auditSeen = { events: 0, dropped: 0 };
      const refresh = () => {
        inventory.refresh();
        mx.leader.set(m.leadership.isLeader() ? 1 : 0);
        const total = m.clusters.names().length;
        const loaded = Math.min(total, m.residentClusters?.() ?? total);
        mx.logicalClusters.labels('loaded').set(loaded);
        mx.logicalClusters.labels('idle').set(total - loaded);
        const cold = Math.min(total, m.coldClusters());
        mx.watchCacheClusters.labels('cold').set(cold);
        mx.watchCacheClusters.labels('warm').set(total - cold);
        const s = audit?.stats;
        if (s) {
          if (s.events > auditSeen.events) mx.auditEvents.inc(s.events - auditSeen.events);
          if (s.dropped > auditSeen.dropped) mx.auditErrors.labels('log').inc(s.dropped - auditSeen.dropped);
          auditSeen = { events: s.events, dropped: s.dropped };
        }
      };
      // Authorized by the chain (nonResourceURL /metrics, verb get), as every other non-public route.
      m.routes.push({
        prefix: '/metrics',
        async handle(ctx) {
          // Server-wide numbers: only at the top level (root), never through a tenant cluster's own RBAC.
          if (ctx.path !== '/metrics' || ctx.cluster !== ROOT_CLUSTER) throw routeNotFound(ctx.path);
          refresh();
          const text = await mx.registry.metrics();
          return writeRaw(ctx, 200, text, mx.registry.contentType);
        },
      });
    },
  };
  return mod;
}
