// zod schemas of the platform kinds' specs (management.portcullis.io/v1) and the helper that turns
// zod issues into Kubernetes field causes for the strategies' validate().
import { z } from 'zod';
import { parseAllDocuments } from 'yaml';
import type { StatusCause } from '../../apiserver/errors.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Go-style durations as in Kubernetes/metav1.Duration: "720h", "1h30m", "45s". */
const DURATION = /^(\d+(\.\d+)?(h|m|s|ms))+$/;

const objectName = z.string().min(1).max(253).regex(SUBDOMAIN, 'must be a lowercase RFC 1123 subdomain (the name of an object)');
/**
 * A user's name is its Kubernetes username: users from an identity provider are named like "corp:alice@example.com".
 * No '/', '%', spaces or control characters, and nothing in Kubernetes' own system: namespace.
 */
export const USERNAME_RULES = "may not contain '/', '%', spaces or control characters, nor start with \"system:\"";
export function usernameProblems(name: string): string[] {
  if (name === '.' || name === '..' || name.length > 253 || /[/%\s\p{Cc}]/u.test(name) || name.startsWith('system:')) return [USERNAME_RULES];
  return [];
}
const userName = z.string().min(1).max(253).refine((s) => usernameProblems(s).length === 0, USERNAME_RULES);
const dnsLabel = z.string().regex(DNS_LABEL, 'must be a lowercase RFC 1123 label (e.g. "team-a")');
/** ClusterRole names are path segments (may contain ':'). */
const roleName = z.string().min(1).refine((s) => !s.includes('/') && !s.includes('%') && s !== '.' && s !== '..', "must be a valid ClusterRole name (no '/' or '%')");
const duration = z.string().regex(DURATION, 'must be a duration such as "720h", "1h30m" or "90s"');

const d = <T extends z.ZodType>(schema: T, description: string): T => schema.describe(description);

export const policyRuleSchema = z.object({
  apiGroups: d(z.array(z.string()), 'API groups the rule applies to ("" is the core group, "*" every group).').optional(),
  resources: d(z.array(z.string()), 'Resources the rule applies to ("pods", "pods/log", "*", "*/scale").').optional(),
  resourceNames: d(z.array(z.string()), 'Object names the rule is limited to (empty: every object).').optional(),
  nonResourceURLs: d(z.array(z.string()), 'Non-resource paths such as "/healthz" or "/metrics*" (ClusterRoles only).').optional(),
  verbs: d(z.array(z.string().min(1)).min(1), 'Verbs allowed: get, list, watch, create, update, patch, delete, "*", ...'),
}).strict().describe('A Kubernetes RBAC PolicyRule.');

const rbacPart = (what: string) => z.object({
  enabled: d(z.boolean(), `Whether the ${what} is created at all (default: true when it has rules).`).optional(),
  overwriteRules: d(z.array(policyRuleSchema), `Rules that replace the ${what}'s default rules entirely.`).optional(),
  extraRules: d(z.array(policyRuleSchema), `Rules added to the ${what}'s default rules.`).optional(),
}).strict().describe(`The host-tier ${what} of this tenant (vCluster's host RBAC).`);

export const accessRuleSchema = z.object({
  users: d(z.array(userName), 'Users (User object names) this rule applies to.').optional(),
  teams: d(z.array(objectName), 'Teams (Team object names) whose members this rule applies to.').optional(),
  clusterRole: d(roleName, 'The ClusterRole inside the tenant cluster that matching users and teams are bound to.'),
}).strict().refine((r) => (r.users?.length ?? 0) + (r.teams?.length ?? 0) > 0, 'a rule must name at least one user or team')
  .describe('One role-mapping rule: these users and teams get this ClusterRole inside the tenant cluster.');

/** The fields a TenantClusterTemplate may set; an instance has them too. */
export const tenantFieldsSchema = z.object({
  access: d(z.object({
    defaultClusterRole: d(roleName, 'ClusterRole given to users with management access that match no rule. '
      + 'Default: cluster-admin.').optional(),
    rules: d(z.array(accessRuleSchema), 'Role mapping: a user or team matching at least one rule gets every '
      + "matching rule's ClusterRole and not the default. Also grants management access.").optional(),
  }).strict(), 'Who gets which ClusterRole inside the tenant cluster (materialised as ClusterRoleBindings).').optional(),
  objects: d(z.string(), 'Multi-document YAML of manifests applied inside the tenant cluster and kept reconciled '
    + '(custom ClusterRoles, aggregated roles, namespaces, ...).').optional(),
  rbac: d(z.object({
    clusterRole: rbacPart('ClusterRole vc-<name>').optional(), role: rbacPart('Role vc-<name>').optional(),
  }).strict(), "The tenant's RBAC in its host cluster: ServiceAccount, Role and ClusterRole vc-<name>.").optional(),
  sync: d(z.object({
    toHost: d(z.object({
      namespaces: d(z.object({
        enabled: d(z.boolean(), 'Sync tenant namespaces to the host: adds the ClusterRole vc-<name>-multi.').optional(),
      }).strict(), 'Namespace sync.').optional(),
    }).strict(), 'Resources synced from the tenant to its host cluster.').optional(),
  }).strict(), 'What is synced between the tenant and its host cluster (affects host RBAC).').optional(),
  delegation: d(z.object({
    resources: d(z.array(z.object({
      group: d(z.string(), 'API group ("" for core).'),
      resource: d(z.string().min(1), 'Resource name, e.g. nodes.'),
    }).strict()), 'Resources whose requests are decided by a SubjectAccessReview in the host cluster. '
      + 'Default: nodes.').optional(),
    nonResourceURLs: d(z.array(z.string().startsWith('/', 'must start with "/"')),
      'Non-resource paths decided in the host cluster.').optional(),
  }).strict(), 'Delegated authorization: requests decided by the host cluster as the tenant\'s host ServiceAccount.')
    .optional(),
  auditLog: d(z.object({
    enabled: d(z.boolean(), 'Whether requests to this tenant cluster are audited (default true).').optional(),
  }).strict(), 'Audit logging of the tenant cluster.').optional(),
}).strict();

const subjectRef = z.object({
  user: d(userName, 'A User name.').optional(),
  team: d(objectName, 'A Team name.').optional(),
}).strict().refine((o) => (o.user === undefined) !== (o.team === undefined), 'set exactly one of user or team');

export const tenantClusterSpecSchema = tenantFieldsSchema.extend({
  project: d(objectName, 'The Project this tenant cluster belongs to (required, immutable).'),
  owner: d(subjectRef, 'The user or team that owns the cluster (default: its creator). Owners have '
    + 'management access.').optional(),
  displayName: d(z.string().max(256), 'A human-readable name.').optional(),
  templateRef: d(z.object({ name: d(objectName, 'TenantClusterTemplate name.') }).strict(),
    'A TenantClusterTemplate whose fields override this object\'s (must be allowed by the project).').optional(),
  hostCluster: d(dnsLabel, 'Logical cluster holding the tenant\'s host-tier RBAC. Default: host.').optional(),
  hostNamespace: d(dnsLabel, 'Namespace in the host cluster for the tenant\'s host RBAC. Default: tc-<name>.')
    .optional(),
}).strict();

export const templateSpecSchema = z.object({
  displayName: d(z.string().max(256), 'A human-readable name.').optional(),
  template: d(tenantFieldsSchema, 'Fields of a TenantCluster spec; those set here override the instance\'s.')
    .optional(),
}).strict();

export const userSpecSchema = z.object({
  displayName: d(z.string().max(256), 'A human-readable name.').optional(),
  email: d(z.email(), 'Email address.').optional(),
  /** Write-only: hashed by admission and never stored. */
  password: d(z.string().min(8, 'must be at least 8 characters').max(1024),
    'Write-only: stored as an argon2id hash, never returned. Lets the user log in with a password.').optional(),
  passwordHash: d(z.string().regex(/^\$argon2id\$/, 'must be an argon2id PHC string'),
    'An argon2id PHC string (instead of password); never returned.').optional(),
  groups: d(z.array(z.string().min(1).refine((g) => !g.startsWith('kubeconfig:'),
    'must not start with "kubeconfig:" (reserved for the implicit group of each Kubeconfig object\'s certificates)')),
  'Groups the user is in (besides teams), as in Kubernetes RBAC subjects.').optional(),
  globalAdmin: d(z.boolean(), 'Platform administrator: management access to every tenant cluster.').optional(),
  disabled: d(z.boolean(), 'A disabled user cannot sign in, and every credential acting for them (keys, sessions, tokens) stops at once.')
    .optional(),
  identity: d(z.object({
    provider: d(objectName, 'The IdentityProvider this user logs in through.'),
    issuer: d(z.string().url(), 'Issuer of that IdP (set by the first login).').optional(),
    subject: d(z.string().min(1).max(1024), 'The user\'s subject at the IdP (set by the first login; with issuer, the identity).').optional(),
  }).strict(), 'The identity-provider account this user is: set by its first login, or by an admin beforehand to link '
    + 'an existing user.').optional(),
}).strict();

export const teamSpecSchema = z.object({
  displayName: d(z.string().max(256), 'A human-readable name.').optional(),
  members: d(z.array(userName), 'Users (User object names) in the team.').optional(),
  groups: d(z.array(z.string().min(1)), 'Identity-provider groups (as mapped, e.g. "corp:engineering") whose members '
    + 'belong to the team, as the IdP confirms at each refresh.').optional(),
}).strict();

export const projectRoleSchema = z.enum(['admin', 'member', 'viewer'])
  .describe('admin: manages the project and every tenant cluster in it; member: creates tenant clusters; viewer: '
    + 'reads them.');
export const projectSpecSchema = z.object({
  displayName: d(z.string().max(256), 'A human-readable name.').optional(),
  members: d(z.array(z.object({
    user: d(userName, 'A User name.').optional(),
    team: d(objectName, 'A Team name.').optional(),
    role: projectRoleSchema,
  }).strict().refine((o) => (o.user === undefined) !== (o.team === undefined), 'set exactly one of user or team')),
  'Users and teams in the project with their project role.').optional(),
  allowedTemplates: d(z.array(objectName), 'TenantClusterTemplates tenant clusters of this project may use.')
    .optional(),
  credentialPolicy: d(z.object({
    maxKeyTTL: d(duration, 'Longest lifetime of an access key scoped to this project.').optional(),
    maxTokenTTL: d(duration, 'Longest lifetime of a platform token for this project\'s clusters.').optional(),
    maxCertificateValidity: d(duration, 'Longest validity of a Kubeconfig certificate targeting this project.')
      .optional(),
    allowUnscopedKeys: d(z.boolean(), 'Whether members may hold unscoped access keys.').optional(),
  }).strict(), 'Limits on credentials for this project.').optional(),
}).strict();

const conditionSchema = z.object({
  type: d(z.string(), 'Ready, Provisioned, HostRBACReady, ObjectsApplied, ...'),
  status: d(z.enum(['True', 'False', 'Unknown']), 'Whether the condition holds.'),
  reason: d(z.string(), 'A CamelCase reason.'),
  message: d(z.string(), 'What happened, for people.'),
  lastTransitionTime: d(z.string(), 'When the status last changed.').optional(),
});

/** Documentation of what the tenant-cluster controller writes (kubectl explain tenantcluster.status). */
export const tenantClusterStatusSchema = z.object({
  phase: d(z.enum(['Pending', 'Ready', 'Terminating', 'Failed']), 'Where the cluster is in its life.'),
  apiURL: d(z.string(), 'The URL of the tenant cluster (/clusters/<name> on this server).').optional(),
  logicalCluster: d(z.string(), 'The logical cluster serving it.').optional(),
  observedGeneration: d(z.number().int(), 'The spec generation the status describes.').optional(),
  conditions: d(z.array(conditionSchema), 'Detailed state, one entry per aspect.').optional(),
  effective: d(tenantClusterSpecSchema, 'The spec after the template\'s fields were applied.').optional(),
  appliedObjects: d(z.array(z.object({
    apiVersion: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string(),
  })), 'Objects applied from spec.objects.').optional(),
});

export type TenantFields = z.infer<typeof tenantFieldsSchema>;
export type TenantClusterSpec = z.infer<typeof tenantClusterSpecSchema>;
export type TemplateSpec = z.infer<typeof templateSpecSchema>;
export type UserSpec = z.infer<typeof userSpecSchema>;
export type TeamSpec = z.infer<typeof teamSpecSchema>;
export type ProjectSpec = z.infer<typeof projectSpecSchema>;
export type ProjectRole = z.infer<typeof projectRoleSchema>;
export type AccessRule = z.infer<typeof accessRuleSchema>;

/** Validates `value` (at `field`) with a zod schema; issues become Kubernetes causes. */
export function zodCauses(schema: z.ZodType, value: unknown, field: string): StatusCause[] {
  const r = schema.safeParse(value ?? {});
  if (r.success) return [];
  return r.error.issues.map((i) => ({
    field: [field, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].join('.').replace(/\.\[/g, '['),
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
  }));
}

/** Parses a multi-document YAML string of manifests; returns the objects or the first problem found. */
export function parseObjects(text: string | undefined): { objects: Array<Record<string, unknown>>; error?: string } {
  if (!text || !text.trim()) return { objects: [] };
  const objects: Array<Record<string, unknown>> = [];
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return { objects: [], error: 'objects: not a YAML document stream' };
  for (const [i, d] of docs.entries()) {
    if (d.errors.length) return { objects, error: `objects: document ${i + 1}: ${d.errors[0].message}` };
    const v = d.toJS() as unknown;
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object' || Array.isArray(v)) return { objects, error: `objects: document ${i + 1} is not a mapping` };
    const o = v as Record<string, unknown>;
    const meta = o.metadata as Record<string, unknown> | undefined;
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof meta?.name !== 'string' || !meta.name) {
      return { objects, error: `objects: document ${i + 1} needs apiVersion, kind and metadata.name` };
    }
    objects.push(o);
  }
  return { objects };
}

/** Seconds in a Go-style duration ("1h30m"), for the credential policy's consumers. */
export function parseDurationSeconds(d: string): number {
  if (!DURATION.test(d)) throw new Error(`invalid duration "${d}"`);
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}
