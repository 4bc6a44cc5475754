// The RBAC index's per-cluster state: indexed bindings, subject buckets (user / group -> bindings, with their
// distinct roles in probe order), role slots, and the scopes (cluster-wide, per namespace) holding them.
import type { AuthorizerResult, UserInfo } from '../../../apiserver/auth/types.ts';
import type { CompiledRole } from './compiled-role.ts';
import { SmallMap } from './small-map.ts';

/** A role name's slot: bindings point at it, so a role appearing later grants without re-adding them. */
export interface Slot { role: CompiledRole | null; refs: number; readonly kind: string; readonly name: string }

export class IndexedBinding {
  /** Its allow result(s), built on first use: one, or (several subjects) one per subject index that applied. */
  allowed: AuthorizerResult | Array<AuthorizerResult | undefined> | null = null;

  constructor(
    readonly name: string,
    /** '' for a ClusterRoleBinding. */
    readonly ns: string,
    /** An unregistered slot (never filled) when the roleRef cannot resolve: unsupported kind, or a Role from a ClusterRoleBinding. */
    readonly slot: Slot,
    /** The only subject inline when it has no namespace (the common case): kind and name; else all in `more`. */
    private readonly kind0: string,
    private readonly name0: string,
    private readonly more: readonly string[] | null,
  ) {}

  /** Flattened [kind, name, namespace] triples. */
  get subjects(): readonly string[] {
    return this.more ?? (this.kind0 === '' ? [] : [this.kind0, this.name0, '']);
  }

  /** Exactly one subject: the one any user it applies to is matched by. */
  get single(): boolean { return this.more === null ? this.kind0 !== '' : this.more.length === 3; }

  get roleKind(): string { return this.slot.kind; }
  get roleName(): string { return this.slot.name; }
}

/** Subject kinds as shared constants (one string per process instead of one per binding). */
const KINDS = new Map(['User', 'Group', 'ServiceAccount'].map((k) => [k, k]));
export const kindConst = (k: string): string => KINDS.get(k) ?? k;

/** A subject's many bindings in one scope (insertion order) and, built on use, its distinct roles in probe order. */
export class SubjectBucket {
  /** Distinct roles in probe order and the first binding of each (rebuilt when stale). */
  roles: CompiledRole[] = [];
  firsts: IndexedBinding[] = [];
  /** Whether `roles` is probed grant id by grant id (the order merged tables used), not role by role. */
  byId = false;
  /** Some binding's role does not resolve. */
  missing = false;
  /** The cluster's role epoch `roles` was built at (-1: stale). */
  epoch = -1;
  constructor(public list: IndexedBinding[]) {}
}

export type Bucket = IndexedBinding | SubjectBucket;

export function bucketAdd(map: SmallMap<Bucket>, key: string, b: IndexedBinding): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, b);
  else if (cur instanceof IndexedBinding) map.set(key, new SubjectBucket([cur, b]));
  else {
    // Exact-size copies while short (push would leave ~16 spare slots per bucket).
    if (cur.list.length < 32) cur.list = [...cur.list, b];
    else cur.list.push(b);
    cur.epoch = -1;
  }
}

export function bucketRemove(map: SmallMap<Bucket>, key: string, b: IndexedBinding): void {
  const cur = map.get(key);
  if (cur === undefined) return;
  if (cur === b) { map.delete(key); return; }
  if (cur instanceof SubjectBucket) {
    const i = cur.list.indexOf(b);
    if (i >= 0) cur.list.splice(i, 1);
    cur.epoch = -1;
    if (cur.list.length === 1) map.set(key, cur.list[0]!);
  }
}

export function bucketItems(bucket: Bucket | undefined): readonly IndexedBinding[] {
  if (bucket === undefined) return [];
  return bucket instanceof IndexedBinding ? [bucket] : bucket.list;
}

/** The bindings and role slots of one scope: the cluster scope, or one namespace. */
export class Scope {
  /** '' for the cluster scope; the namespace otherwise (shared by every binding of the scope). */
  constructor(readonly name: string) {}
  readonly bindings = new SmallMap<IndexedBinding>();
  /** Usernames (User subjects, ServiceAccount usernames) and groups -> their bindings here. */
  readonly users = new SmallMap<Bucket>();
  /** Created on first use (most namespaces bind no group / hold no Role). */
  groups: SmallMap<Bucket> | null = null;
  /** ClusterRoles in the cluster scope, Roles in a namespace scope: a slot once a binding refers to the name. */
  roleSlots: SmallMap<Slot | CompiledRole> | null = null;
  get empty(): boolean { return this.bindings.size === 0 && !this.roleSlots?.size; }
  slotMap(): SmallMap<Slot | CompiledRole> { return (this.roleSlots ??= new SmallMap()); }
  groupMap(): SmallMap<Bucket> { return (this.groups ??= new SmallMap()); }
}

const SA_PREFIX = 'system:serviceaccount:';

/** username === `system:serviceaccount:<ns>:<name>`, without building the string. */
function isServiceAccount(username: string, ns: string, name: string): boolean {
  const p = SA_PREFIX.length;
  return username.length === p + ns.length + 1 + name.length && username.startsWith(SA_PREFIX) &&
    username.startsWith(ns, p) && username.charCodeAt(p + ns.length) === 58 && username.endsWith(name);
}

/** rbac.go appliesToUser over a flattened subject triple. */
export function tripleApplies(user: UserInfo, kind: string, name: string, sns: string, bindingNs: string): boolean {
  if (kind === 'User') return user.username === name;
  if (kind === 'Group') return user.groups.includes(name);
  if (kind === 'ServiceAccount') {
    const ns = sns || bindingNs;
    return ns !== '' && isServiceAccount(user.username, ns, name);
  }
  return false;
}
