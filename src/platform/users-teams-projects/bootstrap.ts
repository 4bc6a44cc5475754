// First-start bootstrap of the platform in root: the `admin` User (global admin) with a random password
// shown once and written to <dataDir>/admin.password (0600), and the RBAC that lets every authenticated
// user call the /platform/v1 routes (the routes then decide per user).
import path from 'node:path';
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import { StatusError, isNotFound } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { writePrivateFile } from '../../pki/kubeconfig.ts';
import { generatePassword, hashPassword } from './passwords.ts';
import { API_VERSION, userType } from '../resources/index.ts';

export const BOOTSTRAP_ADMIN = 'admin';
export const PLATFORM_USER_ROLE = 'portcullis:platform-user';
const RBAC = 'rbac.authorization.k8s.io';
const root = { cluster: ROOT_CLUSTER };

/** Creates the bootstrap admin when no User `admin` exists; returns the password file's path if it did. */
export async function ensureBootstrapAdmin(store: Store, dataDir: string, log: (m: string) => void): Promise<string | undefined> {
  try {
    await store.get(ROOT_CLUSTER, userType, '', BOOTSTRAP_ADMIN);
    return undefined;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const password = generatePassword();
  try {
    await store.create(root, userType, '', {
      apiVersion: API_VERSION, kind: 'User', metadata: { name: BOOTSTRAP_ADMIN },
      spec: { displayName: 'Bootstrap administrator', globalAdmin: true, passwordHash: await hashPassword(password) },
    });
  } catch (e) {
    if (e instanceof StatusError && e.reason === 'AlreadyExists') return undefined; // another replica won
    throw e;
  }
  const file = path.join(dataDir, 'admin.password');
  writePrivateFile(file, `${password}\n`);
  // The password itself is never logged: only the file (mode 0600) holds it in clear.
  log(`portcullis: bootstrap user "${BOOTSTRAP_ADMIN}" created (global admin); its password is in ${file} (mode 0600)`);
  return file;
}

/** ClusterRole + binding in root: any authenticated user may GET/POST /platform/v1/*. */
export async function ensurePlatformUserRbac(store: Store, catalog: Catalog): Promise<void> {
  const cr = catalog.lookup(ROOT_CLUSTER, RBAC, 'v1', 'clusterroles')!;
  const crb = catalog.lookup(ROOT_CLUSTER, RBAC, 'v1', 'clusterrolebindings')!;
  const labels = { 'management.portcullis.io/managed': 'true' };
  await store.update(root, cr, '', PLATFORM_USER_ROLE, (cur) => ({
    ...(cur ?? {}), apiVersion: `${RBAC}/v1`, kind: 'ClusterRole',
    metadata: { ...(cur?.metadata ?? {}), name: PLATFORM_USER_ROLE, labels },
    rules: [{ nonResourceURLs: ['/platform/v1', '/platform/v1/*'], verbs: ['get', 'post'] }],
  }), { allowCreate: true });
  await store.update(root, crb, '', 'portcullis:platform-users', (cur) => ({
    ...(cur ?? {}), apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding',
    metadata: { ...(cur?.metadata ?? {}), name: 'portcullis:platform-users', labels },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: PLATFORM_USER_ROLE },
    subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'system:authenticated' }],
  }), { allowCreate: true });
}
