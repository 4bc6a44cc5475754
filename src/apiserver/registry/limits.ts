// Limits on what may be stored, whichever way an object was written (create, update, any patch, apply): its
// encoded size (Kubernetes' 3 MiB request limit; etcd refuses less) and its nesting depth (bodies' limit).
import { StatusError } from '../errors.ts';
import { MAX_BODY_BYTES, MAX_BODY_DEPTH } from '../codec/body.ts';
import { depthOf } from '../codec/yaml-parse.mjs';
import type { KObject } from '../storage/interface.ts';
import type { ResourceType } from './types.ts';

/** The largest stored object, as JSON. */
export const MAX_OBJECT_BYTES = MAX_BODY_BYTES;

/** Throws 422 when `obj` nests deeper than bodies may, 413 when its JSON encoding is over MAX_OBJECT_BYTES. */
export function checkStorable(t: ResourceType, obj: KObject): void {
  // One walk bounds both (every write passes here): plain JSON under the depth limit whose size bound is under the
  // limit is storable without encoding it; anything else (too deep, large, or not plain JSON) is measured exactly.
  const b = jsonBound(obj, 1);
  if (b >= 0 && b <= MAX_OBJECT_BYTES) return;
  const name = obj.metadata?.name ?? '';
  if (depthOf(obj, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    throw new StatusError(422, 'Invalid', `${t.kind} "${name}" is invalid: nested more than ${MAX_BODY_DEPTH} levels deep`,
      { name, group: t.group, kind: t.resource, causes: [{ reason: 'FieldValueInvalid', message: `nested more than ${MAX_BODY_DEPTH} levels deep` }] });
  }
  const size = Buffer.byteLength(JSON.stringify(obj));
  if (size > MAX_OBJECT_BYTES) {
    throw new StatusError(413, 'RequestEntityTooLarge',
      `Request entity too large: ${t.kind} "${name}" would be ${size} bytes, limit is ${MAX_OBJECT_BYTES}`,
      { name, group: t.group, kind: t.resource });
  }
}

/**
 * An upper bound of the UTF-8 size of JSON.stringify(v) (a UTF-16 unit is at most 6 bytes, as `\u001f`; a number
 * at most 24 characters), for `v` at nesting depth `depth`; -1 when an object in it is deeper than MAX_BODY_DEPTH
 * (as depthOf counts) and NaN when it is not plain JSON data (a class instance, toJSON, a function or bigint).
 */
function jsonBound(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'string': return 2 + 6 * v.length;
    case 'number': return 24;
    case 'boolean': return 5;
    case 'undefined': return 9;
    case 'object': break;
    default: return NaN;
  }
  if (v === null) return 4;
  if (depth > MAX_BODY_DEPTH) return -1;
  let n = 2;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const b = jsonBound(v[i], depth + 1);
      if (b < 0) return b;
      n += b + 1;
    }
    return n;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return NaN;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const b = jsonBound(o[k], depth + 1);
    if (b < 0) return b;
    n += 4 + 6 * k.length + b;
  }
  return n;
}
