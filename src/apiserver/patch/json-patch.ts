// RFC 6902 JSON Patch (application/json-patch+json) on a stored object, with bounded work: containers on an operation's
// path are copied once per request (copy-on-write, untouched subtrees stay shared), only `copy` deep-copies, and
// within Kubernetes' limits (10000 operations; 3 MiB of copied data). Malformed operations are a 400; operations that
// cannot apply (a failed test, a missing path) or exceed the limits a 422, as in Kubernetes.
import { badRequest, StatusError } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { TimeSlice } from '../time-slice.ts';
import { isObject, jsonEqual, type JsonObject } from './json-value.ts';

/** Kubernetes refuses patches with more operations than this. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;
/** Kubernetes' JSONPatchMaxCopyBytes: the most `copy` operations may add to a document (3 MiB). */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;
/** Elements shifted by array inserts and removals, summed over a patch (far beyond any real patch). */
export const MAX_JSON_PATCH_SHIFTS = 10_000_000;

type OpName = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
export interface Operation { op: OpName; path: string; from?: string; value?: unknown }
const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks the shape of every operation; throws a 400 StatusError on the first bad one (413 when too many). */
export function validateJsonPatch(ops: unknown): asserts ops is Operation[] {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(413, 'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  ops.forEach((op, i) => {
    if (!isObject(op)) throw badRequest(`json patch operation ${i} is not an object`);
    const o = op;
    if (typeof o.op !== 'string' || !OPS.has(o.op)) {
      throw badRequest(`json patch operation ${i}: unexpected kind of operation ${JSON.stringify(o.op ?? null)}`);
    }
    if (!isPointer(o.path)) throw badRequest(`json patch operation ${i}: invalid path ${JSON.stringify(o.path ?? null)}`);
    if ((o.op === 'move' || o.op === 'copy') && !isPointer(o.from)) {
      throw badRequest(`json patch operation ${i}: ${o.op} operation requires a valid "from"`);
    }
    if ((o.op === 'add' || o.op === 'replace' || o.op === 'test') && !('value' in o)) {
      throw badRequest(`json patch operation ${i}: ${o.op} operation requires a "value"`);
    }
  });
}

const isPointer = (p: unknown): p is string => typeof p === 'string' && (p === '' || p.startsWith('/'));

function cannotApply(message: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request',
    { causes: [{ reason: 'UnexpectedServerResponse', message }] });
}

/** RFC 6901: "/a/b~1c" → ["a", "b/c"]. */
function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((t) => (t.includes('~') ? t.replace(/~1/g, '/').replace(/~0/g, '~') : t));
}

type Container = JsonObject | unknown[];
const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** The state of one patch application: the document, which containers it may change in place, and the budgets. */
class Patcher {
  /** Containers created by this patch (copies of the original's, or deep copies): safe to change in place. */
  private readonly owned = new WeakSet<object>();
  private copied = 0;
  private shifted = 0;
  constructor(public doc: unknown) {}

  /** The value at `path`, or undefined when it does not exist. */
  get(path: string[]): unknown {
    let node = this.doc;
    for (const t of path) {
      if (Array.isArray(node)) {
        const i = arrayIndex(t, node.length - 1);
        if (i === undefined) return undefined;
        node = node[i];
      } else if (isObject(node)) {
        if (!Object.hasOwn(node, t)) return undefined;
        node = node[t];
      } else {
        return undefined;
      }
    }
    return node;
  }

  /** The container at `path` (the parent of an operation's target), made writable; undefined when missing. */
  private writable(path: string[]): Container | undefined {
    if (!isContainer(this.doc)) return undefined;
    this.doc = this.own(this.doc);
    let node = this.doc as Container;
    for (const t of path) {
      let child: unknown;
      let set: (v: Container) => void;
      if (Array.isArray(node)) {
        const i = arrayIndex(t, node.length - 1);
        if (i === undefined) return undefined;
        const arr = node;
        child = arr[i];
        set = (v) => { arr[i] = v; };
      } else {
        if (!Object.hasOwn(node, t)) return undefined;
        const obj = node;
        child = obj[t];
        set = (v) => { obj[t] = v; };
      }
      if (!isContainer(child)) return undefined;
      const mine = this.own(child);
      if (mine !== child) set(mine);
      node = mine;
    }
    return node;
  }

  /** `c` itself when this patch owns it, else a shallow copy that it owns (each original container at most once). */
  private own<T extends Container>(c: T): T {
    if (this.owned.has(c)) return c;
    const copy = (Array.isArray(c) ? c.slice() : { ...c }) as T;
    this.owned.add(copy);
    return copy;
  }

  add(path: string[], value: unknown, op: Operation): void {
    if (path.length === 0) { this.doc = value; return; }
    const parent = this.writable(path.slice(0, -1));
    const last = path[path.length - 1];
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : arrayIndex(last, parent.length);
      if (i === undefined) throw cannotApply(`${op.op} operation does not apply: invalid index in path "${op.path}"`);
      this.shift(parent.length - i);
      parent.splice(i, 0, value);
    } else if (parent) {
      setKey(parent, last, value);
    } else {
      throw missing(op, 'path');
    }
  }

  replace(path: string[], value: unknown, op: Operation): void {
    if (path.length === 0) { this.doc = value; return; }
    const parent = this.writable(path.slice(0, -1));
    const last = path[path.length - 1];
    if (Array.isArray(parent)) {
      const i = arrayIndex(last, parent.length - 1);
      if (i === undefined) throw cannotApply(`${op.op} operation does not apply: invalid index in path "${op.path}"`);
      parent[i] = value;
    } else if (parent && Object.hasOwn(parent, last)) {
      setKey(parent, last, value);
    } else {
      throw missing(op, 'path');
    }
  }

  remove(path: string[], op: Operation): unknown {
    if (path.length === 0) throw cannotApply(`${op.op} operation does not apply: cannot remove the whole document`);
    const parent = this.writable(path.slice(0, -1));
    const last = path[path.length - 1];
    if (Array.isArray(parent)) {
      const i = arrayIndex(last, parent.length - 1);
      if (i === undefined) throw cannotApply(`${op.op} operation does not apply: invalid index in path "${op.path}"`);
      this.shift(parent.length - i);
      return parent.splice(i, 1)[0];
    }
    if (!parent || !Object.hasOwn(parent, last)) throw missing(op, op.op === 'move' ? 'from' : 'path');
    const v = parent[last];
    delete parent[last];
    return v;
  }

  /** A deep copy of `v` for `copy`, counted against the copy budget; its containers are owned. */
  clone(v: unknown): unknown {
    if (typeof v === 'string') { this.count(v.length + 2); return v; }
    if (!isContainer(v)) { this.count(8); return v; }
    this.count(2);
    if (Array.isArray(v)) {
      const out = v.map((x) => { this.count(1); return this.clone(x); });
      this.owned.add(out);
      return out;
    }
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) { this.count(k.length + 4); setKey(out, k, this.clone(x)); }
    this.owned.add(out);
    return out;
  }

  private count(bytes: number): void {
    this.copied += bytes;
    if (this.copied > MAX_JSON_PATCH_COPY_BYTES) {
      throw cannotApply(`Unable to complete the copy, the accumulated size increase of copy is ${this.copied}, `
        + `exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}`);
    }
  }

  private shift(n: number): void {
    this.shifted += n;
    if (this.shifted > MAX_JSON_PATCH_SHIFTS) {
      throw cannotApply(`the patch moves more than ${MAX_JSON_PATCH_SHIFTS} list elements; split it into smaller patches`);
    }
  }
}

/** obj[k] = v, also for "__proto__" (an own property, as JSON.parse makes it, never the prototype). */
function setKey(obj: JsonObject, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, writable: true, enumerable: true, configurable: true });
  else obj[k] = v;
}

/** A decimal array index without leading zeros, at most `max`; undefined otherwise. */
function arrayIndex(t: string, max: number): number | undefined {
  if (!/^(0|[1-9]\d{0,9})$/.test(t)) return undefined;
  const i = Number(t);
  return i <= max ? i : undefined;
}

function missing(op: Operation, which: 'path' | 'from'): StatusError {
  const where = which === 'from' ? `from path: "${op.from}"` : `path: "${op.path}"`;
  return cannotApply(`${op.op} operation does not apply: doc is missing ${where}: missing value`);
}

/** Applies one operation. */
function apply(p: Patcher, op: Operation): void {
  const path = tokens(op.path);
  switch (op.op) {
    case 'add': p.add(path, op.value, op); return;
    case 'remove': p.remove(path, op); return;
    case 'replace': p.replace(path, op.value, op); return;
    case 'test':
      if (!jsonEqual(p.get(path), op.value)) throw cannotApply(`testing value ${op.path} failed: test failed`);
      return;
    case 'move': {
      const from = tokens(op.from!);
      if (op.path !== op.from && op.path.startsWith(`${op.from}/`)) {
        throw cannotApply(`move operation does not apply: "${op.path}" is inside "${op.from}"`);
      }
      if (p.get(from) === undefined) throw missing(op, 'from');
      if (op.path === op.from) return;
      p.add(path, p.remove(from, op), op);
      return;
    }
    case 'copy': {
      const v = p.get(tokens(op.from!));
      if (v === undefined) throw missing(op, 'from');
      p.add(path, p.clone(v), op);
    }
  }
}

/**
 * Applies RFC 6902 operations to `current`, which is not changed (the result shares its untouched subtrees); the
 * result must still be an object with object metadata.
 */
export function applyJsonPatch(current: KObject, ops: unknown): KObject {
  validateJsonPatch(ops);
  const p = new Patcher(current);
  for (const op of ops) apply(p, op);
  return checkResult(p.doc);
}

/** applyJsonPatch for request handlers: the same, yielding to the event loop every few milliseconds. */
export async function applyJsonPatchSliced(current: KObject, ops: unknown): Promise<KObject> {
  validateJsonPatch(ops);
  const p = new Patcher(current);
  const slice = new TimeSlice();
  for (let i = 0; i < ops.length; i++) {
    apply(p, ops[i]);
    if ((i & 63) === 63) await slice.pause();
  }
  return checkResult(p.doc);
}

function checkResult(result: unknown): KObject {
  if (!isObject(result)) throw cannotApply('the patched document is not an object');
  if (!isObject(result.metadata)) throw cannotApply('the patched object has no metadata');
  return result as KObject;
}
