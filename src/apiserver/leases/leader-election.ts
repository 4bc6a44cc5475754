// Leader election through the Storage interface itself: a coordination.k8s.io/v1 Lease at a fixed key, renewed
// with CAS by its holder; others take it over once they have seen it unchanged for a whole lease duration.
import { randomUUID } from 'node:crypto';
import { StorageError, type KObject, type Storage, type Stored } from '../storage/interface.ts';
import { objectKey } from '../storage/keys.ts';

const LEASES = { group: 'coordination.k8s.io', resource: 'leases', namespaced: true };

/** Storage key of a Lease object (it is a normal API object: `kubectl get lease -n <namespace>` shows it). */
export function leaseKey(cluster: string, namespace: string, name: string): string {
  return objectKey(cluster, LEASES, namespace, name);
}

export interface LeaderElectionOptions {
  storage: Storage;
  /** Key of the Lease, from leaseKey(). */
  key: string;
  /** Unique per candidate, e.g. `${hostname}_${pid}_${random}`. */
  identity: string;
  /** How long a lease stays valid without renewal. Default 15000 ms. */
  leaseDurationMs?: number;
  /** A leader that could not renew for this long steps down (must be < leaseDurationMs). Default 10000 ms. */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Default 2000 ms. */
  retryPeriodMs?: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  /** Errors other than the expected Conflict/Exists/Unavailable (for logging). */
  onError?(err: unknown): void;
}

export interface LeaderElector {
  readonly isLeader: boolean;
  /** Stops campaigning; a leader releases the lease (holder cleared) unless release is false. */
  stop(opts?: { release?: boolean }): Promise<void>;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
const microTime = (d = new Date()): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const specOf = (s: Stored): LeaseSpec => (s.object.spec ?? {}) as LeaseSpec;
const isCode = (err: unknown, ...codes: string[]): boolean => err instanceof StorageError && codes.includes(err.code);

/**
 * Starts campaigning at once. Expiry is judged like client-go: by how long this candidate has seen the same
 * lease revision (local monotonic clock), never by comparing clocks across machines.
 */
export function startLeaderElection(opts: LeaderElectionOptions): LeaderElector {
  const leaseMs = opts.leaseDurationMs ?? 15000;
  const deadlineMs = opts.renewDeadlineMs ?? Math.min(10000, Math.floor(leaseMs * 2 / 3));
  const retryMs = opts.retryPeriodMs ?? 2000;
  const now = (): number => performance.now();
  let leader = false;
  let stopped = false;
  let lastRenew = 0;
  let observed: { rv: number; at: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const lease = (prev: Stored | undefined, acquire: boolean): KObject => {
    const spec = prev ? specOf(prev) : {};
    const stamp = microTime();
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      ...prev?.object,
      metadata: prev ? { ...prev.object.metadata } : {
        name: opts.key.slice(opts.key.lastIndexOf('/') + 1), namespace: opts.key.split('/')[4],
        uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      spec: {
        ...spec,
        holderIdentity: opts.identity,
        leaseDurationSeconds: Math.max(1, Math.round(leaseMs / 1000)),
        acquireTime: acquire ? stamp : spec.acquireTime ?? stamp,
        renewTime: stamp,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (acquire && prev && spec.holderIdentity !== opts.identity ? 1 : 0),
      },
    };
  };

  const setLeader = (value: boolean): void => {
    if (leader === value) return;
    leader = value;
    if (value) opts.onStartedLeading(); else opts.onStoppedLeading();
  };

  /** One acquire-or-renew attempt; true when this candidate holds the lease afterwards. */
  const attempt = async (): Promise<boolean> => {
    const cur = await opts.storage.get(opts.key);
    if (!cur) {
      await opts.storage.create(opts.key, lease(undefined, true));
      return true;
    }
    if (!observed || observed.rv !== cur.rv) observed = { rv: cur.rv, at: now() };
    const holder = specOf(cur).holderIdentity ?? '';
    if (holder === opts.identity) {
      await opts.storage.update(opts.key, lease(cur, !leader), cur.rv);
      return true;
    }
    const expired = holder === '' || now() - observed.at >= leaseMs;
    if (!expired) return false;
    await opts.storage.update(opts.key, lease(cur, true), cur.rv);
    return true;
  };

  const tick = async (): Promise<void> => {
    try {
      const held = await attempt();
      if (held) lastRenew = now();
      setLeader(held);
    } catch (err) {
      // Conflict/Exists: someone else wrote first. Unavailable: storage down; a leader keeps its role only
      // until the renew deadline, so it stops before anyone else can consider the lease expired.
      if (!isCode(err, 'Conflict', 'Exists', 'NotFound', 'Unavailable')) opts.onError?.(err);
      if (isCode(err, 'Conflict', 'Exists') || now() - lastRenew >= deadlineMs) setLeader(false);
    }
  };

  const loop = (): void => {
    if (stopped) return;
    running = tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, retryMs);
    });
  };
  loop();
  // A renew call that hangs must not keep a stale leader in charge past its deadline.
  const watchdog = setInterval(() => { if (leader && now() - lastRenew >= deadlineMs) setLeader(false); }, retryMs);
  watchdog.unref();

  return {
    get isLeader() { return leader; },
    async stop({ release = true } = {}): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      await running;
      if (!leader) return;
      leader = false;
      opts.onStoppedLeading();
      if (!release) return;
      try {
        const cur = await opts.storage.get(opts.key);
        if (cur && specOf(cur).holderIdentity === opts.identity) {
          const spec = { ...specOf(cur), holderIdentity: '', renewTime: microTime() };
          await opts.storage.update(opts.key, { ...cur.object, spec }, cur.rv);
        }
      } catch (err) {
        if (!isCode(err, 'Conflict', 'NotFound', 'Unavailable')) opts.onError?.(err);
      }
    },
  };
}
