// Leadership handle for controllers: whether this replica may run reconcilers right now, with change notifications.
// alwaysLeader serves a single-process (SQLite) server; electedLeadership follows a Lease in the store.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Storage } from '../storage/interface.ts';
import { leaseKey, startLeaderElection, type LeaderElector } from '../leases/leader-election.ts';

export interface Leadership {
  isLeader(): boolean;
  /** Calls fn(isLeader) after every change; returns an unsubscribe function. */
  onChange(fn: (leader: boolean) => void): () => void;
}

/** The single-replica case: always leading, never changes. */
export const alwaysLeader: Leadership = Object.freeze({
  isLeader: () => true,
  onChange: () => () => undefined,
});

/** A Leadership whose value is set by its owner (e.g. a leader elector); listeners run synchronously on change. */
export class LeadershipState implements Leadership {
  private leader = false;
  private readonly listeners = new Set<(leader: boolean) => void>();

  isLeader(): boolean { return this.leader; }

  onChange(fn: (leader: boolean) => void): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  set(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    for (const fn of [...this.listeners]) fn(leader);
  }
}

/** The Lease controllers of a replicated server campaign for: root cluster, kube-system (like kube-controller-manager). */
export const CONTROLLERS_LEASE = leaseKey('root', 'kube-system', 'portcullis-controllers');

export interface ElectedLeadership {
  leadership: Leadership;
  identity: string;
  /** Stops campaigning and releases the lease so another replica takes over at once. */
  stop(): Promise<void>;
}

/** Campaigns for CONTROLLERS_LEASE (or opts.key) through `storage`; the returned handle follows the outcome. */
export function startElectedLeadership(storage: Storage, log: (m: string) => void, opts: {
  key?: string; identity?: string; leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number;
} = {}): ElectedLeadership {
  const state = new LeadershipState();
  const identity = opts.identity ?? `${hostname()}_${process.pid}_${randomUUID().slice(0, 8)}`;
  const elector: LeaderElector = startLeaderElection({
    storage,
    key: opts.key ?? CONTROLLERS_LEASE,
    identity,
    leaseDurationMs: opts.leaseDurationMs,
    renewDeadlineMs: opts.renewDeadlineMs,
    retryPeriodMs: opts.retryPeriodMs,
    onStartedLeading: () => { log(`controllers: ${identity} is now the leader`); state.set(true); },
    onStoppedLeading: () => { log(`controllers: ${identity} stopped leading`); state.set(false); },
    onError: (e) => log(`controllers: leader election: ${e instanceof Error ? e.message : String(e)}`),
  });
  return { leadership: state, identity, stop: () => elector.stop() };
}
