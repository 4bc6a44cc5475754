// Wires explain into the server: the /platform/v1/explain route over the platform state, the access index,
// delegation and the server's decision steps (read at call time).
import type { ModuleContext } from '../../apiserver/extension.ts';
import { MANAGED_LABEL, type PlatformState } from '../resources/index.ts';
import type { AccessIndex } from '../access/index.ts';
import type { DelegationAuthorizer } from '../delegation/index.ts';
import { explainRoute } from './explain-route.ts';

const RBAC = 'rbac.authorization.k8s.io';

export function setupExplain(m: ModuleContext, state: PlatformState, index: AccessIndex, delegation: DelegationAuthorizer): void {
  m.routes.push(explainRoute({
    state, index, delegation, catalog: m.catalog, gates: () => m.gates, authorizers: () => m.authorizers,
    clusterState: (n) => m.clusters.state(n),
    authorize: () => m.runtime.authorize,
    clusterRoleExists: async (cluster, name) => {
      const t = m.catalog.lookup(cluster, RBAC, 'v1', 'clusterroles');
      return t ? m.store.get(cluster, t, '', name).then(() => true, () => false) : false;
    },
    managedBindingsOf: async (cluster, user) => {
      const t = m.catalog.lookup(cluster, RBAC, 'v1', 'clusterrolebindings');
      const out = new Map<string, string>();
      if (!t) return out;
      const list = await m.store.list(cluster, t, '', { labels: (l) => l[MANAGED_LABEL] === 'true' });
      for (const b of list.items) {
        const subjects = (b.subjects ?? []) as Array<{ kind?: string; name?: string }>;
        if (subjects.some((s) => s.kind === 'User' && s.name === user)) out.set(b.metadata.name!, (b.roleRef as { name: string }).name);
      }
      return out;
    },
  }));
}
