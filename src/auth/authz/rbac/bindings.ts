// The RBAC index's per-cluster state: indexed bindings, subject buckets (user / group -> bindings), role
// slots, and the scopes (cluster-wide, per namespace) holding them and their lazily built principal views.
import type { AuthorizerResult, UserInfo } from '../../types.ts';
import type { CompiledRole } from './compiled-role.ts';
import type { PrincipalView, SubjectParts } from './principal-view.ts';

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
  /** Usernames (User subjects, ServiceAccount usernames) and groups -> their bindings here. */
  readonly users = new Map<string, Bucket>();
  /** Created on first use (most namespaces bind no group / hold no Role). */
  groups: Map<string, Bucket> | null = null;
  /** ClusterRoles in the cluster scope, Roles in a namespace scope. */
  roleSlots: Map<string, Slot> | null = null;
  /**
   * What each requesting username (with its groups) may do here, cluster-wide bindings included, built on
   * first use (principal-view.ts). The cluster scope's views serve requests outside any indexed namespace.
   */
  views: Map<string, PrincipalView> | null = null;
  /** Per user / group key: its distinct roles here (merged when many), shared by views (principal-view.ts). */
  userParts: Map<string, SubjectParts> | null = null;
  groupParts: Map<string, SubjectParts> | null = null;
  /** Bumped when a RoleBinding with a Group subject changes in this namespace: its views are then stale. */
  groupEpoch = 0;
  get empty(): boolean { return this.bindings.size === 0 && !this.roleSlots?.size; }
  slotMap(): Map<string, Slot> { return (this.roleSlots ??= new Map()); }
  groupMap(): Map<string, Bucket> { return (this.groups ??= new Map()); }
}

export class ClusterState {
  readonly top = new Scope('');
  readonly namespaces = new Map<string, Scope>();
  /** Bumped when a Role or ClusterRole, or a ClusterRoleBinding with a Group subject, changes: every view is stale. */
  epoch = 0;

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
