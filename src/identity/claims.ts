// Claim mapping, as Kubernetes' OIDC authenticator does it plus the platform's rules: username and groups from the
// configured claims with their prefixes, claim validation rules, allowed email domains, email_verified when the email
// is the username, required groups (403 naming the group), and names no IdP may produce (system:, portcullis:, ...).
import type { JWTPayload } from 'jose';
import { RESERVED_PREFIXES, type ProviderSettings } from './schema.ts';

export interface MappedIdentity {
  username: string;
  groups: string[];
  issuer: string;
  subject: string;
  email?: string;
  displayName?: string;
  /** Groups the IdP sent that were dropped because they would land in a reserved namespace. */
  dropped: string[];
}
export type MapResult = { ok: true; identity: MappedIdentity } | { ok: false; code: 401 | 403; message: string };

const MAX_GROUPS = 512;
const MAX_NAME = 253;
const refuse = (code: 401 | 403, message: string): MapResult => ({ ok: false, code, message });

function usernameProblem(name: string): string | undefined {
  if (name.length > MAX_NAME) return `is longer than ${MAX_NAME} characters`;
  if (name === '.' || name === '..' || /[/%\s\p{Cc}]/u.test(name)) return 'contains characters a username may not hold (/, %, spaces or control characters)';
  const reserved = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (reserved) return `starts with the reserved prefix "${reserved}"`;
  return undefined;
}

function groupValues(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((g) => typeof g === 'string')) return v as string[];
  return undefined;
}

function matchesRequired(v: unknown, want: string): boolean {
  return typeof v === 'string' ? v === want : Array.isArray(v) && v.includes(want);
}

/** Maps verified claims of `p`'s token to a platform identity, or says why the user is refused. */
export function mapClaims(p: ProviderSettings, claims: JWTPayload): MapResult {
  const who = `identity provider "${p.name}"`;
  if (typeof claims.sub !== 'string' || !claims.sub) return refuse(401, `token of ${who} has no subject`);
  const raw = claims[p.usernameClaim];
  if (typeof raw !== 'string' || raw === '') return refuse(401, `token of ${who} has no string claim "${p.usernameClaim}" to take the username from`);
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  if (p.usernameClaim === 'email' && claims.email_verified !== true && claims.email_verified !== 'true') {
    return refuse(401, `the email address of this user is not verified by ${who} (email_verified is not true), and the email is the username`);
  }
  if (p.allowedEmailDomains.length) {
    const domain = email?.slice(email.lastIndexOf('@') + 1).toLowerCase();
    if (!email || !email.includes('@') || !p.allowedEmailDomains.includes(domain!)) {
      return refuse(403,
        `the email domain of this user ${email ? `("${domain}") ` : ''}is not among the domains ${who} allows (${p.allowedEmailDomains.join(', ')})`);
    }
  }
  for (const r of p.claimValidationRules) {
    if (!matchesRequired(claims[r.claim], r.requiredValue)) {
      return refuse(401, `token of ${who} fails a claim validation rule: claim "${r.claim}" must be "${r.requiredValue}"`);
    }
  }
  const username = p.usernamePrefix + raw;
  const bad = usernameProblem(username);
  if (bad) return refuse(401, `username "${username.slice(0, 80)}" from ${who} ${bad}`);
  let rawGroups: string[] = [];
  if (p.groupsClaim) {
    const g = groupValues(claims[p.groupsClaim]);
    if (!g) return refuse(401, `claim "${p.groupsClaim}" of ${who} must be a string or a list of strings`);
    if (g.length > MAX_GROUPS) return refuse(401, `token of ${who} lists more than ${MAX_GROUPS} groups`);
    rawGroups = g;
  }
  const missing = p.requiredGroups.filter((r) => !rawGroups.includes(r));
  if (missing.length) {
    return refuse(403,
      `user "${username}" is not a member of group${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} required by ${who}`);
  }
  const groups: string[] = [];
  const dropped: string[] = [];
  for (const g of new Set(rawGroups)) {
    const mapped = p.groupsPrefix + g;
    if (!g || mapped.length > 512 || RESERVED_PREFIXES.some((r) => mapped.startsWith(r))) dropped.push(g.slice(0, 80));
    else groups.push(mapped);
  }
  const name = typeof claims.name === 'string' ? claims.name.slice(0, 256) : undefined;
  return { ok: true, identity: { username, groups: groups.sort(), issuer: String(claims.iss), subject: claims.sub, email, displayName: name, dropped } };
}
