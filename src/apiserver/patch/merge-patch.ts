// RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge recursively, null deletes, anything else replaces.
import { badRequest } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** RFC 7386 MergePatch(target, patch), without mutating either argument (untouched subtrees of target are shared). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Merge-patches a stored object; the patch must be a JSON object and the result keeps an object metadata. */
export function applyMergePatch(current: KObject, patch: unknown): KObject {
  if (!isObject(patch)) throw badRequest('merge patch must be a JSON object');
  const out = mergePatch(structuredClone(current), patch) as KObject;
  if (!isObject(out.metadata)) throw badRequest('metadata must be an object');
  return out;
}
