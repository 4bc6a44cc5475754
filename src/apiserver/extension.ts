// The extension contract: a ServerModule plugs a capability (RBAC, audit, platform, credentials, ...) into
// the server through named slots; the order of filters and authorizers stays in chain.ts / server.ts.
// The core owns this contract: modules import it, the server (src/server) implements it.
import type { Pki } from '../pki/ca.ts';
import type { PkiMaterialSource } from '../pki/material-source.ts';
import type { SigningKeys } from '../pki/signing-keys.ts';
import type { Storage } from './storage/interface.ts';
import type { SharedSet } from './storage/shared-sets.ts';
import type { Store, Admission } from './registry/store.ts';
import type { Catalog } from './registry/catalog.ts';
import type { Informer } from './controllers/informer.ts';
import type { ClusterSeeder, LogicalClusters } from './controllers/logical-clusters.ts';
import type { Leadership } from './controllers/leadership.ts';
import type { Attributes, Authenticator, AuthorizerResult, AuthnRequest, AuthnResult, UserInfo } from './auth/types.ts';
import type { KObject } from './storage/interface.ts';
import type { Filter, RequestContext } from './context.ts';
import type { CredentialChains } from './auth/credential-chain.ts';
import type { StatusError } from './errors.ts';
import type { QueueRegistry } from './controllers/queue-stats.ts';
import type { AuthorizerSlots, GateSlots } from './auth/decision-order.ts';

export type { AuthorizerSlots, GateSlots };

/**
 * Filters modules may provide; chain.ts decides where each runs. Decisions are not filters: they are gates and
 * authorizers (auth/decision-order.ts), so that explain walks the same steps.
 */
export interface FilterSlots {
  /** Observability (metrics, request logs): wraps the whole chain, recovery included, so it sees every final code. */
  observe?: Filter;
  /** Audit: wraps everything after authentication (sees the final response code). */
  audit?: Filter;
  /** Called when authentication rejects a request (401), before the error is written (audit). */
  authenticationFailed?: (ctx: RequestContext, err: StatusError) => void;
  /** Runs after authorization, just before the handler (credentials: the one-time reveal of a new key's secret). */
  beforeHandler?: Filter;
  /**
   * The door of clusters served elsewhere (connected clusters): runs after the gates. (Not a gate yet: explain,
   * which covers local clusters, does not show it.)
   */
  clusterAccess?: Filter;
  /**
   * Hands a request for a cluster served elsewhere (a connected Kubernetes cluster, see `remoteClusters`) to its
   * remote, which then authorizes it; runs after the gates and calls next() for clusters served locally.
   */
  remote?: Filter;
}

/** A non-resource route (e.g. /platform/login), matched by path prefix after authentication. */
export interface Route {
  prefix: string;
  /** Routes marked public run before authentication (login endpoints, JWKS). */
  public?: boolean;
  handle(ctx: RequestContext): Promise<void>;
}

/** The server's assembled authenticator and authorizer, usable once setup is done (review APIs, access checks). */
export interface Runtime {
  /** The full authorizer union (system:masters, delegation, RBAC). */
  authorize(a: Attributes): Promise<AuthorizerResult>;
  /** The full authenticator union (throws a 401 StatusError when nothing authenticates). */
  authenticate(r: AuthnRequest): Promise<AuthnResult>;
}

/**
 * A check on every successful authentication, whatever the credential (certificate, token, key, ID token): throws a
 * 401/403 StatusError to refuse it. Synchronous and O(1): it runs on every request.
 */
export type AuthenticationCheck = (result: AuthnResult, request: AuthnRequest) => void;

/**
 * RBAC escalation prevention for an RBAC object (Role, ClusterRole, RoleBinding, ClusterRoleBinding) that another
 * object makes on its writer's behalf (a Kubeconfig's bindings, a tenant's role mapping): resolves when `user` could
 * create `object` in `cluster` as far as escalation is concerned (holds its permissions there, or escalate / bind);
 * otherwise throws a 403 (or 404 for a missing role) StatusError naming what is missing. The RBAC module fills it.
 */
export type EscalationCheck = (r: { user: UserInfo; cluster: string; object: KObject }) => Promise<void>;

/** An audit event that no request filter records (logins on public routes, background IdP refreshes). */
export interface PlatformAuditEvent {
  /** Verb shown in the event, e.g. "login", "login-failed", "idp-refresh", "revoke". */
  verb: string;
  /** Path (never with a query string: it may hold codes). */
  requestURI: string;
  user: { username: string; groups?: string[] };
  code: number;
  message?: string;
  sourceIPs?: string[];
  userAgent?: string;
  annotations?: Record<string, string>;
}

/** The server settings modules read (src/server/config.ts's ServerConfig provides them). */
export interface ModuleConfig {
  readonly dataDir: string;
  /** The listen address (`host:port`); admission keeps webhooks from calling it. */
  readonly listen?: string;
  /** URL written into kubeconfigs; unset: the address the server listens on. */
  readonly externalUrl?: string;
  readonly auditPolicyFile?: string;
  readonly auditLogPath?: string;
  readonly auditLogMaxSizeMB: number;
  readonly auditLogMaxBackups: number;
  /** False: no /metrics and no request metrics (request logs stay). */
  readonly metrics?: boolean;
  /** Adds a `cluster` label (and custom resources' names) to request metrics: unbounded with many clusters. */
  readonly metricsPerCluster?: boolean;
}

/** A structured logger (pino's shape): JSON lines with fields, or human-readable on a terminal. */
export interface StructuredLogger {
  isLevelEnabled(level: string): boolean;
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/** Secret material modules need, shared by every replica on PostgreSQL and kept in files on SQLite. */
export interface SharedSecrets {
  /** The PKI material in use (the CA signs CRLs with it). */
  pkiMaterial: PkiMaterialSource;
  /** A rotatable signing-key set named `name` (e.g. "platform-tokens"). */
  signingKeys(name: string): Promise<SigningKeys>;
  /** `bytes` random bytes named `name`, created once (e.g. a hashing pepper). */
  randomValue(name: string, bytes: number): Promise<Buffer>;
}

export interface IssuedTokenInfo {
  cluster: string; namespace: string; name: string; jti: string; expires: Date; requestedBy?: string;
  /** The lineage it was minted from (credential-chain.ts). */
  chain?: string[];
}

export interface ModuleContext {
  cfg: ModuleConfig;
  log: (m: string) => void;
  /**
   * Plain messages of one named component (a controller, a background loop): structured lines that carry
   * `component: name`, so an operator can tell which controller wrote them and filter on it.
   */
  logFor: (component: string) => (m: string) => void;
  /** Structured logs (request logs); `log` is for plain messages. */
  logger: StructuredLogger;
  /** Instrumentation points a metrics module may fill: the store backend's operations (kind: sqlite, postgres). */
  instrument: {
    storeBackend: string;
    storage?: (operation: string, seconds: number, ok: boolean) => void;
    /** Each authenticator's latency (name) and the whole union's (name ""). */
    authenticator?: (name: string, seconds: number, result: 'success' | 'none' | 'error') => void;
  };
  pki: Pki;
  /** Issuer of ServiceAccount tokens (the external URL); modules derive their own issuers from it. */
  issuer: string;
  storage: Storage;
  /**
   * Logical clusters whose per-cluster memory (the RBAC index) is held now; the others are idle and loaded on
   * first use. Filled by the module that holds them; read at scrape time by metrics.
   */
  residentClusters?: () => number;
  /** Logical clusters the watch cache holds compressed (unused for a sweep period); read at scrape time. */
  coldClusters: () => number;
  store: Store;
  catalog: Catalog;
  informer: Informer;
  clusters: LogicalClusters;
  /**
   * Names of clusters a module serves from elsewhere (connected clusters): valid in /clusters/<name> paths when no
   * local logical cluster has the name; the module's `remote` filter answers their requests.
   */
  remoteClusters: Array<(name: string) => boolean>;
  admission: Admission[];
  /**
   * Objects every new logical cluster (and root) starts with, after its system namespaces: each seeder creates
   * its objects through `create`, which leaves existing ones alone. RBAC contributes Kubernetes' bootstrap policy.
   */
  clusterSeeds: ClusterSeeder[];
  /**
   * Objects every logical cluster (and root) holds without a copy of its own (storage/shared-sets.ts): each cluster
   * sees, lists, watches, edits and deletes them as its own; a write is copy-on-write for that cluster only.
   */
  sharedSets: SharedSet[];
  /** Bearer/cert authenticators tried after x509 and ServiceAccount tokens. */
  authenticators: Authenticator[];
  /** Run after whichever authenticator succeeded (e.g. identity-provider freshness, disabled users). */
  authenticationChecks: AuthenticationCheck[];
  /** Writes an audit event outside the request chain (no-op until an audit module fills it). */
  auditEvent: (e: PlatformAuditEvent) => void;
  /** Every module of this server, in setup order (to reach another module's API once set up). */
  modules: readonly ServerModule[];
  /** The decision steps modules provide, run in auth/decision-order.ts's order: gates, then authorizers. */
  gates: GateSlots;
  authorizers: AuthorizerSlots;
  filters: FilterSlots;
  routes: Route[];
  /** Called after the listener is up, with the base URL. */
  onStarted: Array<(baseUrl: string) => void | Promise<void>>;
  /** Waited on by settle() in tests: controllers report when they are idle. */
  idlers: Array<() => Promise<void>>;
  /** The server's named work queues: register each controller's queue (its depth and latencies are exported). */
  queues: QueueRegistry;
  onClose: Array<() => void | Promise<void>>;
  /** Secret material shared by every replica (files on SQLite, the store on PostgreSQL). */
  secrets: SharedSecrets;
  /** Filled in by the server after all modules are set up; call it only while serving. */
  runtime: Runtime;
  /** Revocation checks consulted by the x509 and ServiceAccount-token authenticators (a credentials module fills them). */
  revocation: {
    isSerialRevoked(serialHex: string): boolean;
    isJtiRevoked(jti: string): boolean;
    /** Revokes a certificate serial everywhere (the admin certificate's rotation); undefined without a credentials module. */
    revokeSerial?: (serialHex: string, notAfter: Date, reason: string) => Promise<void>;
  };
  /**
   * Derived credentials die with their source: modules register a resolver per credential link kind; the check runs
   * on every authentication, and whatever mints a credential records `credentialChains.lineage(ctx)` in it.
   */
  credentialChains: CredentialChains;
  /** Escalation prevention for RBAC objects made on a requester's behalf; without an RBAC module, nobody may grant. */
  escalation: EscalationCheck;
  /** Called for every ServiceAccount token issued through TokenRequest (credential inventory). */
  onServiceAccountToken: Array<(info: IssuedTokenInfo) => void>;
  /**
   * Whether this replica runs controllers now (always true on SQLite; the elected replica on PostgreSQL).
   * Pass it to every WorkQueue that writes (new WorkQueue(fn, { leadership })); informer-fed in-memory
   * state (indexes, caches) must keep running on every replica.
   */
  leadership: Leadership;
}

export interface ServerModule {
  readonly name: string;
  setup(m: ModuleContext): void | Promise<void>;
}
