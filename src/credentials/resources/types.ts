// The credential resource types (management.portcullis.io/v1, all in the root cluster): AccessKey, Kubeconfig,
// IssuedToken (a record of each platform/ServiceAccount token issued) and CredentialRevocation; their shapes and schemas.
import { z } from 'zod';
import { defineType } from '../../apiserver/registry/builtins.ts';
import { extendStrategy } from '../../apiserver/registry/strategies/default.ts';
import type { StatusCause } from '../../apiserver/errors.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { kindSchema } from '../../apiserver/schema/index.ts';
import { parseDuration } from './duration.ts';
import { GROUP, VERSION } from '../../platform/index.ts';

// Credentials share the platform's API group.
export { GROUP, VERSION, API_VERSION } from '../../platform/index.ts';
export const KEY_PREFIX = 'pcak_';
/** Label of login-session access keys: "true" for CLI sessions (portcullis login), "browser" for console sessions. */
export const SESSION_LABEL = 'credentials.portcullis.io/session';
/** On every new access key: the uid of its owning User (a User deleted and re-created does not inherit keys). */
export const OWNER_UID_ANNOTATION = 'credentials.portcullis.io/owner-uid';
/**
 * On an access key with ownerReferences at creation: their credential-chain links (JSON array, e.g.
 * ["identitysession:s1#<uid>"]), kept whatever later updates or orphaning do to the references.
 */
export const MINTED_FROM_ANNOTATION = 'credentials.portcullis.io/minted-from';
/** On a session key: how the session was obtained (JSON array, e.g. ["password"] or ["identityprovider:corp"]). */
export const SESSION_CHAIN_ANNOTATION = 'credentials.portcullis.io/session-chain';
/** On a disabled AccessKey: why it was switched off (shown in its 401), e.g. by the user's identity provider. */
export const DISABLED_REASON_ANNOTATION = 'credentials.portcullis.io/disabled-reason';
export const KUBECONFIG_FINALIZER = 'credentials.portcullis.io/kubeconfig';
export const KUBECONFIG_GROUP_PREFIX = 'kubeconfig:';

/**
 * The implicit group of one Kubeconfig object's certificates: kubeconfig:<namespace>:<name>:<uid>. Unique per object
 * (a same-named object elsewhere, or re-created, gets another); no other object or user may claim the prefix.
 */
export function kubeconfigGroup(o: { metadata: { namespace?: string; name?: string; uid?: string } }): string {
  return `${KUBECONFIG_GROUP_PREFIX}${o.metadata.namespace}:${o.metadata.name}:${o.metadata.uid}`;
}

const durationString = z.string().refine((s) => { try { parseDuration(s); return true; } catch { return false; } }, 'must be a Go duration such as 720h or 90m');

const d = <T extends z.ZodType>(schema: T, description: string): T => schema.describe(description);

export const scopeSchema = z.object({
  projects: d(z.array(z.string().min(1)), 'Projects whose tenant clusters the credential may reach.').optional(),
  tenantClusters: d(z.array(z.string().min(1)), 'Tenant clusters the credential may reach.').optional(),
  namespaces: d(z.array(z.object({
    cluster: d(z.string().min(1), 'Tenant cluster.'),
    namespace: d(z.string().min(1), 'Namespace in that cluster.'),
  }).strict()), 'Namespaces the credential may reach (only namespaced requests there).').optional(),
  hostClusters: d(z.array(z.string().min(1)), 'Host clusters the credential may reach.').optional(),
}).strict().describe('Limits what the credential can reach; it only ever removes permissions. Empty: unscoped.');
export type Scope = z.infer<typeof scopeSchema>;

export const accessKeySpecSchema = z.object({
  user: d(z.string().min(1), 'Owner (default: the creator). Immutable. The key acts with this user\'s live '
    + 'permissions.').optional(),
  displayName: d(z.string().max(253), 'A human-readable name.').optional(),
  scope: scopeSchema.optional(),
  ttl: d(durationString, 'Lifetime from creation, e.g. 720h (sets expirationTimestamp).').optional(),
  expirationTimestamp: d(z.string().datetime(), 'When the key stops working (RFC 3339).').optional(),
  idleTimeout: d(durationString, 'The key stops working when unused for this long, e.g. 168h.').optional(),
  disabled: d(z.boolean(), 'A disabled key is refused until enabled again.').optional(),
}).strict();
export type AccessKeySpec = z.infer<typeof accessKeySpecSchema>;

/** Documentation of the access-key status (the server writes it; secretHash is never returned). */
export const accessKeyStatusSchema = z.object({
  lastUsedTime: d(z.string(), 'When the key last authenticated a request (written in batches).').optional(),
  lastUsedAddress: d(z.string(), 'The client address of that request.').optional(),
  rotated: d(z.object({}).passthrough(), 'Previous secrets still accepted until their grace period ends.').optional(),
  key: d(z.string(), 'The secret (pcak_...), only in the response to create or rotate; never stored.').optional(),
});

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
  username: d(z.string().min(1), 'The certificate\'s user (CN). The requester must be allowed to impersonate it.'),
  groups: d(z.array(z.string().min(1).refine((g) => !g.startsWith(KUBECONFIG_GROUP_PREFIX),
    `must not start with "${KUBECONFIG_GROUP_PREFIX}" (reserved for the implicit group of each Kubeconfig object)`)),
  'The certificate\'s groups (O), besides the group of this object.').optional(),
  secretRef: d(z.object({ name: d(z.string().min(1), 'Secret name in this namespace.') }),
    'The Secret the ready kubeconfig is written to (key "kubeconfig").'),
  target: d(z.object({ tenantCluster: d(z.string().min(1), 'Tenant (logical) cluster name.') }),
    'The cluster the kubeconfig is for; the certificate is honoured only there.'),
  validity: d(durationString, 'Certificate lifetime, e.g. 720h; renewed before it ends.'),
  authorization: d(z.object({
    clusterRoleBindings: d(z.object({
      cluster: d(z.string().min(1), 'Cluster the bindings are created in.'),
      clusterRoles: d(z.array(z.string().min(1)), 'ClusterRoles bound to this object\'s group.'),
    }), 'ClusterRoleBindings made for the certificate; the requester must be allowed to make them directly (hold '
      + 'every permission of each ClusterRole in that cluster, or the bind verb on it). Must be the target cluster.'),
  }), 'Permissions granted to the certificate; removed when the object is deleted.').optional(),
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
  /** Every credential up the chain it was minted from (inventory ids, nearest first). */
  chain?: string[];
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

/** What clients see of an access key: no secret hash, current or previous (only when each grace ends). */
function hideKeyHashes(obj: Readonly<KObject>): KObject {
  const status = obj.status as AccessKeyStatus | undefined;
  if (!status || (status.secretHash === undefined && !status.rotated)) return obj as KObject;
  const { secretHash: _hidden, rotated, ...rest } = status;
  const shown: Record<string, unknown> = { ...rest };
  if (rotated) shown.rotated = { previousGraceUntil: rotated.previousHashes.map((p) => p.graceUntil) };
  return { ...obj, status: shown } as KObject;
}

export const accessKeyType = defineType(GROUP, VERSION, 'accesskeys', 'AccessKey', {
  cluster: true, status: true, shortNames: ['ak'], onlyInClusters: [ROOT_CLUSTER],
  strategy: extendStrategy({
    prepareForCreate(obj) { obj.status = {}; },
    present: hideKeyHashes,
    validate: (obj) => schemaCauses(accessKeySpecSchema, obj.spec, 'spec'),
    validateUpdate(obj, old) {
      const causes = schemaCauses(accessKeySpecSchema, obj.spec, 'spec');
      if (specOf<AccessKeySpec>(obj).user !== specOf<AccessKeySpec>(old).user) causes.push({ field: 'spec.user', message: 'field is immutable' });
      return causes;
    },
  }),
});
accessKeyType.schema = kindSchema({
  description: 'An access key: a bearer secret (pcak_...) that acts with its owner\'s live permissions, limited by '
    + 'its scope. Only a peppered hash is stored; the secret is shown once.',
  spec: accessKeySpecSchema, status: accessKeyStatusSchema,
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
kubeconfigType.schema = kindSchema({
  description: 'A certificate-backed kubeconfig (kcp-operator semantics): a client certificate for spec.username in '
    + 'a ready kubeconfig Secret, renewed before expiry; deleting the object revokes the certificate.',
  spec: kubeconfigSpecSchema,
  status: z.object({
    phase: z.enum(['Pending', 'Ready', 'Failed']).describe('Where issuing stands.').optional(),
    serial: z.string().describe('Serial of the current certificate.').optional(),
    notBefore: z.string().describe('Start of the current certificate\'s validity.').optional(),
    notAfter: z.string().describe('End of the current certificate\'s validity.').optional(),
    serials: z.array(z.object({ serial: z.string(), notAfter: z.string() }))
      .describe('Every unexpired serial issued for this object (all revoked on delete).').optional(),
    boundCluster: z.string().describe('Cluster holding the ClusterRoleBindings.').optional(),
    conditions: z.array(z.object({}).passthrough()).describe('Detailed state.').optional(),
  }),
});
kubeconfigType.printerColumns = [col('Username', '.spec.username'), col('Target', '.spec.target.tenantCluster'), col('Phase', '.status.phase'),
  col('Not After', '.status.notAfter'), col('Age', '.metadata.creationTimestamp', 'date')];

export const issuedTokenType = defineType(GROUP, VERSION, 'issuedtokens', 'IssuedToken', { cluster: true, onlyInClusters: [ROOT_CLUSTER] });
issuedTokenType.schema = kindSchema({
  description: 'The server\'s record of one issued platform or ServiceAccount token (never the token itself), '
    + 'for the credential inventory and revocation.',
  spec: z.object({
    kind: z.enum(['PlatformToken', 'ServiceAccountToken']).describe('What was issued.'),
    user: z.string().describe('Who it authenticates as.'),
    cluster: z.string().describe('The cluster (audience) it is valid for.'),
    expiresAt: z.string().describe('When it expires.'),
    scope: scopeSchema.optional(),
    issuedVia: z.string().describe('The credential it was minted with.').optional(),
    chain: z.array(z.string()).describe('Every credential up the chain it was minted from (it dies with any of them).').optional(),
    serviceAccount: z.string().describe('namespace/name of the ServiceAccount (ServiceAccount tokens).').optional(),
  }),
});
export const revocationType = defineType(GROUP, VERSION, 'credentialrevocations', 'CredentialRevocation', { cluster: true, onlyInClusters: [ROOT_CLUSTER] });
revocationType.schema = kindSchema({
  description: 'A revoked certificate serial or token id: refused at authentication until it would have expired.',
  spec: z.object({
    type: z.enum(['serial', 'jti']).describe('What is revoked.'),
    value: z.string().describe('The serial (hex) or token id.'),
    expiresAt: z.string().describe('When the credential would have expired (the record is dropped then).'),
    credentialId: z.string().describe('The inventory id of the credential.'),
    reason: z.string().describe('Why it was revoked.'),
    revokedAt: z.string().describe('When.').optional(),
  }),
});

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
