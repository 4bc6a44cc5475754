// The in-memory access-key index fed by the informer: secret hash → key (O(1)), with the rules that make a key
// unusable (disabled, expired, idle, rotated past its grace period, deleted) and the reason reported with the 401.
import type { Informer } from '../../apiserver/controllers/informer.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import {
  parseDuration, formatDuration, accessKeyType, DISABLED_REASON_ANNOTATION, OWNER_UID_ANNOTATION, SESSION_CHAIN_ANNOTATION,
  SESSION_LABEL, type AccessKeySpec, type AccessKeyStatus, type Scope,
} from '../resources/index.ts';
import { secretFingerprint } from './secrets.ts';

export interface KeyEntry {
  name: string;
  label: string;
  user: string;
  scope?: Scope;
  createdMs: number;
  expiresMs?: number;
  idleMs?: number;
  disabled: boolean;
  disabledReason?: string;
  deleting: boolean;
  /** Last use known from the stored status or from this replica. */
  lastUsedMs: number;
  hash?: string;
  previous: Array<{ hash: string; graceUntilMs: number; fp: string }>;
  /** Login sessions: 'cli' (portcullis login, a bearer key) or 'browser' (the console's cookie; never a bearer). */
  session?: 'cli' | 'browser';
  /** uid of the owning User when the key was created: a User deleted and created again does not inherit the key. */
  ownerUid?: string;
  /** Sessions: how the user proved who they are (e.g. ["password"]); CLI sessions from before the chain: ["password"]. */
  chain?: string[];
  /** Fingerprint of the current secret (secretFingerprint), for the chains of what the key mints. */
  fp?: string;
  /** Credential-chain links of what the key was minted from (its owner User, an IdentitySession it belongs to). */
  parents: string[];
}

export interface KeyMatch { entry: KeyEntry; graceUntilMs?: number }

/** Told synchronously of every change to a key: its entry before and after (undefined: absent). */
export type KeyChangeListener = (prev: KeyEntry | undefined, next: KeyEntry | undefined) => void;

export class AccessKeyIndex {
  private readonly byHash = new Map<string, KeyMatch>();
  private readonly byName = new Map<string, KeyEntry>();
  /** Hashes of keys deleted while this replica ran (for a precise 401 reason), bounded. */
  private readonly tombstones = new Map<string, string>();
  private readonly listeners: KeyChangeListener[] = [];

  /** Adds a listener for every change (the credential chains' verdicts depend on keys). */
  onChange(listener: KeyChangeListener): void { this.listeners.push(listener); }

  register(informer: Informer): void {
    informer.on(accessKeyType.group, accessKeyType.resource, (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      if (ev.type === 'DELETED') this.remove(ev.name, true); else this.upsert(ev.object);
    });
  }

  upsert(o: KObject): void {
    const name = o.metadata.name!;
    const prev = this.byName.get(name);
    this.unindex(name, false);
    const spec = (o.spec ?? {}) as AccessKeySpec;
    const status = (o.status ?? {}) as AccessKeyStatus;
    const createdMs = Date.parse(o.metadata.creationTimestamp ?? '') || 0;
    const expiresMs = spec.expirationTimestamp ? Date.parse(spec.expirationTimestamp) : undefined;
    // idle time counts from issue: expiry minus ttl (the credentials clock), else the creation timestamp
    const issuedMs = spec.ttl && expiresMs !== undefined ? expiresMs - parseDuration(spec.ttl) : createdMs;
    const stored = status.lastUsedTime ? Date.parse(status.lastUsedTime) : issuedMs;
    const e: KeyEntry = {
      name, label: spec.displayName || name, user: spec.user ?? '', scope: spec.scope, createdMs,
      expiresMs,
      idleMs: spec.idleTimeout ? parseDuration(spec.idleTimeout) : undefined,
      disabled: spec.disabled === true, disabledReason: o.metadata.annotations?.[DISABLED_REASON_ANNOTATION], deleting: !!o.metadata.deletionTimestamp,
      lastUsedMs: Math.max(stored, prev?.lastUsedMs ?? 0),
      hash: status.secretHash,
      previous: (status.rotated?.previousHashes ?? []).map((p) => ({ hash: p.hash, graceUntilMs: Date.parse(p.graceUntil), fp: secretFingerprint(p.hash) })),
      session: sessionKind(o.metadata.labels?.[SESSION_LABEL]),
      ownerUid: o.metadata.annotations?.[OWNER_UID_ANNOTATION] || undefined,
      chain: o.metadata.labels?.[SESSION_LABEL] === undefined ? undefined : chainOf(o.metadata.annotations?.[SESSION_CHAIN_ANNOTATION]),
      fp: status.secretHash ? secretFingerprint(status.secretHash) : undefined,
      parents: [],
    };
    const ownerUid = e.ownerUid;
    e.parents.push(ownerUid ? `user:${e.user}#${ownerUid}` : `user:${e.user}`);
    for (const r of o.metadata.ownerReferences ?? []) e.parents.push(`${String(r.kind).toLowerCase()}:${String(r.name)}#${String(r.uid)}`);
    this.byName.set(name, e);
    if (e.hash) this.byHash.set(e.hash, { entry: e });
    for (const p of e.previous) this.byHash.set(p.hash, { entry: e, graceUntilMs: p.graceUntilMs });
    for (const l of this.listeners) l(prev, e);
  }

  remove(name: string, deleted: boolean): void {
    const prev = this.byName.get(name);
    this.unindex(name, deleted);
    if (prev) for (const l of this.listeners) l(prev, undefined);
  }

  private unindex(name: string, deleted: boolean): void {
    const e = this.byName.get(name);
    if (!e) return;
    this.byName.delete(name);
    for (const h of [e.hash, ...e.previous.map((p) => p.hash)]) {
      if (!h) continue;
      if (this.byHash.get(h)?.entry === e) this.byHash.delete(h);
      if (deleted) {
        this.tombstones.set(h, e.label);
        if (this.tombstones.size > 10_000) this.tombstones.delete(this.tombstones.keys().next().value!);
      }
    }
  }

  lookup(hash: string): KeyMatch | undefined { return this.byHash.get(hash); }
  get(name: string): KeyEntry | undefined { return this.byName.get(name); }
  entries(): IterableIterator<KeyEntry> { return this.byName.values(); }
  deletedLabel(hash: string): string | undefined { return this.tombstones.get(hash); }

  /** Records a use seen by this replica (for idle timeouts between batched status writes). */
  touch(e: KeyEntry, nowMs: number): void { if (nowMs > e.lastUsedMs) e.lastUsedMs = nowMs; }
}

function chainOf(text: string | undefined): string[] {
  try {
    const v = JSON.parse(text ?? '') as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch { /* absent or malformed: a password login */ }
  return ['password'];
}

/** The session kind a key's session label names (CLI sessions were labelled "true" before browser sessions existed). */
export function sessionKind(label: string | undefined): KeyEntry['session'] {
  if (label === undefined) return undefined;
  return label === 'browser' ? 'browser' : 'cli';
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Why the key cannot be used now, or null when it can. */
export function keyProblem(m: KeyMatch, nowMs: number): string | null {
  const e = m.entry;
  const what = `access key "${e.label}"`;
  if (e.deleting) return `${what} has been deleted`;
  if (e.disabled) return `${what} is disabled${e.disabledReason ? `: ${e.disabledReason}` : ''}`;
  if (e.expiresMs !== undefined && nowMs >= e.expiresMs) return `${what} expired at ${iso(e.expiresMs)}`;
  if (m.graceUntilMs !== undefined && nowMs >= m.graceUntilMs) {
    return `${what} was rotated; the previous secret stopped working at ${iso(m.graceUntilMs)}`;
  }
  if (e.idleMs !== undefined && nowMs - e.lastUsedMs > e.idleMs) {
    return `${what} was idle since ${iso(e.lastUsedMs)}, longer than its idle timeout of ${formatDuration(e.idleMs)}`;
  }
  return null;
}
