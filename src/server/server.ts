// Assembles the API server: store, PKI, catalog, controllers, the request chain and the HTTPS listener.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from './config.ts';
import { parseListen } from './config.ts';
import { openStore } from './storage.ts';
import { preflight, sharedDirectoryWarnings } from './preflight.ts';
import { AdminCredential, ADMIN_CERT_DEFAULT_DAYS } from './admin-credential.ts';
import { tokenSubresource } from './service-account-token.ts';
import type { Pki } from '../pki/ca.ts';
import { openServerSecrets, startControllerLeadership } from './replication.ts';
import {
  createTokenSigner, createTokenVerifier, createServiceAccountTokenAuthenticator, createX509Authenticator,
} from '../auth/authn/index.ts';
import { createUnionAuthenticator, withAuthenticationChecks } from '../apiserver/auth/authenticator-union.ts';
import { CredentialChains } from '../apiserver/auth/credential-chain.ts';
import { createOrderedAuthorizer } from '../apiserver/auth/decision-order.ts';
import { Catalog } from '../apiserver/registry/catalog.ts';
import { builtinTypes } from '../apiserver/registry/builtins.ts';
import { Store, type Admission } from '../apiserver/registry/store.ts';
import { Informer } from '../apiserver/controllers/informer.ts';
import { ServiceAccountLinks } from './service-account-links.ts';
import { QueueRegistry } from '../apiserver/controllers/queue-stats.ts';
import { LogicalClusters, logicalClusterType } from '../apiserver/controllers/logical-clusters.ts';
import { NamespaceController, namespaceLifecycle } from '../apiserver/controllers/namespaces.ts';
import { CrdController, reservedGroupAdmission } from '../apiserver/controllers/crds.ts';
import { GarbageCollector } from '../apiserver/controllers/garbage-collector.ts';
import { buildChain, compose } from '../apiserver/chain.ts';
import { matchRoute } from '../apiserver/filters/public-routes.ts';
import { newContext, type RequestContext } from '../apiserver/context.ts';
import { handleResource } from '../apiserver/handlers/resource.ts';
import { handleNonResource } from '../apiserver/handlers/nonresource.ts';
import type { HandlerDeps } from '../apiserver/handlers/deps.ts';
import { recordManagedFields } from './managed-fields.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { isNotFound, StatusError } from '../apiserver/errors.ts';
import type { EscalationCheck, ModuleContext, ServerModule } from '../apiserver/extension.ts';
import type { ClusterSeeder } from '../apiserver/controllers/logical-clusters.ts';
import type { SharedSet } from '../apiserver/storage/shared-sets.ts';
import { defaultModules } from './modules.ts';
import { listenSecure } from './listener.ts';
import { setMaxListeners } from 'node:events';
import { createLogger, timeAuthenticator } from '../observability/index.ts';
import { SYSTEM_MASTERS, type Authenticator } from '../apiserver/auth/types.ts';

/** Without an RBAC module nothing can be checked: only system:masters may make grants through other objects. */
const noGrants: EscalationCheck = async ({ user, cluster }) => {
  if (user.groups.includes(SYSTEM_MASTERS)) return;
  throw new StatusError(403, 'Forbidden', `forbidden: no RBAC module checks grants in cluster "${cluster}"; only system:masters may grant`);
};

export interface RunningServer {
  url: string;
  port: number;
  pki: Pki;
  adminKubeconfigPath: string;
  store: Store;
  catalog: Catalog;
  clusters: LogicalClusters;
  /** What start-up took, phase by phase (ms), until startServer returned (/readyz may follow later). */
  startup: Array<{ phase: string; ms: number }>;
  /** Waits until controllers have nothing queued (tests). */
  settle(): Promise<void>;
  /** Ends every connection at once (open watches are cut), then stops modules and the store. */
  close(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): /readyz fails first; after shutdownDelaySeconds no new connections are accepted,
   * watches end with a clean close, in-flight requests finish (at most shutdownTimeoutSeconds); then audit and
   * last-used batches are flushed and the store closed.
   */
  shutdown(): Promise<void>;
}

export async function startServer(cfg: ServerConfig, logTo?: (m: string) => void, modules: ServerModule[] = defaultModules()): Promise<RunningServer> {
  // Structured logs: JSON lines on stderr (readable on a terminal), or handed to logTo (tests collect them).
  const logger = createLogger(logTo ? { level: cfg.logLevel, write: logTo } : { level: cfg.logLevel });
  const log = logTo ?? ((msg: string) => logger.info(msg));
  // Controllers' and background loops' messages: through a child logger naming the component.
  const logFor = (component: string) => {
    const child = logger.child({ component });
    return (msg: string) => child.info(msg);
  };
  const startup: RunningServer['startup'] = [];
  let lap = performance.now();
  const mark = (phase: string) => { const now = performance.now(); startup.push({ phase, ms: now - lap }); lap = now; };
  await preflight(cfg); // before anything is written: a start that cannot succeed leaves nothing behind
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  for (const w of sharedDirectoryWarnings(cfg)) log(w);
  const pkiDir = path.join(cfg.dataDir, 'pki');
  const { host, port } = parseListen(cfg.listen);
  const ips = cfg.hostnames.filter((h) => /^[\d.]+$|:/.test(h));
  const instrument: ModuleContext['instrument'] = { storeBackend: 'sqlite' };
  const { cache, describe, kind } = await openStore(cfg, () => instrument.storage);
  instrument.storeBackend = kind;
  mark('store open (watch cache loaded)');
  // SQLite: CA and signing keys in pkiDir. PostgreSQL: shared through the store, controllers leader-elected.
  const secrets = await openServerSecrets(cfg, cache, pkiDir, { hostnames: cfg.hostnames.filter((h) => !ips.includes(h)), ips }, log);
  const { pki, keys } = secrets;
  const election = startControllerLeadership(cfg, cache, logFor('leader-election'));
  const leadership = election.leadership;
  const issuer = cfg.externalUrl ?? 'https://portcullis.local';
  const signer = createTokenSigner(keys, { issuer });
  const verifier = createTokenVerifier(keys, { issuer });

  const catalog = new Catalog(builtinTypes());
  catalog.add(logicalClusterType);
  const saType = catalog.lookup(ROOT_CLUSTER, '', 'v1', 'serviceaccounts')!;
  const tokenListeners: ModuleContext['onServiceAccountToken'] = [];
  const credentialChains = new CredentialChains();
  if (process.env.PORTCULLIS_BENCH_NO_CHAIN_CHECK === '1') {
    credentialChains.enabled = false;
    log('portcullis: WARNING: the credential-chain check is OFF (PORTCULLIS_BENCH_NO_CHAIN_CHECK=1, for bench/apiserver only)');
  }
  saType.subresources.push(tokenSubresource(signer, [issuer], (info) => { for (const f of tokenListeners) f(info); }, credentialChains));

  const admission: Admission[] = [];
  const store = new Store(cache, admission, recordManagedFields);
  admission.push(namespaceLifecycle(store, catalog), reservedGroupAdmission());

  const informer = new Informer();
  const clusterSeeds: ClusterSeeder[] = [];
  const sharedSets: SharedSet[] = [];
  const clusters = new LogicalClusters(store, cache, catalog, logFor('logical-cluster-controller'), leadership, clusterSeeds, sharedSets);
  const namespaces = new NamespaceController(store, catalog, logFor('namespace-controller'), leadership);
  const crds = new CrdController(catalog, cache, logFor('crd-controller'), store);
  new ServiceAccountLinks(credentialChains).register(informer);
  clusters.register(informer);
  namespaces.register(informer);
  crds.register(informer);
  const gc = new GarbageCollector(store, catalog, logFor('garbage-collector'), leadership);
  gc.register(informer);
  const queues = new QueueRegistry();
  queues.register(clusters.queue, namespaces.queue, gc.queue);

  const m: ModuleContext = {
    cfg, log, logFor, logger, instrument, pki, issuer, storage: cache, store, catalog, informer, clusters, remoteClusters: [], admission,
    clusterSeeds, sharedSets, authenticators: [], authenticationChecks: [credentialChains.check], credentialChains,
    auditEvent: () => undefined, modules, gates: {}, authorizers: {}, filters: {}, routes: [], onStarted: [], onClose: [],
    idlers: [() => informer.idle(), () => clusters.idle(), () => namespaces.idle(), () => gc.idle()],
    queues,
    coldClusters: () => cache.coldClusters(),
    secrets: secrets.shared,
    revocation: { isSerialRevoked: () => false, isJtiRevoked: () => false },
    escalation: noGrants,
    onServiceAccountToken: tokenListeners,
    runtime: {
      authorize: () => Promise.reject(new Error('authorizer used before the server was assembled')),
      authenticate: () => Promise.reject(new Error('authenticator used before the server was assembled')),
    },
    leadership,
  };
  mark('core assembly');
  for (const mod of modules) { await mod.setup(m); mark(`module setup: ${mod.name}`); }
  for (const set of sharedSets) cache.share(set);

  const informerLog = logFor('informer');
  // Root before serving; the other clusters replay in the background (each at once on its first request).
  await informer.start(cache, (e) => informerLog(`watch failed: ${e.message}`), () => clusters.names());
  mark('informer sync (root listed and dispatched)');
  await clusters.ensureRoot();
  // As kube-apiserver at start: defaults deleted in a cluster come back, edited ones gain what they lack (autoupdate).
  if (leadership.isLeader()) await clusters.reconcileShared((set) => cache.sharedOwnRows(set));
  mark('root and shared defaults reconciled');

  const adminKubeconfigPath = path.join(cfg.dataDir, 'admin.kubeconfig');
  const admin = new AdminCredential({
    pki, path: adminKubeconfigPath, validityDays: ADMIN_CERT_DEFAULT_DAYS, log,
    isRevoked: (serial) => m.revocation.isSerialRevoked(serial), revoke: m.revocation.revokeSerial,
  });
  await admin.load();
  mark('admin credential');
  m.routes.unshift(admin.route()); // before the platform's catch-all /platform/v1 route

  const timed = (a: Authenticator) => timeAuthenticator(a, a.name, () => instrument.authenticator);
  const authn = withAuthenticationChecks(timeAuthenticator(createUnionAuthenticator([
    createX509Authenticator({ isRevoked: (serial) => m.revocation.isSerialRevoked(serial) }),
    createServiceAccountTokenAuthenticator({
      verifier,
      isRevoked: (jti) => m.revocation.isJtiRevoked(jti),
      audiences: () => [issuer],
      getServiceAccount: async (cluster, ns, name) => {
        try { const sa = await store.get(cluster, saType, ns, name); return { uid: sa.metadata.uid! }; } catch (e) {
          if (isNotFound(e)) return undefined;
          throw e;
        }
      },
    }),
    ...m.authenticators,
  ].map(timed)), '', () => instrument.authenticator), m.authenticationChecks);
  const authz = createOrderedAuthorizer(m.authorizers);
  m.runtime.authorize = async (a) => authz.authorize(a);
  m.runtime.authenticate = async (r) => authn.authenticate(r);
  const stopping = new AbortController();
  setMaxListeners(0, stopping.signal); // one listener per open watch
  const deps: HandlerDeps = { store, storage: cache, catalog, bookmarkIntervalMs: cfg.bookmarkIntervalSeconds * 1000, shutdown: stopping.signal };
  let draining = false;
  let kubeconfigWritten = false; // ready only once the admin kubeconfig is in place
  const readiness = () => (draining ? 'shutdown' : !informer.hasSynced ? 'informer-sync'
    : kubeconfigWritten ? undefined : 'admin-kubeconfig');
  // Health probes answer without credentials (load balancers), as kube-apiserver's public-info paths do.
  for (const probe of ['/healthz', '/livez', '/readyz']) {
    m.routes.push({ prefix: probe, public: true, handle: (ctx) => handleNonResource(ctx, deps, readiness) });
  }
  // Local logical clusters first; a name no local cluster has may be served by a module (connected clusters).
  const directory = {
    state: (name: string) => clusters.state(name) ?? (m.remoteClusters.some((f) => f(name)) ? 'active' as const : undefined),
    replaying: (name: string) => informer.replayCluster(name),
  };
  const chain = buildChain({
    log, clusters: directory, authn, authz, slots: m.filters, gates: m.gates, publicRoutes: m.routes.filter((r) => r.public),
  });
  const privateRoutes = m.routes.filter((r) => !r.public);
  const handle = compose(chain, async (ctx: RequestContext) => {
    if (ctx.info?.isResourceRequest) return handleResource(ctx, deps);
    const route = matchRoute(privateRoutes, ctx.path);
    if (route) return route.handle(ctx);
    return handleNonResource(ctx, deps, readiness);
  });

  const server = listenSecure({ key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem }, handle, log);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  mark('chain and listener');
  const actualPort = (server.address() as AddressInfo).port;
  const connectHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const baseUrl = cfg.externalUrl ?? `https://${connectHost}:${actualPort}`;

  clusters.onChange((count, names) => admin.clustersChanged(count, names));
  await admin.writeAtStart(baseUrl, clusters.names());
  kubeconfigWritten = true;
  mark('admin kubeconfig written');
  for (const f of m.onStarted) await f(baseUrl);
  mark('modules started');
  log(`portcullis: serving on ${baseUrl} (store: ${describe})`);
  log(`portcullis: admin kubeconfig: ${adminKubeconfigPath}`);

  const stopAll = async (connections: () => Promise<void>) => {
    // Connections first, so open watches end (and are audited) before modules shut down.
    await connections();
    informer.stop(); clusters.stop(); namespaces.stop(); gc.stop();
    admin.flush();
    for (const f of m.onClose) await f(); // flushes audit and last-used batches
    secrets.stop();
    await election.stop(); // releases the controllers' lease so another replica takes over at once
    await cache.close(); // also closes the backend
  };
  return {
    url: baseUrl, port: actualPort, pki, adminKubeconfigPath, store, catalog, clusters, startup,
    async settle() {
      // Controllers feed each other; settle until a full pass finds nothing to do.
      for (let i = 0; i < 3; i++) for (const idle of m.idlers) await idle();
    },
    close: () => stopAll(() => server.closeAll()),
    async shutdown() {
      draining = true;
      log(`portcullis: shutting down: /readyz fails now; serving for ${cfg.shutdownDelaySeconds}s more, then draining`);
      if (cfg.shutdownDelaySeconds > 0) await new Promise((r) => setTimeout(r, cfg.shutdownDelaySeconds * 1000));
      await stopAll(async () => {
        const drained = server.drain(cfg.shutdownTimeoutSeconds * 1000);
        stopping.abort(); // open watches end cleanly
        const { unfinished } = await drained;
        log(unfinished ? `portcullis: ${unfinished} request(s) cut after ${cfg.shutdownTimeoutSeconds}s` : 'portcullis: all requests finished');
      });
      log('portcullis: stopped');
    },
  };
}
