// The audit ServerModule: loads the policy (default: Metadata for every request), opens the sink
// (<dataDir>/audit.log unless auditLogPath says otherwise, "-" for stdout), tracks per-cluster on/off, fills the audit slot.
import path from 'node:path';
import type { ServerModule } from '../apiserver/extension.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { DEFAULT_POLICY, loadPolicy, PolicyEvaluator } from './policy.ts';
import { createSink, type AuditSink } from './sink.ts';
import { auditFailedAuthentication, withAudit } from './filter.ts';
import { auditQueryRoute, type AuditReadHook } from './query-route.ts';
import { writePlatformAuditEvent } from './platform-event.ts';

/** On a LogicalCluster (in root): "false" switches auditing off for that cluster. */
export const AUDIT_ENABLED_ANNOTATION = 'audit.portcullis.io/enabled';

export interface AuditModuleOptions {
  /** Replaces the configured sink (tests). */
  sink?: AuditSink;
  /** Who else may read a cluster's recent events through GET /platform/v1/audit (besides get on tenantclusters/audit in root). */
  mayRead?: AuditReadHook;
}

/** Counts for the metrics module (apiserver_audit_event_total, apiserver_audit_error_total). */
export interface AuditStats { events: number; dropped: number }
export interface AuditModule extends ServerModule { stats?: AuditStats }

export function auditModule(opts: AuditModuleOptions = {}): AuditModule {
  const mod: AuditModule = {
    name: 'audit',
    setup(m) {
      const cfg = m.cfg;
      const policy = cfg.auditPolicyFile ? loadPolicy(cfg.auditPolicyFile) : DEFAULT_POLICY;
      const logPath = cfg.auditLogPath ?? path.join(cfg.dataDir, 'audit.log');
      const base = opts.sink ?? createSink(logPath, {
        maxSizeBytes: Math.floor(cfg.auditLogMaxSizeMB * 1024 * 1024), maxBackups: cfg.auditLogMaxBackups, log: m.log,
      });
      let events = 0;
      const sink: AuditSink = {
        write: (line) => { events++; base.write(line); }, flush: () => base.flush(), close: () => base.close(),
        get dropped() { return base.dropped; },
      };
      mod.stats = { get events() { return events; }, get dropped() { return base.dropped; } };
      const disabled = new Set<string>();
      m.informer.on('tenancy.portcullis.io', 'logicalclusters', (ev) => {
        if (ev.cluster !== ROOT_CLUSTER) return;
        const off = ev.type !== 'DELETED' && ev.object.metadata.annotations?.[AUDIT_ENABLED_ANNOTATION] === 'false';
        if (off) disabled.add(ev.name);
        else disabled.delete(ev.name);
      });
      const deps = { policy: new PolicyEvaluator(policy), sink, enabled: (c: string) => !disabled.has(c) };
      m.filters.audit = withAudit(deps);
      m.filters.authenticationFailed = auditFailedAuthentication(deps);
      m.auditEvent = (e) => writePlatformAuditEvent(sink, e);
      m.onClose.push(() => sink.close());
      m.routes.push(auditQueryRoute({ cfg, logPath, sink, authorize: () => m.runtime.authorize, mayRead: opts.mayRead }));
      m.log(`portcullis: audit log: ${opts.sink ? '(custom sink)' : logPath} (policy: ${cfg.auditPolicyFile ?? 'default, Metadata for every request'})`);
    },
  };
  return mod;
}
