// zod schemas of the platform kinds' specs (management.portcullis.io/v1) and the helper that turns
// zod issues into Kubernetes field causes for the strategies' validate().
import { z } from 'zod';
import { parseAllDocuments } from 'yaml';
import type { StatusCause } from '../apiserver/errors.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Go-style durations as in Kubernetes/metav1.Duration: "720h", "1h30m", "45s". */
const DURATION = /^(\d+(\.\d+)?(h|m|s|ms))+$/;

const objectName = z.string().min(1).max(253).regex(SUBDOMAIN, 'must be a lowercase RFC 1123 subdomain (the name of an object)');
const dnsLabel = z.string().regex(DNS_LABEL, 'must be a lowercase RFC 1123 label (e.g. "team-a")');
/** ClusterRole names are path segments (may contain ':'). */
const roleName = z.string().min(1).refine((s) => !s.includes('/') && !s.includes('%') && s !== '.' && s !== '..', "must be a valid ClusterRole name (no '/' or '%')");
const duration = z.string().regex(DURATION, 'must be a duration such as "720h", "1h30m" or "90s"');

export const policyRuleSchema = z.object({
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  resourceNames: z.array(z.string()).optional(),
  nonResourceURLs: z.array(z.string()).optional(),
  verbs: z.array(z.string().min(1)).min(1),
}).strict();

const rbacPart = z.object({
  enabled: z.boolean().optional(),
  overwriteRules: z.array(policyRuleSchema).optional(),
  extraRules: z.array(policyRuleSchema).optional(),
}).strict();

export const accessRuleSchema = z.object({
  users: z.array(objectName).optional(),
  teams: z.array(objectName).optional(),
  clusterRole: roleName,
}).strict().refine((r) => (r.users?.length ?? 0) + (r.teams?.length ?? 0) > 0, 'a rule must name at least one user or team');

/** The fields a TenantClusterTemplate may set; an instance has them too. */
export const tenantFieldsSchema = z.object({
  access: z.object({
    defaultClusterRole: roleName.optional(),
    rules: z.array(accessRuleSchema).optional(),
  }).strict().optional(),
  objects: z.string().optional(),
  rbac: z.object({ clusterRole: rbacPart.optional(), role: rbacPart.optional() }).strict().optional(),
  sync: z.object({
    toHost: z.object({ namespaces: z.object({ enabled: z.boolean().optional() }).strict().optional() }).strict().optional(),
  }).strict().optional(),
  delegation: z.object({
    resources: z.array(z.object({ group: z.string(), resource: z.string().min(1) }).strict()).optional(),
    nonResourceURLs: z.array(z.string().startsWith('/', 'must start with "/"')).optional(),
  }).strict().optional(),
  auditLog: z.object({ enabled: z.boolean().optional() }).strict().optional(),
}).strict();

const subjectRef = z.object({ user: objectName.optional(), team: objectName.optional() }).strict()
  .refine((o) => (o.user === undefined) !== (o.team === undefined), 'set exactly one of user or team');

export const tenantClusterSpecSchema = tenantFieldsSchema.extend({
  project: objectName,
  owner: subjectRef.optional(),
  displayName: z.string().max(256).optional(),
  templateRef: z.object({ name: objectName }).strict().optional(),
  hostCluster: dnsLabel.optional(),
  hostNamespace: dnsLabel.optional(),
}).strict();

export const templateSpecSchema = z.object({
  displayName: z.string().max(256).optional(),
  template: tenantFieldsSchema.optional(),
}).strict();

export const userSpecSchema = z.object({
  displayName: z.string().max(256).optional(),
  email: z.email().optional(),
  /** Write-only: hashed by admission and never stored. */
  password: z.string().min(8, 'must be at least 8 characters').max(1024).optional(),
  passwordHash: z.string().regex(/^\$argon2id\$/, 'must be an argon2id PHC string').optional(),
  groups: z.array(z.string().min(1)).optional(),
  globalAdmin: z.boolean().optional(),
  /** A disabled user cannot sign in, and every credential acting for them (keys, sessions, tokens) stops at once. */
  disabled: z.boolean().optional(),
}).strict();

export const teamSpecSchema = z.object({
  displayName: z.string().max(256).optional(),
  members: z.array(objectName).optional(),
  groups: z.array(z.string().min(1)).optional(),
}).strict();

export const projectRoleSchema = z.enum(['admin', 'member', 'viewer']);
export const projectSpecSchema = z.object({
  displayName: z.string().max(256).optional(),
  members: z.array(z.object({ user: objectName.optional(), team: objectName.optional(), role: projectRoleSchema }).strict()
    .refine((o) => (o.user === undefined) !== (o.team === undefined), 'set exactly one of user or team')).optional(),
  allowedTemplates: z.array(objectName).optional(),
  credentialPolicy: z.object({
    maxKeyTTL: duration.optional(),
    maxTokenTTL: duration.optional(),
    maxCertificateValidity: duration.optional(),
    allowUnscopedKeys: z.boolean().optional(),
  }).strict().optional(),
}).strict();

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
