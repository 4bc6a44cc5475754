// The RBAC index's per-cluster state: indexed bindings, subject buckets (user / group -> bindings), role
// slots, and the scopes (cluster-wide, per namespace) holding them and their lazily built subject views.
import type { UserInfo } from '../../types.ts';
import type { CompiledRole } from './compiled-role.ts';
import type { SubjectView } from './subject-view.ts';

/** A role name's slot: bindings point at it, so a role appearing later grants without re-adding them. */
export interface Slot { role: CompiledRole | null; refs: number; readonly kind: string; readonly name: string }

export class IndexedBinding {
  constructor(
    readonly name: string,
    /** '' for a ClusterRoleBinding. */
    readonly ns: string,
    /** An unregistered slot (never filled) when the roleRef cannot resolve: unsupported kind, or a Role from a ClusterRoleBinding. */
    readonly slot: Slot,
    /** The only subject, inline (the common case): kind, name, namespace; or all of them in `more`. */
    private readonly kind0: string,
    private readonly name0: string,
    private readonly ns0: string,
    private readonly more: readonly string[] | null,
  ) {}

  /** Flattened [kind, name, namespace] triples. */
  get subjects(): readonly string[] {
    return this.more ?? (this.kind0 === '' ? [] : [this.kind0, this.name0, this.ns0]);
  }

  /** Exactly one subject: the one any user it applies to is matched by. */
  get single(): boolean { return this.more === null && this.kind0 !== ''; }

  get roleKind(): string { return this.slot.kind; }
  get roleName(): string { return this.slot.name; }
}

/** Subject kinds as shared constants (one string per process instead of one per binding). */
const KINDS = new Map(['User', 'Group', 'ServiceAccount'].map((k) => [k, k]));
export const kindConst = (k: string): string => KINDS.get(k) ?? k;

export type Bucket = IndexedBinding | IndexedBinding[] | Set<IndexedBinding>;
const ARRAY_LIMIT = 16;

export function bucketAdd(map: Map<string, Bucket>, key: string, b: IndexedBinding): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, b);
  else if (cur instanceof IndexedBinding) map.set(key, [cur, b]);
  else if (Array.isArray(cur)) {
    if (cur.length < ARRAY_LIMIT) cur.push(b);
    else map.set(key, new Set([...cur, b]));
  } else cur.add(b);
}

export function bucketRemove(map: Map<string, Bucket>, key: string, b: IndexedBinding): void {
  const cur = map.get(key);
  if (cur === undefined) return;
  if (cur === b) { map.delete(key); return; }
  if (Array.isArray(cur)) {
    const i = cur.indexOf(b);
    if (i >= 0) cur.splice(i, 1);
    if (cur.length === 1) map.set(key, cur[0]!);
  } else if (cur instanceof Set) {
    cur.delete(b);
    if (cur.size <= ARRAY_LIMIT / 2) map.set(key, [...cur]);
  }
}

export function* bucketItems(bucket: Bucket | undefined): Generator<IndexedBinding> {
  if (bucket === undefined) return;
  if (bucket instanceof IndexedBinding) yield bucket;
  else yield* bucket;
}

/** The bindings and role slots of one scope: the cluster scope, or one namespace. */
export class Scope {
  /** '' for the cluster scope; the namespace otherwise (shared by every binding of the scope). */
  constructor(readonly name: string) {}
  readonly bindings = new Map<string, IndexedBinding>();
  readonly users = new Map<string, Bucket>();
  /** Created on first use (most namespaces bind no group / hold no Role). */
  groups: Map<string, Bucket> | null = null;
  /** ClusterRoles in the cluster scope, Roles in a namespace scope. */
  roleSlots: Map<string, Slot> | null = null;
  /** Effective permissions per user / group key, built on first use (see subject-view.ts). */
  userViews: Map<string, SubjectView> | null = null;
  groupViews: Map<string, SubjectView> | null = null;
  get empty(): boolean { return this.bindings.size === 0 && !this.roleSlots?.size; }
  slotMap(): Map<string, Slot> { return (this.roleSlots ??= new Map()); }
  groupMap(): Map<string, Bucket> { return (this.groups ??= new Map()); }
}

export class ClusterState {
  readonly top = new Scope('');
  readonly namespaces = new Map<string, Scope>();
  /** Bumped whenever a Role or ClusterRole of the cluster changes: subject views built before are stale. */
  roleEpoch = 0;

  scope(ns: string, create: boolean): Scope | undefined {
    if (ns === '') return this.top;
    let s = this.namespaces.get(ns);
    if (!s && create) this.namespaces.set(ns, (s = new Scope(ns)));
    return s;
  }

  prune(ns: string): void {
    if (ns !== '' && this.namespaces.get(ns)?.empty) this.namespaces.delete(ns);
  }

  *scopes(): Generator<Scope> {
    yield this.top;
    yield* this.namespaces.values();
  }
}

/** rbac.go appliesToUser over a flattened subject triple. */
export function tripleApplies(user: UserInfo, kind: string, name: string, sns: string, bindingNs: string): boolean {
  if (kind === 'User') return user.username === name;
  if (kind === 'Group') return user.groups.includes(name);
  if (kind === 'ServiceAccount') {
    const ns = sns || bindingNs;
    return ns !== '' && user.username === `system:serviceaccount:${ns}:${name}`;
  }
  return false;
}
