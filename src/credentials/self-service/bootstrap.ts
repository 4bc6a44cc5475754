// Start-up and housekeeping: the self-service RBAC in root (every authenticated user may create access keys and call
// the /platform/v1 credential routes, which check ownership themselves) and the janitor for expired records.
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import { StatusError } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import type { RevocationList } from '../revocation/index.ts';
import { GROUP, issuedTokenType, revocationType, type IssuedTokenSpec } from '../resources/index.ts';

const RBAC = 'rbac.authorization.k8s.io';
export const SELF_SERVICE_ROLE = 'portcullis:credentials-self-service';

export async function bootstrapSelfServiceRbac(store: Store, catalog: Catalog): Promise<void> {
  const role = catalog.lookup(ROOT_CLUSTER, RBAC, 'v1', 'clusterroles');
  const binding = catalog.lookup(ROOT_CLUSTER, RBAC, 'v1', 'clusterrolebindings');
  if (!role || !binding) return;
  const create = async (t: typeof role, obj: Record<string, unknown>) => {
    try { await store.create({ cluster: ROOT_CLUSTER }, t, '', obj as never); } catch (e) {
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    }
  };
  const labels = { 'credentials.portcullis.io/bootstrap': 'true' };
  await create(role, {
    apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: SELF_SERVICE_ROLE, labels },
    rules: [
      { apiGroups: [GROUP], resources: ['accesskeys'], verbs: ['create'] },
      {
        nonResourceURLs: ['/platform/v1/whoami', '/platform/v1/logout', '/platform/v1/tokens', '/platform/v1/accesskeys', '/platform/v1/accesskeys/*', '/platform/v1/credentials', '/platform/v1/credentials/*',
          '/platform/v1/session', '/platform/v1/session/*'],
        verbs: ['get', 'post', 'delete'],
      },
    ],
  });
  await create(binding, {
    apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: SELF_SERVICE_ROLE, labels },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: SELF_SERVICE_ROLE },
    subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'system:authenticated' }],
  });
}

/** Every 10 minutes: forget token records and revocations of credentials that expired over an hour ago. */
export function startJanitor(store: Store, revocations: RevocationList, now: () => number, log: (m: string) => void, isLeader: () => boolean): () => void {
  const sweep = async () => {
    if (!isLeader()) return;
    const cutoff = now() - 3_600_000;
    for (const o of (await store.list(ROOT_CLUSTER, issuedTokenType, '')).items) {
      if (Date.parse((o.spec as unknown as IssuedTokenSpec).expiresAt) < cutoff) await store.delete({ cluster: ROOT_CLUSTER }, issuedTokenType, '', o.metadata.name!).catch(() => {});
    }
    for (const name of revocations.expired(now())) {
      await store.delete({ cluster: ROOT_CLUSTER }, revocationType, '', name.toLowerCase().replace(/[^a-z0-9-]/g, '-')).catch(() => {});
    }
  };
  const timer = setInterval(() => { sweep().catch((e: Error) => log(`credentials janitor: ${e.message}`)); }, 600_000);
  timer.unref();
  return () => clearInterval(timer);
}
