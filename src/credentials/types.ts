// The credential resource types (management.portcullis.io/v1, all in the root cluster): AccessKey, Kubeconfig,
// IssuedToken (a record of each platform/ServiceAccount token issued) and CredentialRevocation; their shapes and schemas.
import { z } from 'zod';
import { defineType } from '../apiserver/registry/builtins.ts';
import { extendStrategy } from '../apiserver/registry/strategies/default.ts';
import type { StatusCause } from '../apiserver/errors.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import { ROOT_CLUSTER } from '../apiserver/filters/logical-cluster.ts';
import { parseDuration } from './duration.ts';
import { GROUP, VERSION } from '../platform/types.ts';

// Credentials share the platform's API group.
export { GROUP, VERSION, API_VERSION } from '../platform/types.ts';
export const KEY_PREFIX = 'pcak_';
/** Label of login-session access keys: "true" for CLI sessions (portcullis login), "browser" for console sessions. */
export const SESSION_LABEL = 'credentials.portcullis.io/session';
/** On every new access key: the uid of its owning User (a User deleted and re-created does not inherit keys). */
export const OWNER_UID_ANNOTATION = 'credentials.portcullis.io/owner-uid';
/** On a session key: how the session was obtained (JSON array, e.g. ["password"] or ["identityprovider:corp"]). */
export const SESSION_CHAIN_ANNOTATION = 'credentials.portcullis.io/session-chain';
export const KUBECONFIG_FINALIZER = 'credentials.portcullis.io/kubeconfig';
export const KUBECONFIG_GROUP_PREFIX = 'kubeconfig:';

const durationString = z.string().refine((s) => { try { parseDuration(s); return true; } catch { return false; } }, 'must be a Go duration such as 720h or 90m');

export const scopeSchema = z.object({
  projects: z.array(z.string().min(1)).optional(),
  tenantClusters: z.array(z.string().min(1)).optional(),
  namespaces: z.array(z.object({ cluster: z.string().min(1), namespace: z.string().min(1) }).strict()).optional(),
  hostClusters: z.array(z.string().min(1)).optional(),
}).strict();
export type Scope = z.infer<typeof scopeSchema>;

export const accessKeySpecSchema = z.object({
  user: z.string().min(1).optional(),
  displayName: z.string().max(253).optional(),
  scope: scopeSchema.optional(),
  ttl: durationString.optional(),
  expirationTimestamp: z.string().datetime().optional(),
  idleTimeout: durationString.optional(),
  disabled: z.boolean().optional(),
}).strict();
export type AccessKeySpec = z.infer<typeof accessKeySpecSchema>;

export interface RotatedHash { hash: string; graceUntil: string }
export interface AccessKeyStatus {
  secretHash?: string;
  lastUsedTime?: string;
  lastUsedAddress?: string;
  rotated?: { previousHashes: RotatedHash[] };
  /** Set only in the create/rotate response; never stored. */
  key?: string;
}

export const kubeconfigSpecSchema = z.object({
  username: z.string().min(1),
  groups: z.array(z.string().min(1)).optional(),
  secretRef: z.object({ name: z.string().min(1) }),
  target: z.object({ tenantCluster: z.string().min(1) }),
  validity: durationString,
  authorization: z.object({
    clusterRoleBindings: z.object({ cluster: z.string().min(1), clusterRoles: z.array(z.string().min(1)) }),
  }).optional(),
}).strict();
export type KubeconfigSpec = z.infer<typeof kubeconfigSpecSchema>;
export interface KubeconfigStatus {
  phase?: 'Pending' | 'Ready' | 'Failed';
  serial?: string;
  notBefore?: string;
  notAfter?: string;
  /** Every serial issued for this object that has not expired yet (revoked on delete). */
  serials?: Array<{ serial: string; notAfter: string }>;
  boundCluster?: string;
  conditions?: Array<{ type: string; status: string; reason: string; message: string; lastTransitionTime: string }>;
}

export interface IssuedTokenSpec {
  kind: 'PlatformToken' | 'ServiceAccountToken';
  user: string;
  cluster: string;
  expiresAt: string;
  scope?: Scope;
  issuedVia?: string;
  serviceAccount?: string;
}
export interface RevocationSpec { type: 'serial' | 'jti'; value: string; expiresAt: string; credentialId: string; reason: string; revokedAt?: string }

function schemaCauses(schema: z.ZodType, value: unknown, prefix: string): StatusCause[] {
  const r = schema.safeParse(value ?? {});
  if (r.success) return [];
  return r.error.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].join('.'), message: i.message }));
}

const specOf = <T>(o: KObject): T => (o.spec ?? {}) as T;

const col = (name: string, jsonPath: string, type = 'string') => ({ name, type, jsonPath });

export const accessKeyType = defineType(GROUP, VERSION, 'accesskeys', 'AccessKey', {
  cluster: true, status: true, shortNames: ['ak'], onlyInClusters: [ROOT_CLUSTER],
  strategy: extendStrategy({
    prepareForCreate(obj) { obj.status = {}; },
    validate: (obj) => schemaCauses(accessKeySpecSchema, obj.spec, 'spec'),
    validateUpdate(obj, old) {
      const causes = schemaCauses(accessKeySpecSchema, obj.spec, 'spec');
      if (specOf<AccessKeySpec>(obj).user !== specOf<AccessKeySpec>(old).user) causes.push({ field: 'spec.user', message: 'field is immutable' });
      return causes;
    },
  }),
});
accessKeyType.printerColumns = [col('Display Name', '.spec.displayName'), col('User', '.spec.user'), col('Expires', '.spec.expirationTimestamp'),
  col('Last Used', '.status.lastUsedTime'), col('Disabled', '.spec.disabled', 'boolean'), col('Age', '.metadata.creationTimestamp', 'date')];

export const kubeconfigType = defineType(GROUP, VERSION, 'kubeconfigs', 'Kubeconfig', {
  status: true, onlyInClusters: [ROOT_CLUSTER],
  strategy: extendStrategy({
    prepareForCreate(obj) {
      obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), KUBECONFIG_FINALIZER])];
      obj.status = { phase: 'Pending' };
    },
    validate: (obj) => schemaCauses(kubeconfigSpecSchema, obj.spec, 'spec'),
  }),
});
kubeconfigType.printerColumns = [col('Username', '.spec.username'), col('Target', '.spec.target.tenantCluster'), col('Phase', '.status.phase'),
  col('Not After', '.status.notAfter'), col('Age', '.metadata.creationTimestamp', 'date')];

export const issuedTokenType = defineType(GROUP, VERSION, 'issuedtokens', 'IssuedToken', { cluster: true, onlyInClusters: [ROOT_CLUSTER] });
export const revocationType = defineType(GROUP, VERSION, 'credentialrevocations', 'CredentialRevocation', { cluster: true, onlyInClusters: [ROOT_CLUSTER] });

export const credentialTypes = [accessKeyType, kubeconfigType, issuedTokenType, revocationType];

/** True when the scope restricts anything (an absent or all-empty scope means "unscoped"). */
export function isScoped(s: Scope | undefined): s is Scope {
  return !!s && ((s.projects?.length ?? 0) + (s.tenantClusters?.length ?? 0) + (s.namespaces?.length ?? 0) + (s.hostClusters?.length ?? 0)) > 0;
}

export function describeScope(s: Scope): string {
  const parts: string[] = [];
  if (s.projects?.length) parts.push(`project${s.projects.length > 1 ? 's' : ''} ${s.projects.join(', ')}`);
  if (s.tenantClusters?.length) parts.push(`cluster${s.tenantClusters.length > 1 ? 's' : ''} ${s.tenantClusters.join(', ')}`);
  if (s.namespaces?.length) parts.push(`namespace${s.namespaces.length > 1 ? 's' : ''} ${s.namespaces.map((n) => `${n.cluster}/${n.namespace}`).join(', ')}`);
  if (s.hostClusters?.length) parts.push(`host cluster${s.hostClusters.length > 1 ? 's' : ''} ${s.hostClusters.join(', ')}`);
  return parts.join(' and ');
}
