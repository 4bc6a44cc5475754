// The generic store: create/get/list/update/delete for any resource type over the Storage interface,
// driven by per-type strategies and admission plugins. Handlers and controllers both use it.
import type { BatchOp, KObject, Storage, Stored } from '../storage/interface.ts';
import { StorageError } from '../storage/interface.ts';
import { collectionPrefix, objectKey } from '../storage/keys.ts';
import type { UserInfo } from '../auth/types.ts';
import { alreadyExists, badRequest, conflict, expired, invalid, notFound, unavailable, StatusError } from '../errors.ts';
import type { ResourceType } from './types.ts';
import { carryMetadata, initMetadata, nowTimestamp, checkTypeMeta, checkNamespace } from './object-meta.ts';
import type { FieldSelector, Selector } from './selectors.ts';
import { decodeContinue, encodeContinue, ListSnapshots, type SnapshotPage } from './list-snapshots.ts';
import { checkStorable } from './limits.ts';
import { cloneObject } from '../clone.ts';

export interface OpContext {
  cluster: string;
  user?: UserInfo;
  dryRun?: boolean;
  fieldManager?: string;
  /** Set for requests to a subresource (status): only that part may change. */
  subresource?: string;
  /** On delete: the requested propagation policy (admission may refuse or allow cascades by it). */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** The request's warnings and audit annotations, which admission may add to. */
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  /** In createMany: namespaces created earlier in the same transaction (they exist when its later objects do). */
  batchNamespaces?: ReadonlySet<string>;
}

export type AdmitOp = 'create' | 'update' | 'delete';
/**
 * A check run before a write is stored; throws a StatusError to refuse it. Mutating plugins run first and may
 * change `obj`; validating ones (the default) run after the type's own validation, as Kubernetes orders them.
 */
export interface Admission {
  readonly name: string;
  readonly phase?: 'mutating' | 'validating';
  admit(op: AdmitOp, t: ResourceType, obj: KObject | undefined, old: KObject | undefined, ctx: OpContext): void | Promise<void>;
  /** Whether `admit` can act on this operation on this type at all (a cheap filter; absent: every write). */
  handles?(op: AdmitOp, t: ResourceType): boolean;
}

/**
 * Runs the plugins of one phase in order; a plugin that needs no await (it returned no promise) costs no turn of the
 * microtask queue: most writes concern none of them, and a write passes every plugin.
 */
function runAdmission(plugins: readonly Admission[], from: number, mutating: boolean, op: AdmitOp, t: ResourceType,
  obj: KObject | undefined, old: KObject | undefined, ctx: OpContext): Promise<void> | undefined {
  for (let i = from; i < plugins.length; i++) {
    const a = plugins[i]!;
    if ((a.phase === 'mutating') !== mutating || (a.handles && !a.handles(op, t))) continue;
    const r = a.admit(op, t, obj, old, ctx);
    if (r) return r.then(() => runAdmission(plugins, i + 1, mutating, op, t, obj, old, ctx));
  }
  return undefined;
}

/** Maintains metadata.managedFields on writes (server-side apply bookkeeping). */
export type ManagedFieldsHook = (old: KObject | undefined, obj: KObject, manager: string, t: ResourceType) => KObject;

export interface ListQuery {
  labels?: Selector;
  fields?: FieldSelector;
  limit?: number;
  continueToken?: string;
  /** The selectors as the client sent them: a continuation with other selectors does not use the snapshot. */
  selectorKey?: string;
}
/** Listed items are shared with the watch cache and deep-frozen: clone before changing one. */
export interface ListOutcome { items: readonly KObject[]; resourceVersion: string; continueToken?: string; remaining?: number }

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
}
export interface DeleteOutcome { object: KObject; deleted: boolean }

const MAX_RETRIES = 16;

export class Store {
  constructor(
    readonly storage: Storage,
    private readonly admission: Admission[] = [],
    private readonly managedFields?: ManagedFieldsHook,
    private readonly snapshots = new ListSnapshots(),
  ) {}

  key(cluster: string, t: ResourceType, namespace: string, name: string): string {
    return objectKey(cluster, t, namespace, name);
  }

  /** The stored object as shared with the watch cache (deep-frozen): for serving reads without a copy. */
  async read(cluster: string, t: ResourceType, namespace: string, name: string): Promise<Readonly<KObject>> {
    const s = await wrap(() => this.storage.get(this.key(cluster, t, namespace, name)), t, name);
    if (!s) throw notFound(t, name);
    return s.object;
  }

  /** A private copy of the stored object. */
  async get(cluster: string, t: ResourceType, namespace: string, name: string): Promise<KObject> {
    const s = await wrap(() => this.storage.get(this.key(cluster, t, namespace, name)), t, name);
    if (!s) throw notFound(t, name);
    return cloneObject(s.object);
  }

  /**
   * LIST with selectors and Kubernetes pagination: with a limit, every page comes from the snapshot the first
   * page was cut from (list-snapshots.ts); tokens without a snapshot here resume after their last key.
   */
  async list(cluster: string, t: ResourceType, namespace: string, q: ListQuery = {}): Promise<ListOutcome> {
    const prefix = collectionPrefix(cluster, t, namespace);
    const limit = q.limit && q.limit > 0 ? q.limit : 0;
    const filtered = Boolean(q.labels || q.fields);
    // Callers that filter without saying how (none today) never share a snapshot with an unfiltered list.
    const selectors = q.selectorKey ?? (filtered ? '(unnamed selectors)' : '');
    const token = q.continueToken ? decodeContinue(q.continueToken, prefix) : undefined;
    if (token) {
      const page = this.snapshots.next(token, prefix, selectors, limit);
      if (page) return outcome(page, filtered);
      return this.listAfter(prefix, t, q, limit, token.k);
    }
    if (!limit) return this.listAfter(prefix, t, q, 0, undefined);
    const all = await wrap(() => this.storage.list(prefix), t, '');
    const matching = filtered ? all.items.filter((s) => matches(q, s.object)) : all.items;
    return outcome(this.snapshots.first(prefix, selectors, all.rv, matching, limit), filtered);
  }

  /** Objects after key `after` (an inconsistent continuation, or no limit): current state, page by page. */
  private async listAfter(prefix: string, t: ResourceType, q: ListQuery, limit: number, after: string | undefined): Promise<ListOutcome> {
    const items: KObject[] = [];
    let rv = 0;
    let next: string | undefined;
    // Filtered lists may need several pages of the underlying store to fill one page.
    for (;;) {
      const page = await wrap(() => this.storage.list(prefix, { limit: limit ? Math.max(limit * 2, 100) : 0, after }), t, '');
      rv = Math.max(rv, page.rv);
      let i = 0;
      for (; i < page.items.length; i++) {
        const o = page.items[i].object;
        if (!matches(q, o)) continue;
        items.push(o);
        if (limit && items.length === limit) break;
      }
      if (limit && items.length === limit) {
        const lastKey = page.items[i].key;
        if (i < page.items.length - 1 || page.next) next = lastKey;
        break;
      }
      if (!page.next) break;
      after = page.next;
    }
    return { items, resourceVersion: String(rv), continueToken: next ? encodeContinue({ k: next }) : undefined };
  }

  async create(ctx: OpContext, t: ResourceType, namespace: string, input: KObject): Promise<KObject> {
    const { key, object } = await this.prepareCreate(ctx, t, namespace, input);
    if (ctx.dryRun) return object;
    try {
      return (await this.storage.create(key, object)).object;
    } catch (e) {
      if (e instanceof StorageError && e.code === 'Exists') throw alreadyExists(t, object.metadata.name!);
      throw mapStorageError(e, t, object.metadata.name!);
    }
  }

  /**
   * Creates several objects of one cluster in one storage transaction (all or none), each prepared, validated and
   * admitted as create() does (a namespace created before them in `items` counts as existing for the objects after
   * it); `extra` raw ops join the same transaction. On failure, the error names the object.
   */
  async createMany(ctx: OpContext, items: ReadonlyArray<{ t: ResourceType; namespace: string; object: KObject }>, extra: BatchOp[] = []): Promise<KObject[]> {
    const prepared = [];
    const namespaces = new Set<string>();
    const inBatch = { ...ctx, batchNamespaces: namespaces };
    for (const it of items) {
      const p = await this.prepareCreate(inBatch, it.t, it.namespace, it.object);
      prepared.push({ ...p, t: it.t });
      if (it.t.group === '' && it.t.resource === 'namespaces') namespaces.add(p.object.metadata.name!);
    }
    if (ctx.dryRun) return prepared.map((p) => p.object);
    try {
      const out = await this.storage.batch([...prepared.map((p) => ({ op: 'create' as const, key: p.key, object: p.object })), ...extra]);
      return out.slice(0, prepared.length).map((s) => s.object);
    } catch (e) {
      const p = e instanceof StorageError ? prepared.find((x) => x.key === e.key) : undefined;
      if (!p) throw e;
      if ((e as StorageError).code === 'Exists') throw alreadyExists(p.t, p.object.metadata.name!);
      throw mapStorageError(e, p.t, p.object.metadata.name!);
    }
  }

  /** A new object as create() stores it (metadata, defaults, validation, admission) and its key. */
  private async prepareCreate(ctx: OpContext, t: ResourceType, namespace: string, input: KObject): Promise<{ key: string; object: KObject }> {
    let obj = cloneObject(input);
    initMetadata(t, obj, namespace, new Date());
    if (t.versionView) obj = t.versionView.toStored(obj);
    const mutated = this.mutate('create', t, obj, undefined, ctx);
    if (mutated) await mutated;
    t.strategy.prepareForCreate?.(obj);
    this.validate(t, obj, t.strategy.validate?.(obj) ?? []);
    const admitted = runAdmission(this.admission, 0, false, 'create', t, obj, undefined, ctx);
    if (admitted) await admitted;
    let out = obj;
    if (this.managedFields && ctx.fieldManager) out = this.managedFields(undefined, obj, ctx.fieldManager, t);
    checkStorable(t, out);
    return { key: this.key(ctx.cluster, t, namespace, obj.metadata.name!), object: out };
  }

  /**
   * Read-modify-write with retries on conflicts: `mutate` receives a private copy of the current
   * object (or undefined if absent) and returns the desired object, which is the store's from then on (it may be
   * changed as it is prepared: keep no reference into it). An explicit resourceVersion in
   * the returned object is honoured as a precondition (409 if stale).
   */
  async update(ctx: OpContext, t: ResourceType, namespace: string, name: string,
    mutate: (current: KObject | undefined) => KObject | Promise<KObject>, opts: { allowCreate?: boolean } = {}): Promise<{ object: KObject; created: boolean }> {
    const key = this.key(ctx.cluster, t, namespace, name);
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const current = await wrap(() => this.storage.get(key), t, name);
      if (!current) {
        if (!opts.allowCreate) throw notFound(t, name);
        const desired = await mutate(undefined);
        desired.metadata ??= {};
        if (desired.metadata.name && desired.metadata.name !== name) throw badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`);
        desired.metadata.name = name;
        delete desired.metadata.resourceVersion;
        try { return { object: await this.create(ctx, t, namespace, desired), created: true }; } catch (e) {
          if (e instanceof StatusError && e.reason === 'AlreadyExists') continue;
          throw e;
        }
      }
      const { old, desired, result } = await this.prepareFrom(ctx, t, namespace, name, current, mutate);
      if (result === 'unchanged') return { object: cloneObject(old), created: false };
      const wantRV = desired.metadata.resourceVersion;
      if (wantRV && wantRV !== String(current.rv)) {
        throw conflict(t, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      if (ctx.dryRun) return { object: result, created: false };
      try {
        return { object: await this.commitUpdate(key, result, current, t), created: false };
      } catch (e) {
        if (e instanceof StorageError && e.code === 'Conflict') {
          if (wantRV) throw conflict(t, name, 'the object has been modified; please apply your changes to the latest version and try again');
          continue;
        }
        throw mapStorageError(e, t, name);
      }
    }
    throw conflict(t, name, 'too many concurrent updates; please try again');
  }

  /**
   * An update prepared as update() would store it (`mutate` on a private copy, validation, admission), as a batch op
   * that expects the current resourceVersion, to join another write's transaction (createMany's `extra`); undefined
   * when the object is absent or nothing would change. A conflict surfaces as the batch's StorageError('Conflict').
   */
  async updateOp(ctx: OpContext, t: ResourceType, namespace: string, name: string,
    mutate: (current: KObject) => KObject): Promise<BatchOp | undefined> {
    const key = this.key(ctx.cluster, t, namespace, name);
    const current = await wrap(() => this.storage.get(key), t, name);
    if (!current) return undefined;
    const { result } = await this.prepareFrom(ctx, t, namespace, name, current, mutate);
    return result === 'unchanged' ? undefined : this.commitOp(key, result, current, t);
  }

  /** `mutate` on a private copy of the current object, then prepareUpdate. */
  private async prepareFrom(ctx: OpContext, t: ResourceType, namespace: string, name: string, current: Stored,
    mutate: (current: KObject) => KObject | Promise<KObject>): Promise<{ old: KObject; desired: KObject; result: KObject | 'unchanged' }> {
    const old = t.strategy.decode ? t.strategy.decode(current.object) : current.object;
    const copy = t.versionView ? t.versionView.toServed(cloneObject(old)) : cloneObject(old);
    const desired = await mutate(copy);
    // the copy handed to `mutate` is ours: returned as it is, it needs no second copy
    const result = await this.prepareUpdate(ctx, t, namespace, name, desired, old, desired === copy);
    return { old, desired, result };
  }

  private async prepareUpdate(ctx: OpContext, t: ResourceType, namespace: string, name: string, desired: KObject, old: KObject,
    owned = false): Promise<KObject | 'unchanged'> {
    let obj = owned ? desired : cloneObject(desired);
    if (!obj.metadata || typeof obj.metadata !== 'object') throw badRequest('metadata is required');
    checkTypeMeta(t, obj);
    checkNamespace(t, obj, namespace);
    if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    if (t.versionView) obj = t.versionView.toStored(obj);
    carryMetadata(obj, old);
    const mutated = this.mutate('update', t, obj, old, ctx);
    if (mutated) await mutated;
    const hasStatus = t.subresources.some((s) => s.name === 'status');
    if (ctx.subresource === 'status' || ctx.subresource === 'approval') {
      // Only status may change through /status (and a CertificateSigningRequest's /approval).
      const status = obj.status;
      Object.assign(obj, { ...cloneObject(old), status, metadata: { ...old.metadata, resourceVersion: obj.metadata.resourceVersion } });
      if (status === undefined) delete obj.status;
      t.strategy.canonicalize?.(obj);
    } else if (ctx.subresource === 'finalize') {
      // namespaces/finalize: the handler changes only spec.finalizers
      obj.status = old.status;
    } else {
      if (hasStatus) { if (old.status === undefined) delete obj.status; else obj.status = old.status; }
      t.strategy.prepareForUpdate?.(obj, old);
    }
    this.validate(t, obj, t.strategy.validateUpdate?.(obj, old) ?? []);
    const admitted = runAdmission(this.admission, 0, false, 'update', t, obj, old, ctx);
    if (admitted) await admitted;
    let out = obj;
    if (this.managedFields && ctx.fieldManager) out = this.managedFields(old, obj, ctx.fieldManager, t);
    const strip = (o: KObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
    if (strip(out) === strip(old)) return 'unchanged';
    checkStorable(t, out);
    return out;
  }

  /** The write that stores a prepared update: a delete once it is marked deleted and no finalizer is left. */
  private commitOp(key: string, obj: KObject, current: Stored, t: ResourceType): BatchOp {
    return obj.metadata.deletionTimestamp && !hasFinalizers(obj, t)
      ? { op: 'delete', key, expectRV: current.rv }
      : { op: 'update', key, object: obj, expectRV: current.rv };
  }

  /** Stores an update; an object whose deletion is pending and whose finalizers are gone is removed. */
  private async commitUpdate(key: string, obj: KObject, current: Stored, t: ResourceType): Promise<KObject> {
    const deletes = this.commitOp(key, obj, current, t).op === 'delete';
    return (deletes ? await this.storage.delete(key, current.rv) : await this.storage.update(key, obj, current.rv)).object;
  }

  async delete(ctx: OpContext, t: ResourceType, namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteOutcome> {
    const key = this.key(ctx.cluster, t, namespace, name);
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const current = await wrap(() => this.storage.get(key), t, name);
      if (!current) throw notFound(t, name);
      const obj = current.object;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid) {
        throw conflict(t, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== String(current.rv)) {
        throw conflict(t, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.rv}`);
      }
      await runAdmission(this.admission, 0, false, 'delete', t, undefined, obj, { ...ctx, propagationPolicy: opts.propagationPolicy });
      const next = cloneObject(obj);
      const policyFinalizer = opts.propagationPolicy === 'Foreground' ? 'foregroundDeletion' : opts.propagationPolicy === 'Orphan' ? 'orphan' : undefined;
      if (policyFinalizer && !next.metadata.deletionTimestamp) {
        next.metadata.finalizers = [...new Set([...(next.metadata.finalizers ?? []), policyFinalizer])];
      }
      if (hasFinalizers(next, t)) {
        if (next.metadata.deletionTimestamp && JSON.stringify(next) === JSON.stringify(obj)) return { object: cloneObject(obj), deleted: false };
        next.metadata.deletionTimestamp ??= nowTimestamp();
        next.metadata.deletionGracePeriodSeconds ??= 0;
        if (t.resource === 'namespaces' && t.group === '') next.status = { ...(next.status as object), phase: 'Terminating' };
        if (ctx.dryRun) return { object: next, deleted: false };
        try {
          return { object: (await this.storage.update(key, next, current.rv)).object, deleted: false };
        } catch (e) {
          if (e instanceof StorageError && e.code === 'Conflict') continue;
          throw mapStorageError(e, t, name);
        }
      }
      if (ctx.dryRun) return { object: obj, deleted: true };
      try {
        return { object: (await this.storage.delete(key, current.rv)).object, deleted: true };
      } catch (e) {
        if (e instanceof StorageError && e.code === 'Conflict') continue;
        if (e instanceof StorageError && e.code === 'NotFound') throw notFound(t, name);
        throw mapStorageError(e, t, name);
      }
    }
    throw conflict(t, name, 'too many concurrent updates; please try again');
  }

  /**
   * Decoding (the type's canonical form) and mutating admission, in Kubernetes' order: the object is decoded,
   * mutated, and decoded again when a plugin changed it.
   */
  private mutate(op: AdmitOp, t: ResourceType, obj: KObject, old: KObject | undefined, ctx: OpContext): Promise<void> | undefined {
    t.strategy.canonicalize?.(obj);
    if (!t.strategy.canonicalize) return runAdmission(this.admission, 0, true, op, t, obj, old, ctx);
    if (!this.admission.some((a) => a.phase === 'mutating')) return undefined;
    const p = runAdmission(this.admission, 0, true, op, t, obj, old, ctx);
    if (!p) { t.strategy.canonicalize(obj); return undefined; }
    return p.then(() => t.strategy.canonicalize!(obj));
  }

  private validate(t: ResourceType, obj: KObject, causes: Array<{ field?: string; message: string; reason?: string }>): void {
    if (causes.length) throw invalid(t.kind, t.group, obj.metadata.name ?? '', causes);
  }
}

/** Finalizers that hold an object: metadata.finalizers, and spec.finalizers for namespaces. */
export function hasFinalizers(obj: KObject, t: { group: string; resource: string }): boolean {
  if ((obj.metadata.finalizers ?? []).length > 0) return true;
  if (t.group === '' && t.resource === 'namespaces') {
    const spec = obj.spec as { finalizers?: string[] } | undefined;
    return (spec?.finalizers ?? []).length > 0;
  }
  return false;
}

export function mapStorageError(e: unknown, t: ResourceType, name: string): unknown {
  if (!(e instanceof StorageError)) return e;
  switch (e.code) {
    case 'NotFound': return notFound(t, name);
    case 'Exists': return alreadyExists(t, name);
    case 'Conflict': return conflict(t, name, 'the object has been modified; please apply your changes to the latest version and try again');
    case 'Expired': return expired(e.message);
    case 'Unavailable': return unavailable(`storage is unavailable: ${e.message}`);
  }
}

async function wrap<T>(f: () => Promise<T>, t: ResourceType, name: string): Promise<T> {
  try { return await f(); } catch (e) { throw mapStorageError(e, t, name); }
}

function matches(q: ListQuery, o: KObject): boolean {
  return (!q.labels || q.labels(o.metadata.labels ?? {})) && (!q.fields || q.fields(o));
}

/** k8s sets remainingItemCount only when no selector filtered the list. */
function outcome(p: SnapshotPage, filtered: boolean): ListOutcome {
  const out: ListOutcome = { items: p.items.map((s) => s.object), resourceVersion: String(p.rv), continueToken: p.continueToken };
  if (p.continueToken && !filtered) out.remaining = p.remaining;
  return out;
}
