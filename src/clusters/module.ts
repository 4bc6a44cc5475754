// clustersModule(): fronts real Kubernetes clusters. Registers the ConnectedCluster kind, makes its names valid
// cluster paths, adds its management-access check (clusterAccess slot), the impersonating proxy (remote slot), the
// TokenReview/SubjectAccessReview webhooks, and the controller keeping status and the role mapping upstream.
import type { ServerModule } from '../apiserver/extension.ts';
import type { Admission } from '../apiserver/registry/store.ts';
import { StatusError } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { SelfAddress } from '../admission/index.ts';
import { GROUP as PLATFORM_GROUP, platformApi } from '../platform/index.ts';
import { ConnectedClusters } from './registry.ts';
import { ConnectedAccess } from './access.ts';
import { withConnectedClusterProxy } from './proxy.ts';
import { ConnectedClusterController } from './controller.ts';
import { webhookRoutes } from './webhooks.ts';
import { connectedGrantAdmission } from './grant-admission.ts';
import { connectedDirectoryGrantAdmission } from './directory-grant-admission.ts';
import { RESOURCE, connectedClusterType } from './types.ts';

export interface ClustersModuleOptions {
  /** How often each upstream is checked and its bindings reconciled (default 30 s). */
  checkIntervalMs?: number;
  /** How long a connection to an upstream may take before the request fails with 503 (default 10 s). */
  connectTimeoutMs?: number;
}

export function clustersModule(opts: ClustersModuleOptions = {}): ServerModule {
  return {
    name: 'clusters',
    setup(m) {
      m.catalog.add(connectedClusterType);
      let self: SelfAddress | undefined;
      const registry = new ConnectedClusters(() => self, opts.connectTimeoutMs ?? 10_000);
      registry.register(m.informer);
      const servedLocally = (name: string) => m.clusters.state(name) !== undefined;
      m.remoteClusters.push((name) => registry.has(name));

      const rbac = () => m.authorizers.rbac;
      const access = new ConnectedAccess(registry, () => platformApi(m.modules)?.directory,
        () => { const r = rbac(); return r ? async (a) => (await r.authorize(a)).decision === 'allow' : undefined; });
      const door = access.filter(servedLocally);
      const prev = m.filters.clusterAccess;
      m.filters.clusterAccess = prev ? (ctx, next) => prev(ctx, () => door(ctx, next)) : door;

      const controller = new ConnectedClusterController({ store: m.store, clusters: registry, access, log: m.logFor('connected-cluster-controller'), leadership: m.leadership });
      m.filters.remote = withConnectedClusterProxy({
        clusters: registry, servedLocally, upstreamUser: (u) => access.upstreamUser(u), unreachable: (name) => controller.enqueue(name),
      });
      m.routes.push(...webhookRoutes({
        clusters: registry, access, authenticate: (r) => m.runtime.authenticate(r), projectOf: (c) => registry.get(c)?.spec.project,
        authorize: async (a) => (await m.runtime.authorize(a)).decision === 'allow',
      }));
      m.admission.push(uniqueNames(registry, servedLocally), connectedGrantAdmission(access, (a) => m.runtime.authorize(a)),
        connectedDirectoryGrantAdmission(registry, access, () => platformApi(m.modules)?.directory,
          (a) => m.runtime.authorize(a)));

      registry.onChange((name) => controller.enqueue(name));
      // Role mapping follows the platform: users, teams, projects, and `use` grants in root.
      const all = () => { if (registry.records.size) controller.enqueueAll(); };
      for (const r of ['users', 'teams', 'projects']) m.informer.on(PLATFORM_GROUP, r, (ev) => { if (ev.cluster === ROOT_CLUSTER) all(); });
      for (const r of ['clusterrolebindings', 'clusterroles']) {
        m.informer.on('rbac.authorization.k8s.io', r, (ev) => { if (ev.cluster === ROOT_CLUSTER) all(); });
      }
      m.idlers.push(() => controller.idle());
      m.queues.register(controller.queue);
      let timer: NodeJS.Timeout | undefined;
      m.onStarted.push((baseUrl) => {
        const u = new URL(baseUrl);
        self = { ports: [Number(u.port || 443)], hosts: [u.hostname.replace(/^\[|\]$/g, '')] };
        controller.enqueueAll();
        timer = setInterval(() => controller.enqueueAll(), opts.checkIntervalMs ?? 30_000);
        timer.unref();
      });
      m.onClose.push(() => { if (timer) clearInterval(timer); controller.stop(); registry.close(); });
    },
  };
}

/** A connected cluster and a local logical cluster may not share a name (/clusters/<name> would be ambiguous). */
function uniqueNames(registry: ConnectedClusters, servedLocally: (name: string) => boolean): Admission {
  return {
    name: 'ConnectedClusterNames',
    phase: 'validating',
    admit(op, t, obj, _old, ctx) {
      if (op !== 'create' || ctx.cluster !== ROOT_CLUSTER || !obj?.metadata.name) return;
      const name = obj.metadata.name;
      if (t.group === connectedClusterType.group && t.resource === RESOURCE && servedLocally(name)) {
        throw new StatusError(409, 'AlreadyExists', `a logical cluster named "${name}" exists: a connected cluster needs a name of its own`,
          { name, group: t.group, kind: RESOURCE });
      }
      const local = (t.group === 'tenancy.portcullis.io' && t.resource === 'logicalclusters') || (t.group === PLATFORM_GROUP && t.resource === 'tenantclusters');
      if (local && registry.has(name)) {
        throw new StatusError(409, 'AlreadyExists', `a connected cluster named "${name}" exists: choose another name`, { name, group: t.group, kind: t.resource });
      }
    },
  };
}
