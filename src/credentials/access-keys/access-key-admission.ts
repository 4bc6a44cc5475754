// AccessKey admission: who may own a key (yourself; others only if you may impersonate that user), the project
// credential policy (max TTL, unscoped keys), expiry from ttl, and the secret: generated here, stored only as its hash.
import type { Admission, OpContext } from '../../apiserver/registry/store.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { forbidden, invalid } from '../../apiserver/errors.ts';
import type { UserInfo } from '../../apiserver/auth/types.ts';
import {
  formatDuration, parseDuration, MINTED_FROM_ANNOTATION, OWNER_UID_ANNOTATION, SESSION_LABEL, accessKeyType, isScoped, type AccessKeySpec, type AccessKeyStatus, type Scope,
} from '../resources/index.ts';
import { type PlatformIndex, strictest } from '../platform-view/index.ts';
import { generateKeySecret, type SecretHasher } from './secrets.ts';
import { ownerLinks } from './access-key-index.ts';

export interface AccessKeyAdmissionDeps {
  hash: SecretHasher;
  platform: PlatformIndex;
  /** Whether `owner` is a known platform user. */
  userExists: (owner: string) => boolean;
  /** The uid of the User `owner` now (recorded on the key, so a re-created User does not inherit it). */
  ownerUid?: (owner: string) => string | undefined;
  /** May `requester` manage credentials of `owner`? (rule: system:masters, or RBAC allows impersonate on users/<owner> in root) */
  canActFor: (requester: UserInfo, owner: string) => Promise<boolean>;
  /** Receives the clear secret of a newly created key (revealed once in the create response). */
  reveal: (uid: string, secret: string) => void;
  now: () => number;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Projects whose credential policy governs a key with this scope (every project for an unscoped key). */
export function projectsTouched(p: PlatformIndex, scope: Scope | undefined): Set<string> {
  if (!isScoped(scope)) return new Set(p.policies.keys());
  const out = new Set(scope.projects ?? []);
  for (const c of scope.tenantClusters ?? []) { const pr = p.projectOf(c); if (pr) out.add(pr); }
  for (const n of scope.namespaces ?? []) { const pr = p.projectOf(n.cluster); if (pr) out.add(pr); }
  return out;
}

/** Throws a 403 naming the limit when the key's scope or lifetime is beyond a project's credential policy. */
export function checkKeyPolicy(p: PlatformIndex, name: string, scope: Scope | undefined, lifetimeMs: number | undefined, session = false): void {
  const projects = projectsTouched(p, scope);
  if (!isScoped(scope) && !session) {
    for (const pr of projects) {
      if (p.policies.get(pr)?.allowUnscopedKeys === false) {
        throw forbidden(accessKeyType, name, `project ${pr} does not allow unscoped access keys (credentialPolicy.allowUnscopedKeys: false); give the key a scope`);
      }
    }
  }
  const limit = strictest(p, projects, 'maxKeyTTL');
  if (!limit) return;
  if (lifetimeMs === undefined) {
    throw forbidden(accessKeyType, name, `access keys must expire: project ${limit.project} allows a lifetime of at most ${limit.text} (credentialPolicy.maxKeyTTL); set a ttl`);
  }
  if (lifetimeMs > limit.ms) {
    throw forbidden(accessKeyType, name, `access key lifetime ${formatDuration(lifetimeMs)} exceeds the maximum of ${limit.text} set by project ${limit.project} (credentialPolicy.maxKeyTTL)`);
  }
}

export function accessKeyAdmission(d: AccessKeyAdmissionDeps): Admission {
  return {
    name: 'AccessKeys',
    handles: (op, t) => op !== 'delete' && t.group === accessKeyType.group && t.resource === accessKeyType.resource,
    async admit(op, t, obj, old, ctx) {
      if (t.group !== accessKeyType.group || t.resource !== accessKeyType.resource || op === 'delete' || !obj) return;
      // what the key's chain links are read from is fixed at creation: no update (nor orphaning) changes it
      if (op !== 'create') for (const a of [OWNER_UID_ANNOTATION, MINTED_FROM_ANNOTATION]) keepAnnotation(obj, old!, a);
      if (ctx.subresource === 'status') return;
      const spec = (obj.spec ?? {}) as AccessKeySpec;
      const name = obj.metadata.name ?? '';
      if (op === 'create') {
        await admitOwner(d, ctx, obj, spec, name);
        const links = ownerLinks(obj);
        const annotations = { ...(obj.metadata.annotations ?? {}) };
        if (links.length) annotations[MINTED_FROM_ANNOTATION] = JSON.stringify(links); else delete annotations[MINTED_FROM_ANNOTATION];
        obj.metadata.annotations = annotations;
        const now = d.now();
        if (spec.ttl && !spec.expirationTimestamp) spec.expirationTimestamp = iso(now + parseDuration(spec.ttl));
        const lifetime = spec.ttl ? parseDuration(spec.ttl) : spec.expirationTimestamp ? Date.parse(spec.expirationTimestamp) - now : undefined;
        // login sessions (created by the server itself) are unscoped by nature; their lifetime is still capped
        checkKeyPolicy(d.platform, name, spec.scope, lifetime, !ctx.user && obj.metadata.labels?.[SESSION_LABEL] !== undefined);
        obj.spec = spec;
        if (ctx.dryRun) { obj.status = {}; return; }
        const secret = generateKeySecret();
        obj.status = { secretHash: d.hash(secret) } satisfies AccessKeyStatus;
        d.reveal(obj.metadata.uid!, secret);
        return;
      }
      // update: the owner cannot change; lifetime and scope stay within policy
      const created = Date.parse(old!.metadata.creationTimestamp ?? '') || d.now();
      const lifetime = spec.expirationTimestamp ? Date.parse(spec.expirationTimestamp) - created : undefined;
      const oldSpec = (old!.spec ?? {}) as AccessKeySpec;
      if (spec.expirationTimestamp !== oldSpec.expirationTimestamp || JSON.stringify(spec.scope) !== JSON.stringify(oldSpec.scope)) {
        checkKeyPolicy(d.platform, name, spec.scope, lifetime);
      }
    },
  };
}

async function admitOwner(d: AccessKeyAdmissionDeps, ctx: OpContext, obj: KObject, spec: AccessKeySpec, name: string): Promise<void> {
  const requester = ctx.user;
  if (!spec.user) {
    if (!requester) throw invalid('AccessKey', accessKeyType.group, name, [{ field: 'spec.user', message: 'Required value' }]);
    spec.user = requester.username;
  }
  if (requester && spec.user !== requester.username && !(await d.canActFor(requester, spec.user))) {
    throw forbidden(accessKeyType, name, `user "${requester.username}" may not create access keys for user "${spec.user}": only the user themself, or someone allowed to impersonate users/${spec.user} in root, may`);
  }
  if (!d.userExists(spec.user)) {
    throw invalid('AccessKey', accessKeyType.group, name, [{ field: 'spec.user', message: `Invalid value: "${spec.user}": no such platform user` }]);
  }
  obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'credentials.portcullis.io/user': labelValue(spec.user) };
  const uid = d.ownerUid?.(spec.user);
  if (uid) obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [OWNER_UID_ANNOTATION]: uid };
}

function keepAnnotation(obj: KObject, old: KObject, key: string): void {
  const stored = old.metadata.annotations?.[key];
  if (obj.metadata.annotations?.[key] === stored) return;
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  if (stored === undefined) delete annotations[key]; else annotations[key] = stored;
  obj.metadata.annotations = annotations;
}

/** A label-safe form of a username (for selecting a user's keys). */
export function labelValue(user: string): string {
  const v = user.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return v || 'x';
}
