// The ConnectedCluster kind (management.portcullis.io/v1, root only): a real Kubernetes cluster fronted by Portcullis
// at /clusters/<name>. Its upstream credential lives in the root Secret portcullis-connected-clusters/<name>.
import { z } from 'zod';
import { STORED_VERBS, type ResourceType } from '../apiserver/registry/types.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import { defineType } from '../apiserver/registry/builtins.ts';
import { extendStrategy } from '../apiserver/registry/strategies/default.ts';
import { kindSchema } from '../apiserver/schema/index.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { dns1123Label } from '../apiserver/registry/validation.ts';
import { GROUP, VERSION, tenantFieldsSchema, tenantClusterSpecSchema, zodCauses } from '../platform/index.ts';

export { GROUP, VERSION };
export const RESOURCE = 'connectedclusters';
/** Root namespace holding each connected cluster's upstream credential (Secret named like the cluster). */
export const CREDENTIALS_NAMESPACE = 'portcullis-connected-clusters';
/** On ClusterRoleBindings Portcullis owns upstream (role mapping). */
export const UPSTREAM_MANAGED_LABEL = 'clusters.portcullis.io/managed-by';
export const UPSTREAM_MANAGED_VALUE = 'portcullis';
/** Held until Portcullis' bindings upstream are removed (remove it by hand to give up on an unreachable upstream). */
export const BINDINGS_FINALIZER = 'clusters.portcullis.io/upstream-bindings';
/** Names a tenant or connected cluster may not take (the built-in clusters). */
const RESERVED = [ROOT_CLUSTER, 'host'];

const d = <T extends z.ZodType>(schema: T, description: string): T => schema.describe(description);

export const connectedClusterSpecSchema = z.object({
  project: tenantClusterSpecSchema.shape.project,
  owner: tenantClusterSpecSchema.shape.owner,
  displayName: tenantClusterSpecSchema.shape.displayName,
  access: tenantFieldsSchema.shape.access,
  server: d(z.string().max(2048).refine(isHttpsUrl, 'must be an https:// URL without credentials, query or fragment'),
    "The upstream kube-apiserver's URL (https only), e.g. https://10.0.0.1:6443."),
  caData: d(z.string().max(65536), "Base64 of the PEM CA bundle that signs the upstream's serving certificate "
    + '(default: the system roots).').optional(),
  tlsServerName: d(z.string().max(253), 'Server name checked in the upstream certificate (default: the URL host).').optional(),
}).strict();
export type ConnectedClusterSpec = z.infer<typeof connectedClusterSpecSchema>;

export interface ConnectedClusterStatus {
  reachable: boolean;
  serverVersion?: string;
  lastCheckTime?: string;
  message?: string;
  /** Role-mapping ClusterRoleBindings Portcullis owns upstream. */
  bindings?: number;
}

function isHttpsUrl(s: string): boolean {
  let u: URL;
  try { u = new URL(s); } catch { return false; }
  return u.protocol === 'https:' && !u.username && !u.password && !u.search && !u.hash && !!u.hostname;
}

export const connectedSpec = (o: KObject): ConnectedClusterSpec => (o.spec ?? {}) as ConnectedClusterSpec;

const strategy = extendStrategy({
  prepareForCreate(obj) {
    obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), BINDINGS_FINALIZER])];
    obj.status = { reachable: false, message: 'not checked yet' };
  },
  validate: (obj) => zodCauses(connectedClusterSpecSchema, obj.spec, 'spec'),
  validateUpdate: (obj, old) => {
    const causes = zodCauses(connectedClusterSpecSchema, obj.spec, 'spec');
    if (connectedSpec(obj).project !== connectedSpec(old).project) causes.push({ field: 'spec.project', message: 'field is immutable' });
    return causes;
  },
  validateName: (name) => (RESERVED.includes(name) ? [`"${name}" is a reserved logical cluster name`] : dns1123Label(name)),
});

const col = (name: string, jsonPath: string, priority = 0) => ({ name, type: 'string', jsonPath, priority });

export const connectedClusterType: ResourceType = {
  ...defineType(GROUP, VERSION, RESOURCE, 'ConnectedCluster', {
    cluster: true, onlyInClusters: [ROOT_CLUSTER], strategy, status: true, shortNames: ['cc'], verbs: [...STORED_VERBS, 'use'],
  }),
  printerColumns: [col('Project', '.spec.project'), col('Server', '.spec.server'), { name: 'Reachable', type: 'boolean', jsonPath: '.status.reachable' },
    col('Version', '.status.serverVersion'), col('Message', '.status.message', 1)],
  schema: kindSchema({
    description: 'A real Kubernetes cluster fronted by Portcullis at /clusters/<name>: requests pass Portcullis '
      + 'authentication, management access, key scope and audit, then go upstream with impersonation headers.',
    spec: connectedClusterSpecSchema,
  }),
};
