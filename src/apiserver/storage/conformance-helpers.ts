// Shared fixtures of the storage conformance suite: the backend factory type, keys, objects and watch recorders.
import assert from 'node:assert/strict';
import { StorageError, type KObject, type Storage, type StorageErrorCode, type StorageEvent, type Stored, type Watcher } from './interface.ts';
import { objectKey } from './keys.ts';

export interface ConformanceOptions {
  /** Keep at most this many events for watches from past rvs (the factory must honour it). */
  eventRetention?: number;
}
/** Makes a fresh, working store; cleanup() closes it and removes whatever it created. */
export type StorageFactory = (opts?: ConformanceOptions) => Promise<{ storage: Storage; cleanup(): Promise<void> }>;

let seq = 0;
const CONFIGMAPS = { group: '', resource: 'configmaps', namespaced: true };

/** A per-test logical cluster, so backends that share a database between tests stay isolated. */
export function newCluster(): string {
  return `conf${++seq}x${Math.random().toString(36).slice(2, 8)}`;
}
export function cmKey(cluster: string, name: string, namespace = 'default'): string {
  return objectKey(cluster, CONFIGMAPS, namespace, name);
}
export function configMap(name: string, data: Record<string, string> = {}, namespace = 'default'): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { app: 'conf' } }, data };
}

export async function withStorage(
  make: StorageFactory, fn: (storage: Storage, cluster: string) => Promise<void>, opts?: ConformanceOptions,
): Promise<void> {
  const { storage, cleanup } = opts ? await make(opts) : await make();
  try {
    await fn(storage, newCluster());
  } finally {
    await cleanup();
  }
}

/** A Stored record is well formed: key as expected and object.metadata.resourceVersion === String(rv). */
export function assertStored(s: Stored | undefined, key?: string): asserts s is Stored {
  assert.ok(s, 'expected a stored object');
  if (key !== undefined) assert.equal(s.key, key);
  assert.ok(Number.isSafeInteger(s.rv) && s.rv > 0, `rv must be a positive integer, got ${s.rv}`);
  assert.equal(s.object.metadata.resourceVersion, String(s.rv));
}

export function isCode(err: unknown, code: StorageErrorCode): boolean {
  return err instanceof StorageError && err.code === code;
}
export async function rejectsWith(p: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StorageError, `expected StorageError(${code}), got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

/** Polls `pred` until it holds; fails with `what` after 10 s (a hang guard, not a timing assertion). */
export async function eventually(pred: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export interface Recorder {
  events: StorageEvent[];
  errors: StorageError[];
  watcher: Watcher;
  /** Waits until an event for `key` with rv >= `rv` arrived (or any event for key when rv is omitted). */
  until(key: string, rv?: number): Promise<void>;
}
export function record(storage: Storage, prefix: string, fromRV: number): Recorder {
  const events: StorageEvent[] = [];
  const errors: StorageError[] = [];
  const watcher = storage.watch(prefix, fromRV, (e) => events.push(e), (e) => errors.push(e));
  return {
    events, errors, watcher,
    until: (key, rv = 0) => eventually(() => events.some((e) => e.key === key && e.rv >= rv), `event on ${key} at rv >= ${rv}`),
  };
}

/** Summary of events for deep comparisons. */
export const brief = (events: StorageEvent[]): Array<[string, string, number]> => events.map((e) => [e.type, e.key, e.rv]);

/** Attempts a mutation; frozen objects may refuse it (TypeError), copies may accept it: both are fine. */
export function tryMutate(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
  }
}

export function assertIncreasing(rvs: number[], what: string): void {
  for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i] > rvs[i - 1], `${what}: rv ${rvs[i]} after ${rvs[i - 1]}`);
}
