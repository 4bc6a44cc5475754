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
