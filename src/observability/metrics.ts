// The metric set: kube-apiserver's names, labels and buckets where the meaning is the same, plus portcullis_ ones.
// One Registry per server (several servers may share a process in tests); label values are bounded by labels.ts.
// Families updated on the request path are cells (cells.ts: plain numbers, exported at scrape time); those set only
// at scrape time (inventory, audit, leader) are prom-client's own metrics.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CounterFamily, GaugeFamily, HistogramFamily } from './cells.ts';

/** apiserver_request_duration_seconds buckets, as kube-apiserver 1.32. */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30,
  45, 60];
/** authentication_duration_seconds / store latency buckets (exponential from 1 ms, as kube's authenticator metrics). */
export const SHORT_BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192];

const REQUEST_LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;

export function createMetrics(perCluster: boolean) {
  const registry = new Registry();
  const registers = [registry];
  const requestLabels = perCluster ? [...REQUEST_LABELS, 'cluster'] : [...REQUEST_LABELS];
  return {
    registry,
    requestTotal: new CounterFamily({
      name: 'apiserver_request_total', registers, labelNames: [...requestLabels, 'code'],
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    }),
    requestDuration: new HistogramFamily({
      name: 'apiserver_request_duration_seconds', registers, labelNames: requestLabels, buckets: REQUEST_DURATION_BUCKETS,
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    }),
    inflight: new GaugeFamily({
      name: 'apiserver_current_inflight_requests', registers, labelNames: ['request_kind'],
      help: 'Number of requests currently being served (long-running requests excluded), by kind (readOnly, mutating).',
    }),
    longRunning: new GaugeFamily({
      name: 'apiserver_longrunning_requests', registers, labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
      help: 'Gauge of all active long-running apiserver requests (watches) broken out by verb, group, version, resource, scope and component.',
    }),
    watchers: new GaugeFamily({
      name: 'apiserver_registered_watchers', registers, labelNames: ['group', 'version', 'kind'],
      help: 'Number of currently registered watchers for a given resource.',
    }),
    storageObjects: new Gauge({
      name: 'apiserver_storage_objects', registers, labelNames: ['resource'],
      help: 'Number of stored objects at the time of last check split by kind (custom resources of tenant clusters as "custom").',
    }),
    auditEvents: new Counter({ name: 'apiserver_audit_event_total', registers, help: 'Counter of audit events generated and sent to the audit backend.' }),
    auditErrors: new Counter({
      name: 'apiserver_audit_error_total', registers, labelNames: ['plugin'],
      help: 'Counter of audit events that failed to be audited properly (dropped or not written).',
    }),
    authnAttempts: new CounterFamily({ name: 'authentication_attempts', registers, labelNames: ['result'], help: 'Counter of authenticated attempts.' }),
    authnDuration: new HistogramFamily({
      name: 'authentication_duration_seconds', registers, labelNames: ['result'], buckets: SHORT_BUCKETS,
      help: 'Authentication duration in seconds broken out by result.',
    }),
    authenticatorDuration: new HistogramFamily({
      name: 'portcullis_authenticator_duration_seconds', registers, labelNames: ['authenticator', 'result'], buckets: SHORT_BUCKETS,
      help: 'Latency of each authenticator of the union, by result (success, none: not its credential, error: refused).',
    }),
    authzDecisions: new CounterFamily({
      name: 'apiserver_authorization_decisions_total', registers, labelNames: ['type', 'name', 'decision'],
      help: 'Total number of terminal decisions made by an authorizer split by authorizer type, name, and decision.',
    }),
    admissionRejections: new CounterFamily({
      name: 'portcullis_admission_rejections_total', registers, labelNames: ['operation'],
      help: 'Writes refused after authorization (4xx other than 404/409: decoding, validation, policies, webhooks), by operation.',
    }),
    credentialAuthns: new CounterFamily({
      name: 'portcullis_credential_authentications_total', registers, labelNames: ['kind', 'result'],
      help: 'Authentications by credential kind (access-key, token, certificate, serviceaccount-token, id-token, session) and result.',
    }),
    revocations: new Gauge({
      name: 'portcullis_revocations', registers, labelNames: ['type'],
      help: 'Revocation entries in force (certificate serials, token ids).',
    }),
    credentials: new Gauge({ name: 'portcullis_credentials', registers, labelNames: ['kind'], help: 'Credentials held in the store, by kind.' }),
    credentialExpiry: new Histogram({
      name: 'portcullis_credential_expiry_seconds', registers, labelNames: ['kind'],
      buckets: [3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 90 * 86400, 365 * 86400],
      help: 'Time to expiry of credentials with an expiry, by kind, at the last scrape.',
    }),
    logicalClusters: new Gauge({
      name: 'portcullis_logical_clusters', registers, labelNames: ['state'],
      help: 'Logical clusters (root included) by memory state: loaded (their RBAC index held) or idle (loaded on first use).',
    }),
    watchCacheClusters: new Gauge({
      name: 'portcullis_watch_cache_clusters', registers, labelNames: ['state'],
      help: 'Logical clusters in the watch cache by state: warm (objects held as such) or cold (one compressed record, restored on next use).',
    }),
    tenantClusters: new Gauge({ name: 'portcullis_tenant_clusters', registers, labelNames: ['phase'], help: 'Tenant clusters by status phase.' }),
    storeDuration: new HistogramFamily({
      name: 'portcullis_store_operation_duration_seconds', registers, labelNames: ['operation', 'backend', 'result'], buckets: SHORT_BUCKETS,
      help: 'Latency of store operations below the watch cache, by operation (get, list, create, update, delete, batch) and backend.',
    }),
    leader: new Gauge({ name: 'portcullis_controller_leader', registers, help: '1 while this replica runs the controllers (leader), else 0.' }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
