// The IdentityProvider spec (management.portcullis.io/v1) as admins write it: zod schema, defaults, and the checks
// that keep IdPs apart (prefixes, reserved names, https issuers); issues become Kubernetes field causes.
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { parseDuration } from '../credentials/index.ts';
import type { StatusCause } from '../apiserver/errors.ts';
import { zodCauses } from '../platform/index.ts';

/** Names no IdP may produce: Kubernetes' own, the platform's team groups, certificate-kubeconfig groups. */
export const RESERVED_PREFIXES = ['system:', 'portcullis:', 'kubeconfig:'];
const PREFIX = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:$/;
const DNS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const duration = (min: number) => z.string().refine((s) => { try { return parseDuration(s) >= min; } catch { return false; } },
  `must be a duration such as "5m" or "1h" (at least ${min / 1000}s)`);
const httpsUrl = z.string().url().refine((s) => { const u = new URL(s); return u.protocol === 'https:' && !u.hash && !u.search && !u.username; },
  'must be an https:// URL without query, fragment or credentials');
const prefix = z.string().regex(PREFIX, 'must be a lowercase name ending in one ":" (e.g. "corp:")')
  .refine((p) => !RESERVED_PREFIXES.includes(p), `must not be one of ${RESERVED_PREFIXES.join(', ')}`);
const claimName = z.string().min(1).max(256);

const d = <T extends z.ZodType>(schema: T, description: string): T => schema.describe(description);

export const oidcSchema = z.object({
  issuer: d(httpsUrl, 'The IdP\'s issuer URL (https); tokens must carry exactly this "iss". Immutable.'),
  discoveryURL: d(httpsUrl, 'Where the discovery document lives when not at <issuer>/.well-known/openid-configuration '
    + '(its issuer must still be spec.oidc.issuer).').optional(),
  certificateAuthority: d(z.string().max(256 * 1024), 'PEM bundle trusted for the IdP\'s TLS (default: the system\'s '
    + 'roots).').optional(),
  clientID: d(z.string().min(1).max(256), 'The client ID Portcullis is registered with at the IdP; ID tokens must '
    + 'have it as audience.'),
  clientSecretRef: d(z.object({
    name: d(z.string().min(1), 'Secret name.'),
    key: d(z.string().min(1), 'Key in the Secret\'s data.'),
    namespace: d(z.string().regex(DNS), 'Namespace in root (default kube-system).').optional(),
  }).strict(), 'A Secret in root holding the client secret (never copied into this object, never logged). '
    + 'Absent: a public client (PKCE only).').optional(),
  scopes: d(z.array(z.string().min(1).regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be an OAuth scope token')).max(32),
    'Scopes asked for at login (default openid, email, profile, offline_access; must include openid; '
    + 'offline_access gives the refresh token that keeps groups fresh).').optional(),
  usernameClaim: d(claimName, 'Claim the username comes from (default sub). With email, email_verified must be '
    + 'true. Immutable.').optional(),
  usernamePrefix: d(prefix, 'Prefix of every username from this IdP, e.g. "corp:" (required for a project IdP; '
    + 'unique among IdPs). Immutable.').optional(),
  groupsClaim: d(claimName, 'Claim the groups come from (a string or a list of strings; none when absent).').optional(),
  groupsPrefix: d(prefix, 'Prefix of every group from this IdP, e.g. "corp:" (required for a project IdP with '
    + 'groups). Team.spec.groups name groups with it.').optional(),
  requiredGroups: d(z.array(z.string().min(1)).max(64), 'IdP groups (without prefix) a user must be in; others are '
    + 'refused with 403 naming the missing group, at login and at every refresh.').optional(),
  claimValidationRules: d(z.array(z.object({
    claim: d(claimName, 'Claim name.'),
    requiredValue: d(z.string(), 'The value it must have (or a list claim must contain).'),
  }).strict()).max(32), 'Claims every token must carry with these values.').optional(),
  allowedEmailDomains: d(z.array(z.string().regex(DNS, 'must be a lowercase domain name')).max(256),
    'When set, only users whose email is in one of these domains may log in.').optional(),
  groupRefreshInterval: d(duration(1000), 'How often a user\'s groups are re-confirmed with the IdP (default 5m).')
    .optional(),
  maxGroupStaleness: d(duration(1000), 'After this long without a confirmation (IdP unreachable) every credential of '
    + 'the user fails closed with a 401 saying why (default 1h).').optional(),
  tokenTTL: d(duration(1000), 'Lifetime of the platform tokens the exec plugin gets for this IdP\'s users (default '
    + '10m; a stricter project maxTokenTTL wins).').optional(),
}).strict();

export const identityProviderSpecSchema = z.object({
  displayName: d(z.string().max(256), 'Shown on the login page.').optional(),
  project: d(z.string().regex(DNS, 'must be the name of a Project'), 'Only on this project\'s login URL '
    + '(/login/<project>); its users may only reach that project\'s clusters. Immutable.').optional(),
  oidc: d(oidcSchema, 'The OpenID Connect provider and how its claims map to users and groups.'),
}).strict();

export type OidcSpec = z.infer<typeof oidcSchema>;
export type IdentityProviderSpec = z.infer<typeof identityProviderSpecSchema>;

/** The spec with defaults applied, durations in ms: what the rest of the module works with. */
export interface ProviderSettings {
  name: string;
  uid: string;
  project?: string;
  displayName: string;
  issuer: string;
  discoveryURL?: string;
  caPem?: string;
  clientID: string;
  clientSecretRef?: { name: string; key: string; namespace: string };
  scopes: string[];
  usernameClaim: string;
  usernamePrefix: string;
  groupsClaim?: string;
  groupsPrefix: string;
  requiredGroups: string[];
  claimValidationRules: Array<{ claim: string; requiredValue: string }>;
  allowedEmailDomains: string[];
  refreshMs: number;
  staleMs: number;
  tokenTtlMs: number;
}

export const DEFAULT_SCOPES = ['openid', 'email', 'profile', 'offline_access'];

export function settingsOf(name: string, uid: string, spec: IdentityProviderSpec): ProviderSettings {
  const o = spec.oidc;
  const ref = o.clientSecretRef;
  return {
    name, uid, project: spec.project, displayName: spec.displayName || name,
    issuer: o.issuer, discoveryURL: o.discoveryURL, caPem: o.certificateAuthority, clientID: o.clientID,
    clientSecretRef: ref ? { name: ref.name, key: ref.key, namespace: ref.namespace ?? 'kube-system' } : undefined,
    scopes: o.scopes ?? DEFAULT_SCOPES,
    usernameClaim: o.usernameClaim ?? 'sub', usernamePrefix: o.usernamePrefix ?? '',
    groupsClaim: o.groupsClaim, groupsPrefix: o.groupsPrefix ?? '',
    requiredGroups: o.requiredGroups ?? [], claimValidationRules: o.claimValidationRules ?? [],
    allowedEmailDomains: (o.allowedEmailDomains ?? []).map((d) => d.toLowerCase()),
    refreshMs: parseDuration(o.groupRefreshInterval ?? '5m'),
    staleMs: parseDuration(o.maxGroupStaleness ?? '1h'),
    tokenTtlMs: parseDuration(o.tokenTTL ?? '10m'),
  };
}

/** Field causes of a spec, including the rules zod cannot express alone. */
export function specCauses(spec: unknown): StatusCause[] {
  const causes = zodCauses(identityProviderSpecSchema, spec, 'spec');
  if (causes.length) return causes;
  const s = spec as IdentityProviderSpec;
  const o = s.oidc;
  if (o.scopes && !o.scopes.includes('openid')) causes.push({ field: 'spec.oidc.scopes', message: 'must include "openid"' });
  if (s.project && !o.usernamePrefix) {
    causes.push({ field: 'spec.oidc.usernamePrefix', message: 'required for a project IdP: its usernames must not collide with global users' });
  }
  if (s.project && o.groupsClaim && !o.groupsPrefix) {
    causes.push({ field: 'spec.oidc.groupsPrefix', message: 'required for a project IdP with groups: its groups must not collide with global groups' });
  }
  if (o.certificateAuthority !== undefined && !pemCertificatesValid(o.certificateAuthority)) {
    causes.push({ field: 'spec.oidc.certificateAuthority', message: 'must hold one or more PEM certificates' });
  }
  const settings = settingsOf('x', '', s);
  if (settings.staleMs < settings.refreshMs) {
    causes.push({ field: 'spec.oidc.maxGroupStaleness', message: `must be at least groupRefreshInterval (${o.groupRefreshInterval ?? '5m'})` });
  }
  return causes;
}

function pemCertificatesValid(pem: string): boolean {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks?.length) return false;
  try { for (const b of blocks) new X509Certificate(b); return true; } catch { return false; }
}
