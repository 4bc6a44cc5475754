// A subject's distinct roles in one scope, in the order a decision probes them, and the probe itself. The
// order keeps the reasons the index has always given: a subject with many roles names the role its merged
// table found first (grant lookup order, lowest role id), the others the first binding in binding order.
import { IndexedBinding, type Bucket, type SubjectBucket } from './bindings.ts';
import type { CompiledRole } from './compiled-role.ts';
import type { Query } from './perm-ids.ts';

export interface OrderOptions {
  /** Probe a subject's many roles grant by grant, lowest role id first (false: always role by role). */
  tables?: boolean;
  /** ... when it has more than this many distinct roles, */
  mergeAbove?: number;
  /** ... whose rules count at most this many grants. */
  maxTableEntries?: number;
}
export type Order = Required<OrderOptions>;
export const order = (o: OrderOptions): Order =>
  ({ tables: o.tables ?? true, mergeAbove: o.mergeAbove ?? 2, maxTableEntries: o.maxTableEntries ?? 4_096 });

/** Brings the bucket's distinct roles up to date with the cluster's roles. */
export function refresh(bucket: SubjectBucket, roleEpoch: number, o: Order): SubjectBucket {
  if (bucket.epoch === roleEpoch) return bucket;
  const first = new Map<CompiledRole, IndexedBinding>();
  let missing = false;
  for (const b of bucket.list) {
    const role = b.slot.role;
    if (role === null) missing = true;
    else if (!first.has(role)) first.set(role, b);
  }
  let roles = [...first.keys()];
  let grants = 0;
  for (const r of roles) grants += r.grants;
  bucket.byId = o.tables && roles.length > o.mergeAbove && grants <= o.maxTableEntries;
  if (bucket.byId) roles = roles.sort((x, y) => x.id - y.id);
  bucket.roles = roles;
  bucket.firsts = roles.map((r) => first.get(r)!);
  bucket.missing = missing;
  bucket.epoch = roleEpoch;
  return bucket;
}

/**
 * Appends a subject's probe segment to `parts`: [n, role_1..role_n, binding_1..binding_n], n negative when
 * probed grant by grant. Returns whether some binding's role does not resolve.
 */
export function appendSegment(parts: unknown[], bucket: Bucket | undefined, roleEpoch: number, o: Order): boolean {
  if (bucket === undefined) return false;
  if (bucket instanceof IndexedBinding) {
    const role = bucket.slot.role;
    if (role === null) return true;
    parts.push(1, role, bucket);
    return false;
  }
  const s = refresh(bucket, roleEpoch, o);
  const n = s.roles.length;
  if (n > 0) parts.push(s.byId ? -n : n, ...s.roles, ...s.firsts);
  return s.missing;
}

/** The offset (from `at`) of the first of the `n` roles at `at` granting `q`, or -1. */
export function byRole(parts: readonly unknown[], at: number, n: number, q: Query): number {
  for (let k = 0; k < n; k++) if ((parts[at + k] as CompiledRole).allows(q)) return k;
  return -1;
}

/** As a merged table of the roles found it: grant lookup order first, then the lowest role id. */
export function byGrant(parts: readonly unknown[], at: number, n: number, q: Query): number {
  if (!q.isResource) {
    for (let v = q.verb === '*' ? 1 : 0; v < 2; v++) {
      const verb = v === 0 ? q.verb : '*';
      for (let mode = 0; mode < 3; mode++) {
        for (let k = 0; k < n; k++) if ((parts[at + k] as CompiledRole).grantsUrl(verb, mode, q.path)) return k;
      }
    }
    return -1;
  }
  // Roles none of whose grants can be among the request's ids are skipped (a mask of id bits).
  let live = 0;
  for (let k = 0; k < n; k++) if (((parts[at + k] as CompiledRole).mask & q.mask) !== 0) live |= 1 << k;
  if (live === 0 && n <= 31) return -1;
  for (let c = 0; c < q.n; c++) {
    const id = q.ids[c]!;
    for (let k = 0; k < n; k++) if ((k > 30 || (live & (1 << k)) !== 0) && (parts[at + k] as CompiledRole).grantsAll(id)) return k;
    if (q.name === '') continue;
    for (let k = 0; k < n; k++) if ((k > 30 || (live & (1 << k)) !== 0) && (parts[at + k] as CompiledRole).grantsName(id, q.name)) return k;
  }
  return -1;
}
