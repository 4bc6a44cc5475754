// Users from identity providers: linking or creating the User of a mapped identity (issuer + subject is the identity,
// never the email), the IdentitySessions of its logins (sealed refresh tokens), and the confirmations that keep its
// groups fresh. A user the IdP refuses is revoked everywhere (revocation.ts).
import { createHash, randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import type { Store } from '../apiserver/registry/store.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import {
  StatusError, unauthorized, isNotFound, forbidden, notFoundMessage, ignoreNotFound,
} from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { userType, type UserSpec } from '../platform/index.ts';
import type { PlatformAuditEvent } from '../apiserver/extension.ts';
import type { MappedIdentity } from './claims.ts';
import { mapClaims } from './claims.ts';
import { verifyIdToken } from './id-token.ts';
import { describeError } from './idp-fetch.ts';
import type { LinkIndex } from './links.ts';
import type { ProviderRegistry, ProviderRuntime } from './providers.ts';
import type { Sealer } from './sealer.ts';
import {
  API_VERSION, identitySessionType, sessionSpec, sessionStatus,
  type IdentitySessionSpec, type IdentitySessionStatus, type SessionVia,
} from './types.ts';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const ROOT = { cluster: ROOT_CLUSTER };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface AccountsDeps {
  store: Store;
  registry: ProviderRegistry;
  links: LinkIndex;
  sealer: Sealer;
  now: () => number;
  log: (m: string) => void;
  audit: (e: PlatformAuditEvent) => void;
  /** Revokes every credential of a user (access keys disabled, tokens and certificates revoked). */
  revokeCredentials: (username: string, reason: string) => Promise<number>;
}

/** confirmed; skipped (nothing to do); busy (another holder); failed (IdP unreachable); ended (this session); revoked (the user). */
export type RefreshOutcome = 'confirmed' | 'skipped' | 'busy' | 'failed' | 'ended' | 'revoked';

export class Accounts {
  private readonly holder = randomUUID();

  constructor(private readonly d: AccountsDeps) {}

  /** Links the identity to its User (creating it on first login); throws 401/403 when the name belongs to someone else. */
  async ensureUser(p: ProviderRuntime, id: MappedIdentity): Promise<void> {
    const who = `identity provider "${p.settings.name}"`;
    let cur: KObject | undefined;
    try { cur = await this.d.store.get(ROOT_CLUSTER, userType, '', id.username); } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const link = { provider: p.settings.name, issuer: id.issuer, subject: id.subject };
    if (!cur) {
      const spec: UserSpec = { groups: id.groups, identity: link };
      if (id.displayName) spec.displayName = id.displayName;
      if (id.email && EMAIL.test(id.email) && id.email.length <= 254) spec.email = id.email;
      try {
        await this.d.store.create(ROOT, userType, '', { apiVersion: API_VERSION, kind: 'User',
          metadata: { name: id.username }, spec: spec as Record<string, unknown> });
        return;
      } catch (e) {
        if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
        cur = await this.d.store.get(ROOT_CLUSTER, userType, '', id.username);
      }
    }
    const have = (cur.spec ?? {}) as UserSpec;
    const taken = (why: string) => forbidden(null, '', `the username "${id.username}" from ${who} ${why}`);
    if (!have.identity) throw taken('belongs to a local user; an admin can link it by setting spec.identity.provider on that User');
    if (have.identity.provider !== link.provider) throw taken(`belongs to a user of identity provider "${have.identity.provider}"`);
    if ((have.identity.issuer && have.identity.issuer !== link.issuer) || (have.identity.subject && have.identity.subject !== link.subject)) {
      throw taken('belongs to another account of that IdP (its subject differs)');
    }
    if ((have as { disabled?: boolean }).disabled === true) throw unauthorized(`user "${id.username}" is disabled`);
    if (have.identity.issuer !== link.issuer || have.identity.subject !== link.subject) {
      await this.d.store.update(ROOT, userType, '', id.username, (u) => { (u!.spec as UserSpec).identity = link; return u!; });
    }
  }

  /** The groups every credential of the user acts with (written only when they change). */
  async setGroups(username: string, groups: string[]): Promise<void> {
    await this.d.store.update(ROOT, userType, '', username, (u) => {
      if (!u) throw notFoundMessage(`user ${username} not found`);
      const spec = (u.spec ?? {}) as UserSpec;
      if (JSON.stringify([...(spec.groups ?? [])].sort()) !== JSON.stringify([...groups].sort())) u.spec = { ...spec, groups };
      return u;
    });
  }

  /** A new session for a completed login; its refresh token is sealed with the store key. */
  async startSession(p: ProviderRuntime, id: MappedIdentity, via: SessionVia, refreshToken: string | undefined,
    cliCode?: IdentitySessionStatus['cliCode']): Promise<KObject> {
    await this.ensureUser(p, id);
    await this.setGroups(id.username, id.groups);
    const spec: IdentitySessionSpec = { provider: p.settings.name, providerUID: p.settings.uid, user: id.username,
      issuer: id.issuer, subject: id.subject, via };
    const status: IdentitySessionStatus = {
      state: 'Active', confirmedAt: iso(this.d.now()), groups: id.groups,
      ...(refreshToken ? { refreshToken: this.d.sealer.seal('refresh-token', refreshToken) } : {}), ...(cliCode ? { cliCode } : {}),
    };
    const obj = await this.d.store.create(ROOT, identitySessionType, '', {
      apiVersion: API_VERSION, kind: 'IdentitySession', metadata: { generateName: `${via}-` },
      spec: spec as unknown as Record<string, unknown>, status: status as unknown as Record<string, unknown>,
    });
    this.d.links.setSession(obj); // visible to this replica's authentication at once
    return obj;
  }

  /** A bearer ID token confirms the user as of its iat: recorded in the user's "id-token" session. */
  async confirmByIdToken(p: ProviderRuntime, id: MappedIdentity, iatMs: number): Promise<void> {
    await this.ensureUser(p, id);
    const name = `id-token-${createHash('sha256').update(`${p.settings.uid}\n${id.username}`).digest('hex').slice(0, 24)}`;
    const confirmedAt = Math.min(iatMs, this.d.now());
    const spec: IdentitySessionSpec = { provider: p.settings.name, providerUID: p.settings.uid, user: id.username,
      issuer: id.issuer, subject: id.subject, via: 'id-token' };
    let newer = true;
    const { object } = await this.d.store.update(ROOT, identitySessionType, '', name, (cur) => {
      const st = cur ? sessionStatus(cur) : undefined;
      newer = !st || st.state !== 'Active' || Date.parse(st.confirmedAt) < confirmedAt;
      if (!newer) return cur!;
      return {
        apiVersion: API_VERSION, kind: 'IdentitySession', metadata: { ...(cur?.metadata ?? {}), name },
        spec: spec as unknown as Record<string, unknown>,
        status: { state: 'Active', confirmedAt: iso(confirmedAt), groups: id.groups } satisfies IdentitySessionStatus as unknown as Record<string, unknown>,
      };
    }, { allowCreate: true });
    this.d.links.setSession(object);
    if (newer) await this.setGroups(id.username, id.groups);
  }

  /** Ends one session (logout); the credentials minted from it go with it (owner references). */
  async endSession(name: string, reason: string): Promise<void> {
    await this.markRevoked(name, reason);
  }

  private async markRevoked(name: string, reason: string): Promise<void> {
    await this.d.store.update(ROOT, identitySessionType, '', name, (cur) => {
      if (!cur) throw notFoundMessage(`session ${name} not found`);
      const st = sessionStatus(cur);
      cur.status = { ...st, state: 'Revoked', reason, refreshToken: undefined, refreshing: undefined,
        cliCode: undefined } as unknown as Record<string, unknown>;
      return cur;
    }).then(({ object }) => this.d.links.setSession(object), ignoreNotFound);
  }

  /** The IdP no longer vouches for the user: every session ends and every credential is revoked. */
  async revokeUser(username: string, provider: string, reason: string): Promise<void> {
    for (const s of this.d.links.sessionsOf(username)) if (s.state === 'Active') await this.markRevoked(s.name, reason);
    const n = await this.d.revokeCredentials(username, reason);
    this.d.log(`identity: user ${username} revoked (${n} credentials): ${reason}`);
    this.d.audit({ verb: 'revoke', requestURI: `/identity/providers/${provider}/users`, user: { username }, code: 401, message: reason,
      annotations: { 'identity.portcullis.io/provider': provider, 'identity.portcullis.io/revoked-credentials': String(n) } });
  }

  /**
   * Re-confirms the user of session `name` with its IdP (refresh-token grant). Only one holder redeems a session's
   * refresh token at a time (IdPs rotate them); invalid_grant means the IdP refuses the user: the session ends, and
   * with the user's last refreshable session every credential of the user is revoked.
   */
  async refresh(name: string): Promise<RefreshOutcome> {
    const rec = this.d.links.session(name);
    if (!rec || rec.state !== 'Active' || !rec.hasRefreshToken) return 'skipped';
    const p = this.d.registry.get(rec.provider);
    const now = this.d.now();
    if (!p || p.settings.uid !== rec.providerUID) return 'skipped';
    let sealed: string | undefined;
    let subject = '';
    try {
      const { object } = await this.d.store.update(ROOT, identitySessionType, '', name, (cur) => {
        if (!cur) throw notFoundMessage('gone');
        const st = sessionStatus(cur);
        if (st.state !== 'Active' || !st.refreshToken) throw new Busy();
        if (st.refreshing && st.refreshing.holder !== this.holder && Date.parse(st.refreshing.until) > now) throw new Busy();
        sealed = st.refreshToken;
        subject = sessionSpec(cur).subject;
        cur.status = { ...st, refreshing: { holder: this.holder, until: iso(now + 30_000) }, lastAttemptAt: iso(now) } as unknown as Record<string, unknown>;
        return cur;
      });
      this.d.links.setSession(object);
    } catch (e) {
      if (e instanceof Busy) return 'busy';
      if (isNotFound(e)) return 'skipped';
      throw e;
    }
    const fail = (message: string) => this.record(name, { lastError: message }).then(() => {
      this.d.audit(refreshEvent(rec.user, p.settings.name, 503, message));
      return 'failed' as const;
    });
    if (!p.ready || !p.config) return fail(`identity provider "${p.settings.name}" is not ready (${p.reason}: ${p.message})`);
    const refreshToken = this.d.sealer.open<string>('refresh-token', sealed!, now);
    if (!refreshToken) return fail('the stored refresh token cannot be unsealed with this server\'s store key');
    let tokens: Awaited<ReturnType<typeof client.refreshTokenGrant>>;
    try {
      tokens = await client.refreshTokenGrant(p.config, refreshToken);
    } catch (e) {
      if (e instanceof client.ResponseBodyError && e.error === 'invalid_grant') {
        return this.refused(name, rec.user, p, `identity provider "${p.settings.name}" refused to renew the login of user "${rec.user}" ` +
          `(invalid_grant${e.error_description ? `: ${e.error_description}` : ''}): the user was removed or disabled there, or its grant was revoked`);
      }
      return fail(`cannot reach identity provider "${p.settings.name}": ${describeError(e)}`);
    }
    let claims: Record<string, unknown>;
    try {
      if (tokens.id_token) claims = await verifyIdToken(p, tokens.id_token, this.d.now());
      else claims = { ...(await client.fetchUserInfo(p.config, tokens.access_token, subject)), iss: p.settings.issuer };
    } catch (e) {
      return fail(`identity provider "${p.settings.name}" answered with an unusable token: ${describeError(e)}`);
    }
    if (claims.sub !== subject) return fail(`identity provider "${p.settings.name}" renewed the login for another subject`);
    const mapped = mapClaims(p.settings, claims);
    if (!mapped.ok) return this.refused(name, rec.user, p, `identity provider "${p.settings.name}" no longer accepts user "${rec.user}": ${mapped.message}`);
    await this.setGroups(rec.user, mapped.identity.groups);
    const next = tokens.refresh_token ? this.d.sealer.seal('refresh-token', tokens.refresh_token) : sealed;
    await this.record(name, { confirmedAt: iso(this.d.now()), groups: mapped.identity.groups, refreshToken: next, lastError: undefined });
    this.d.audit(refreshEvent(rec.user, p.settings.name, 200, `groups confirmed: ${mapped.identity.groups.join(', ') || '(none)'}`, mapped.identity.groups));
    return 'confirmed';
  }

  /** The IdP refused this session: it ends; when it was the user's last refreshable one, the user is revoked. */
  private async refused(name: string, user: string, p: ProviderRuntime, reason: string): Promise<RefreshOutcome> {
    await this.markRevoked(name, reason);
    this.d.audit(refreshEvent(user, p.settings.name, 401, reason));
    if (this.d.links.sessionsOf(user).some((s) => s.state === 'Active' && s.hasRefreshToken)) return 'ended';
    await this.revokeUser(user, p.settings.name, `${reason}; every credential of this user was revoked`);
    return 'revoked';
  }

  private async record(name: string, patch: Partial<IdentitySessionStatus>): Promise<void> {
    const { object } = await this.d.store.update(ROOT, identitySessionType, '', name, (cur) => {
      if (!cur) throw notFoundMessage('gone');
      const st = { ...sessionStatus(cur), ...patch };
      delete st.refreshing;
      for (const k of Object.keys(st) as Array<keyof IdentitySessionStatus>) if (st[k] === undefined) delete st[k];
      cur.status = st as unknown as Record<string, unknown>;
      return cur;
    });
    this.d.links.setSession(object);
  }
}

class Busy extends Error {}

function refreshEvent(username: string, provider: string, code: number, message: string, groups?: string[]): PlatformAuditEvent {
  return {
    verb: 'idp-refresh', requestURI: `/identity/providers/${provider}/refresh`, user: { username, groups }, code, message,
    annotations: { 'identity.portcullis.io/provider': provider },
  };
}
