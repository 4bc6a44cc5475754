// The credentials service: the parts (indexes, token issuer, revocation list) and the operations the HTTP routes
// and the CLI rely on — session keys, audience-bound tokens, rotation, the per-user inventory and revocation.
import type { Store } from '../../apiserver/registry/store.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { badRequest, forbidden, notFound, StatusError, isNotFound } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import type { UserInfo } from '../../apiserver/auth/types.ts';
import { linkId, type Lineage } from '../../apiserver/auth/credential-chain.ts';
import type { IssuedTokenInfo } from '../../apiserver/extension.ts';
import { type AccessKeyIndex, type SecretReveal, generateKeySecret, type SecretHasher } from '../access-keys/index.ts';
import { type IdentityIndex, type PlatformIndex, strictest } from '../platform-view/index.ts';
import type { PlatformTokens } from '../tokens/index.ts';
import type { RevocationList } from '../revocation/index.ts';
import { formatDuration } from '../resources/index.ts';
import { clusterAccess, type RequestScope } from '../scope/index.ts';
import {
  API_VERSION, OWNER_UID_ANNOTATION, SESSION_LABEL, accessKeyType, issuedTokenType, isScoped, kubeconfigType,
  type AccessKeySpec, type AccessKeyStatus, type IssuedTokenSpec, type KubeconfigSpec, type KubeconfigStatus, type Scope,
} from '../resources/index.ts';

const DAY_MS = 24 * 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export interface SessionKeyOptions {
  /** 'cli' (default): a bearer key for `portcullis login`; 'browser': a console session (cookie only). */
  kind?: 'cli' | 'browser';
  ttlMs?: number;
  idleMs?: number;
  annotations?: Record<string, string>;
  /** What the session was minted from (the key is deleted with it). */
  ownerReferences?: KObject['metadata']['ownerReferences'];
}

export interface CredentialItem {
  id: string;
  /** Set on login sessions: 'cli' (portcullis login) or 'browser' (the console). */
  session?: 'cli' | 'browser';
  kind: 'AccessKey' | 'PlatformToken' | 'ServiceAccountToken' | 'Kubeconfig';
  name: string;
  user: string;
  scope?: Scope;
  cluster?: string;
  created?: string;
  expires?: string;
  lastUsed?: string;
  revoked?: boolean;
  /** Access keys: switched off (spec.disabled), e.g. when the user's identity provider revoked the user. */
  disabled?: boolean;
  /** The credentials it was minted from, nearest first (it dies with any of them): e.g. ["accesskey:ci", "user:alice"]. */
  chain?: string[];
}

export interface CredentialsCoreDeps {
  store: Store;
  keys: AccessKeyIndex;
  identities: IdentityIndex;
  platform: PlatformIndex;
  tokens: PlatformTokens;
  revocations: RevocationList;
  reveal: SecretReveal;
  hash: SecretHasher;
  clusterExists: (name: string) => boolean;
  canActFor: (requester: UserInfo, owner: string) => Promise<boolean>;
  /** The platform's management-access door (no token is minted for a cluster its holder could not enter). */
  mayEnter?: (u: UserInfo, cluster: string) => Promise<boolean>;
  now: () => number;
}

export class CredentialsCore {
  constructor(readonly d: CredentialsCoreDeps) {}

  /** Throws 403 unless `requester` is `owner` or may act for them. */
  async assertActFor(requester: UserInfo, owner: string, what: string): Promise<void> {
    if (requester.username === owner) return;
    if (await this.d.canActFor(requester, owner)) return;
    throw forbidden(null, '', `user "${requester.username}" may not ${what} of user "${owner}" (requires impersonate on users/${owner} in root)`);
  }

  /**
   * For a credential named by the caller: one they may not manage answers exactly as one that does not exist
   * (`missing()`), so nobody learns whether another user's credential exists or who owns it.
   */
  async assertVisible(requester: UserInfo, owner: string, missing: () => StatusError): Promise<void> {
    if (requester.username === owner || await this.d.canActFor(requester, owner)) return;
    throw missing();
  }

  /**
   * A login-session access key for `username` (CLI: 24 h; the console passes its own lifetime and idle timeout), its
   * lifetime clamped to the strictest project maxKeyTTL. Returns the secret (shown once). `ownerReferences` name what
   * the session was minted from (e.g. an IdentitySession): the key is deleted with it.
   */
  async createSessionKey(username: string, o: SessionKeyOptions = {}): Promise<{ key: string; name: string; expires: string }> {
    const limit = strictest(this.d.platform, this.d.platform.policies.keys(), 'maxKeyTTL');
    const wanted = o.ttlMs ?? DAY_MS;
    const ttl = Math.min(wanted, limit?.ms ?? wanted);
    const browser = o.kind === 'browser';
    const created = await this.d.store.create({ cluster: ROOT_CLUSTER }, accessKeyType, '', {
      apiVersion: API_VERSION, kind: 'AccessKey',
      metadata: { generateName: browser ? 'console-' : 'session-', labels: { [SESSION_LABEL]: browser ? 'browser' : 'true' }, annotations: o.annotations,
        ...(o.ownerReferences ? { ownerReferences: o.ownerReferences } : {}) },
      spec: {
        user: username, displayName: browser ? 'console session' : 'login session', ttl: formatDuration(ttl),
        ...(o.idleMs ? { idleTimeout: formatDuration(o.idleMs) } : {}),
      },
    });
    const key = this.d.reveal.take(created.metadata.uid!);
    if (!key) throw new StatusError(500, 'InternalError', 'session key was created without a secret');
    return { key, name: created.metadata.name!, expires: (created.spec as AccessKeySpec).expirationTimestamp! };
  }

  /**
   * An audience-bound token for `cluster`, recorded (jti, expiry, chain) for the inventory. `lineage` is what the
   * minting credential derives from (CredentialChains.lineage): the token carries it, dies with any credential on it,
   * and never outlives it (its lifetime is clamped to the earliest end along the chain).
   */
  async issueToken(user: UserInfo, lineage: Lineage, scope: RequestScope | undefined, cluster: string, ttlSeconds?: number) {
    if (this.d.mayEnter && !(await this.d.mayEnter(user, cluster))) {
      throw forbidden(null, '', `User "${user.username}" has no management access to tenant cluster "${cluster}": `
        + 'no token is issued for it (ask its project admins or owner for access)');
    }
    if (!this.d.clusterExists(cluster)) throw notFound({ group: 'tenancy.portcullis.io', resource: 'logicalclusters' }, cluster);
    if (scope && isScoped(scope.scope) && clusterAccess(scope.scope, cluster, (c) => this.d.platform.projectOf(c)).kind === 'none') {
      throw forbidden(null, '', `${scope.credential} cannot mint a token for cluster "${cluster}": it is outside its scope`);
    }
    const project = this.d.platform.projectOf(cluster);
    const limit = project ? strictest(this.d.platform, [project], 'maxTokenTTL') : undefined;
    let ttlMs = ttlSeconds !== undefined ? ttlSeconds * 1000 : DAY_MS;
    if (ttlSeconds !== undefined && (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)) throw badRequest('expirationSeconds must be a positive integer');
    if (limit && ttlMs > limit.ms) {
      if (ttlSeconds !== undefined) throw forbidden(null, '',
        `token lifetime ${formatDuration(ttlMs)} exceeds the maximum of ${limit.text} set by project ${limit.project} (credentialPolicy.maxTokenTTL)`);
      ttlMs = limit.ms;
    }
    const nowMs = this.d.now();
    if (lineage.expiresMs !== undefined) {
      if (lineage.expiresMs <= nowMs) throw forbidden(null, '', 'the credential this request was made with has expired');
      ttlMs = Math.min(ttlMs, lineage.expiresMs - nowMs);
    }
    const live = this.d.identities.has(user.username);
    const chain = lineage.refs.length ? lineage.refs : undefined;
    const issued = await this.d.tokens.issue({ user, cluster, ttlMs, live, scope: scope?.scope, via: scope?.credential, nowMs, chain });
    const spec: IssuedTokenSpec = {
      kind: 'PlatformToken', user: user.username, cluster, expiresAt: iso(issued.expires.getTime()),
      issuedVia: chain ? linkId(chain[0]) : undefined, ...(chain ? { chain: chain.map(linkId) } : {}),
    };
    if (scope && isScoped(scope.scope)) spec.scope = scope.scope;
    await this.d.store.create({ cluster: ROOT_CLUSTER }, issuedTokenType, '', { apiVersion: API_VERSION, kind: 'IssuedToken',
      metadata: { name: issued.jti }, spec: spec as unknown as Record<string, unknown> });
    return issued;
  }

  /** Records a ServiceAccount token issued through TokenRequest (the server's tokenSubresource onIssued hook). */
  async recordServiceAccountToken(info: IssuedTokenInfo): Promise<void> {
    const spec: IssuedTokenSpec = {
      kind: 'ServiceAccountToken', user: info.requestedBy ?? `system:serviceaccount:${info.namespace}:${info.name}`, cluster: info.cluster,
      expiresAt: iso(info.expires.getTime()), serviceAccount: `${info.namespace}/${info.name}`,
      ...(info.chain?.length ? { issuedVia: linkId(info.chain[0]), chain: info.chain.map(linkId) } : {}),
    };
    await this.d.store.create({ cluster: ROOT_CLUSTER }, issuedTokenType, '', { apiVersion: API_VERSION, kind: 'IssuedToken',
      metadata: { name: info.jti }, spec: spec as unknown as Record<string, unknown> });
  }

  /** A new secret for the key; the old one keeps working for `graceMs` (0: stops at once). */
  async rotate(name: string, graceMs: number): Promise<{ key: string; object: KObject }> {
    const secret = generateKeySecret();
    const now = this.d.now();
    const { object } = await this.d.store.update({ cluster: ROOT_CLUSTER, subresource: 'status' }, accessKeyType, '', name, (cur) => {
      if (!cur) throw notFound(accessKeyType, name);
      const status = (cur.status ?? {}) as AccessKeyStatus;
      const previous = (status.rotated?.previousHashes ?? []).filter((p) => Date.parse(p.graceUntil) + DAY_MS > now);
      if (status.secretHash) previous.push({ hash: status.secretHash, graceUntil: iso(now + graceMs) });
      cur.status = { ...status, secretHash: this.d.hash(secret), rotated: { previousHashes: previous } };
      return cur;
    });
    return { key: secret, object };
  }

  /** Every credential of `user` (all users when undefined). */
  async list(user: string | undefined): Promise<CredentialItem[]> {
    const out: CredentialItem[] = [];
    for (const e of this.d.keys.entries()) {
      if (user !== undefined && e.user !== user) continue;
      out.push({
        id: `accesskey:${e.name}`, kind: 'AccessKey', name: e.label, user: e.user, scope: isScoped(e.scope) ? e.scope : undefined, session: e.session,
        created: e.createdMs ? iso(e.createdMs) : undefined, expires: e.expiresMs ? iso(e.expiresMs) : undefined,
        lastUsed: e.lastUsedMs > e.createdMs ? iso(e.lastUsedMs) : undefined, disabled: e.disabled || undefined,
        chain: e.parents.map(linkId),
      });
    }
    const now = this.d.now();
    for (const o of (await this.d.store.list(ROOT_CLUSTER, issuedTokenType, '')).items) {
      const s = o.spec as unknown as IssuedTokenSpec;
      if ((user !== undefined && s.user !== user) || Date.parse(s.expiresAt) < now) continue;
      const prefix = s.kind === 'PlatformToken' ? 'platformtoken' : 'sa-token';
      out.push({
        id: `${prefix}:${o.metadata.name}`, kind: s.kind, name: s.serviceAccount ?? o.metadata.name!, user: s.user, scope: s.scope, cluster: s.cluster,
        created: o.metadata.creationTimestamp, expires: s.expiresAt, revoked: this.d.revocations.isJtiRevoked(o.metadata.name!),
        ...(s.chain?.length ? { chain: s.chain } : s.issuedVia ? { chain: [s.issuedVia] } : {}),
      });
    }
    for (const o of (await this.d.store.list(ROOT_CLUSTER, kubeconfigType, '')).items) {
      const s = o.spec as KubeconfigSpec;
      if (user !== undefined && s.username !== user) continue;
      const st = (o.status ?? {}) as KubeconfigStatus;
      out.push({
        id: `kubeconfig:${o.metadata.namespace}.${o.metadata.name}`, kind: 'Kubeconfig', name: `${o.metadata.namespace}/${o.metadata.name}`, user: s.username,
        cluster: s.target.tenantCluster, created: o.metadata.creationTimestamp, expires: st.notAfter,
        ...(st.serial && this.d.revocations.isSerialRevoked(st.serial) ? { revoked: true } : {}),
        ...(o.metadata.annotations?.[OWNER_UID_ANNOTATION] ? { chain: [`user:${s.username}`] } : {}),
      });
    }
    return out;
  }

  /** Revokes any credential by inventory id; `requester` must own it or may act for its owner. */
  async revoke(requester: UserInfo, id: string): Promise<string> {
    const colon = id.indexOf(':');
    const kind = id.slice(0, colon);
    const ref = id.slice(colon + 1);
    if (colon < 0 || !ref) throw badRequest(`invalid credential id "${id}": expected accesskey:<name>, platformtoken:<jti>, sa-token:<jti>, kubeconfig:<namespace>.<name> or x509:<serial>`);
    switch (kind) {
      case 'accesskey': {
        const e = this.d.keys.get(ref);
        if (!e) throw notFound(accessKeyType, ref);
        await this.assertVisible(requester, e.user, () => notFound(accessKeyType, ref));
        await this.d.store.delete({ cluster: ROOT_CLUSTER, user: requester }, accessKeyType, '', ref);
        return `access key "${e.label}" (${ref}) deleted`;
      }
      case 'platformtoken': case 'sa-token': {
        let rec: KObject;
        try { rec = await this.d.store.get(ROOT_CLUSTER, issuedTokenType, '', ref); } catch (e) {
          if (isNotFound(e)) throw notFound(issuedTokenType, ref);
          throw e;
        }
        const s = rec.spec as unknown as IssuedTokenSpec;
        await this.assertVisible(requester, s.user, () => notFound(issuedTokenType, ref));
        await this.d.revocations.revoke({ type: 'jti', value: ref, expiresAt: s.expiresAt, credentialId: id, reason: `revoked by ${requester.username}` });
        return `${s.kind === 'PlatformToken' ? 'platform token' : 'service account token'} ${ref} revoked`;
      }
      case 'kubeconfig': {
        const dot = ref.indexOf('.');
        const [ns, name] = [ref.slice(0, dot), ref.slice(dot + 1)];
        const missing = () => notFound(kubeconfigType, name);
        if (dot <= 0) throw missing();
        let o: KObject;
        try { o = await this.d.store.get(ROOT_CLUSTER, kubeconfigType, ns, name); } catch (e) {
          if (e instanceof StatusError && e.code === 404) throw missing();
          throw e;
        }
        await this.assertVisible(requester, (o.spec as KubeconfigSpec).username, missing);
        await this.d.store.delete({ cluster: ROOT_CLUSTER, user: requester }, kubeconfigType, ns, name);
        return `kubeconfig ${ns}/${name} deleted; its certificates are revoked`;
      }
      case 'x509': {
        if (!(await this.d.canActFor(requester, '*'))) throw forbidden(null, '', 'revoking a certificate by serial requires impersonate on users/* in root');
        await this.d.revocations.revoke({ type: 'serial', value: ref, expiresAt: iso(now10y(this.d.now())), credentialId: id,
          reason: `revoked by ${requester.username}` });
        return `certificate serial ${ref} revoked`;
      }
      default:
        throw badRequest(`unknown credential kind "${kind}" in id "${id}"`);
    }
  }
}

const now10y = (ms: number): number => ms + 3650 * DAY_MS;
