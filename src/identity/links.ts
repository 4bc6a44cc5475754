// Which users come from an identity provider and how fresh their groups are (User spec.identity and IdentitySession
// objects, fed by the informer on every replica), the check every authentication of such a user passes (groups
// confirmed within maxGroupStaleness, a session the IdP has not revoked, a project IdP's users kept in their project),
// and the credential-chain links of IdP logins.
import type { Informer } from '../apiserver/controllers/informer.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import { forbidden, StatusError, unauthorized } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { AuthnRequest, AuthnResult } from '../apiserver/auth/types.ts';
import type { CredentialChains } from '../apiserver/auth/credential-chain.ts';
import { formatDuration } from '../credentials/index.ts';
import type { ProviderRegistry } from './providers.ts';
import { GROUP, identitySessionType, sessionSpec, sessionStatus } from './types.ts';

export interface UserLink { provider: string; issuer?: string; subject?: string }
export interface SessionRec {
  name: string; uid: string; user: string; provider: string; providerUID: string; via: string;
  state: 'Active' | 'Revoked'; reason?: string; confirmedAtMs: number; lastError?: string; hasRefreshToken: boolean;
}
export interface Freshness {
  provider: string;
  /** Latest confirmation among the user's active sessions of its IdP. */
  confirmedAtMs?: number;
  active: SessionRec[];
  /** Why the user's sessions were revoked (when none is active). */
  revokedReason?: string;
  lastError?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export class LinkIndex {
  private readonly links = new Map<string, UserLink>();
  private readonly sessions = new Map<string, SessionRec>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly tenants = new Map<string, string>();
  private readonly sessionListeners: Array<(prev: SessionRec | undefined, next: SessionRec | undefined) => void> = [];

  constructor(private readonly registry: ProviderRegistry, private readonly now: () => number) {}

  register(informer: Informer): void {
    informer.on(GROUP, 'users', (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      const id = ev.type === 'DELETED' ? undefined : ((ev.object.spec ?? {}) as { identity?: UserLink }).identity;
      if (id?.provider) this.links.set(ev.name, id); else this.links.delete(ev.name);
    });
    informer.on(identitySessionType.group, identitySessionType.resource, (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      if (ev.type === 'DELETED') this.removeSession(ev.name); else this.setSession(ev.object);
    });
    informer.on(GROUP, 'tenantclusters', (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      const project = ((ev.object.spec ?? {}) as { project?: string }).project;
      if (ev.type === 'DELETED' || !project) this.tenants.delete(ev.name); else this.tenants.set(ev.name, project);
    });
  }

  setSession(o: KObject): void {
    const spec = sessionSpec(o);
    const st = sessionStatus(o);
    const rec: SessionRec = {
      name: o.metadata.name!, uid: o.metadata.uid ?? '', user: spec.user, provider: spec.provider, providerUID: spec.providerUID, via: spec.via,
      state: o.metadata.deletionTimestamp ? 'Revoked' : st.state, reason: st.reason, confirmedAtMs: Date.parse(st.confirmedAt) || 0,
      lastError: st.lastError, hasRefreshToken: !!st.refreshToken,
    };
    const prev = this.sessions.get(rec.name);
    if (prev && prev.user !== rec.user) this.byUser.get(prev.user)?.delete(rec.name);
    this.sessions.set(rec.name, rec);
    let set = this.byUser.get(rec.user);
    if (!set) { set = new Set(); this.byUser.set(rec.user, set); }
    set.add(rec.name);
    for (const l of this.sessionListeners) l(prev, rec);
  }

  removeSession(name: string): void {
    const prev = this.sessions.get(name);
    if (!prev) return;
    this.sessions.delete(name);
    const set = this.byUser.get(prev.user);
    set?.delete(name);
    if (set && !set.size) this.byUser.delete(prev.user);
    for (const l of this.sessionListeners) l(prev, undefined);
  }

  /** Adds a listener told synchronously of every change to a session (its record before and after; undefined: none). */
  onSessionChange(listener: (prev: SessionRec | undefined, next: SessionRec | undefined) => void): void {
    this.sessionListeners.push(listener);
  }

  /** Direct updates (tests; the informer feeds them otherwise). */
  setLink(username: string, link: UserLink | undefined): void { if (link) this.links.set(username, link); else this.links.delete(username); }
  setTenant(cluster: string, project: string | undefined): void { if (project) this.tenants.set(cluster, project); else this.tenants.delete(cluster); }

  link(username: string): UserLink | undefined { return this.links.get(username); }
  linkedUsers(): IterableIterator<[string, UserLink]> { return this.links.entries(); }
  session(name: string): SessionRec | undefined { return this.sessions.get(name); }
  sessionsOf(username: string): SessionRec[] {
    return [...(this.byUser.get(username) ?? [])].map((n) => this.sessions.get(n)!).filter(Boolean);
  }
  projectOfCluster(cluster: string): string | undefined { return this.tenants.get(cluster); }

  /** The user's freshness with its IdP, or undefined when the user does not come from one. */
  freshness(username: string): Freshness | undefined {
    const link = this.links.get(username);
    if (!link) return undefined;
    const uid = this.registry.get(link.provider)?.settings.uid;
    const mine = this.sessionsOf(username).filter((s) => s.provider === link.provider && s.providerUID === uid);
    const active = mine.filter((s) => s.state === 'Active');
    const f: Freshness = { provider: link.provider, active };
    for (const s of active) {
      if (f.confirmedAtMs === undefined || s.confirmedAtMs > f.confirmedAtMs) { f.confirmedAtMs = s.confirmedAtMs; f.lastError = s.lastError; }
    }
    if (!active.length) f.revokedReason = mine.filter((s) => s.reason).sort((a, b) => b.confirmedAtMs - a.confirmedAtMs)[0]?.reason;
    return f;
  }

  /** Why credentials of `username` must not work now (undefined: they may), for the authentication check. */
  problem(username: string, cluster: string): StatusError | undefined {
    const f = this.freshness(username);
    if (!f) return undefined;
    const p = this.registry.get(f.provider);
    const who = `identity provider "${f.provider}"`;
    if (!p) return unauthorized(`user "${username}" comes from ${who}, which is no longer configured; its credentials no longer work`);
    if (!f.active.length) {
      return unauthorized(f.revokedReason
        ? `every credential of user "${username}" was revoked: ${f.revokedReason}`
        : `user "${username}" has no login confirmed by ${who}: log in again (portcullis login <server> --idp ${f.provider})`);
    }
    const age = this.now() - f.confirmedAtMs!;
    if (age > p.settings.staleMs) {
      return unauthorized(`${who} has not confirmed user "${username}" and its groups since ${iso(f.confirmedAtMs!)}, longer than its ` +
        `maxGroupStaleness of ${formatDuration(p.settings.staleMs)}${f.lastError ? ` (last attempt: ${f.lastError})` : ''}; ` +
        'every credential of this user fails closed until the IdP confirms again (log in again once it is reachable)');
    }
    const project = p.settings.project;
    if (project && cluster !== ROOT_CLUSTER) {
      const of = this.tenants.get(cluster);
      if (of !== undefined && of !== project) {
        return forbidden(null, '',
          `user "${username}" comes from ${who} of project "${project}" and may only reach that project's clusters`);
      }
    }
    return undefined;
  }

  /** The authentication check (m.authenticationChecks): O(1) for users that do not come from an IdP. */
  readonly check = (result: AuthnResult, r: AuthnRequest): void => {
    if (!this.links.size) return;
    const e = this.problem(result.user.username, r.cluster);
    if (e) throw e;
  };
}

/** What the session resolver reads of a session: a refresh's new confirmation time leaves every verdict as it was. */
const sessionLinkState = (s: SessionRec | undefined): string => (s ? `${s.uid}\n${s.user}\n${s.state}\n${s.reason ?? ''}` : '');

/**
 * A credential minted from an IdP login (its session keys, generate-token kubeconfigs) dies with the login: the
 * "identitysession:<name>#<uid>" links, and the chains told of every change that could alter their answer.
 */
export function registerSessionLinks(chains: CredentialChains, links: LinkIndex): void {
  links.onSessionChange((prev, next) => { if (sessionLinkState(prev) !== sessionLinkState(next)) chains.changed(); });
  chains.register('identitysession', (ref) => {
    const body = ref.slice(ref.indexOf(':') + 1);
    const [name, uid] = body.split('#');
    const s = links.session(name);
    if (!s || (uid && s.uid !== uid)) return { problem: `identity-provider login ${name} has ended` };
    if (s.state !== 'Active') return { problem: `identity-provider login ${name} was revoked${s.reason ? `: ${s.reason}` : ''}` };
    return { parents: [`user:${s.user}`] };
  });
}
