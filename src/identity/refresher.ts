// Keeps the groups of IdP users fresh: every user whose groups were confirmed longer than groupRefreshInterval ago
// is re-confirmed (refresh-token grant of its freshest session) — in the background on the leader, and on demand
// before the exec plugin gets a token. Crossing maxGroupStaleness is audited once; old revoked sessions are removed.
import type { Store } from '../apiserver/registry/store.ts';
import type { Leadership } from '../apiserver/controllers/leadership.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { PlatformAuditEvent } from '../apiserver/extension.ts';
import type { Accounts } from './accounts.ts';
import type { LinkIndex } from './links.ts';
import type { ProviderRegistry } from './providers.ts';
import { identitySessionType } from './types.ts';

const WEEK_MS = 7 * 24 * 3_600_000;

export interface RefresherDeps {
  store: Store;
  links: LinkIndex;
  registry: ProviderRegistry;
  accounts: Accounts;
  leadership: Leadership;
  now: () => number;
  log: (m: string) => void;
  audit: (e: PlatformAuditEvent) => void;
}

export class Refresher {
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly reportedStale = new Set<string>();
  private timer?: NodeJS.Timeout;
  private passing?: Promise<number>;

  constructor(private readonly d: RefresherDeps) {}

  start(tickMs: number): void {
    if (tickMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.d.leadership.isLeader()) this.pass().catch((e: Error) => this.d.log(`identity refresher: ${e.message}`));
    }, tickMs);
    this.timer.unref();
  }

  stop(): void { clearInterval(this.timer); }

  private due(username: string): boolean {
    const f = this.d.links.freshness(username);
    const p = f ? this.d.registry.get(f.provider) : undefined;
    if (!f || !p || !f.active.some((s) => s.hasRefreshToken)) return false;
    return this.d.now() - (f.confirmedAtMs ?? 0) >= p.settings.refreshMs;
  }

  /** Re-confirms `username` now if its groups are due; waits at most `maxWaitMs`. */
  async refreshIfDue(username: string, maxWaitMs = 10_000): Promise<void> {
    if (!this.due(username)) return;
    let p = this.inflight.get(username);
    if (!p) {
      p = this.refreshUser(username).finally(() => this.inflight.delete(username));
      this.inflight.set(username, p);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([p.catch((e: Error) => this.d.log(`identity: refreshing ${username}: ${e.message}`)),
      new Promise((r) => { timer = setTimeout(r, maxWaitMs); })]);
    clearTimeout(timer);
  }

  private async refreshUser(username: string): Promise<void> {
    const f = this.d.links.freshness(username);
    if (!f) return;
    const candidates = f.active.filter((s) => s.hasRefreshToken).sort((a, b) => b.confirmedAtMs - a.confirmedAtMs);
    for (const s of candidates) {
      const out = await this.d.accounts.refresh(s.name);
      // confirmed, revoked, or the IdP is unreachable (another session would not fare better); else try the next one
      if (out !== 'skipped' && out !== 'busy' && out !== 'ended') return;
    }
  }

  /** One pass over every IdP user (the leader runs it on a timer; tests call it). Returns how many were refreshed. */
  pass(): Promise<number> {
    this.passing ??= this.run().finally(() => { this.passing = undefined; });
    return this.passing;
  }

  private async run(): Promise<number> {
    let n = 0;
    const now = this.d.now();
    for (const [username] of [...this.d.links.linkedUsers()]) {
      if (this.due(username)) { await this.refreshIfDue(username, 60_000); n++; }
      this.reportStaleness(username, now);
    }
    await this.sweep(now);
    return n;
  }

  private reportStaleness(username: string, now: number): void {
    const f = this.d.links.freshness(username);
    const p = f ? this.d.registry.get(f.provider) : undefined;
    if (!f || !p || f.confirmedAtMs === undefined) return;
    const stale = now - f.confirmedAtMs > p.settings.staleMs;
    if (!stale) { this.reportedStale.delete(username); return; }
    if (this.reportedStale.has(username)) return;
    this.reportedStale.add(username);
    const e = this.d.links.problem(username, ROOT_CLUSTER);
    this.d.audit({ verb: 'stale', requestURI: `/identity/providers/${f.provider}/users`, user: { username }, code: 401, message: e?.message,
      annotations: { 'identity.portcullis.io/provider': f.provider } });
  }

  /** Revoked sessions are kept a week (their reason explains the 401s), then removed. */
  private async sweep(now: number): Promise<void> {
    for (const [username] of [...this.d.links.linkedUsers()]) {
      for (const s of this.d.links.sessionsOf(username)) {
        if (s.state === 'Revoked' && now - s.confirmedAtMs > WEEK_MS) {
          await this.d.store.delete({ cluster: ROOT_CLUSTER }, identitySessionType, '', s.name).catch(() => undefined);
        }
      }
    }
  }
}
