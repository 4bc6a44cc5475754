// Strategic merge patch (application/strategic-merge-patch+json) for built-in kinds, as the API server applies it:
// lists merge by patchMergeKey, primitive "merge" lists union, other lists are replaced; $patch, $retainKeys,
// $deleteFromPrimitiveList/<field> and $setElementOrder/<field> directives.
import { badRequest, StatusError, unsupportedMediaTypeMessage } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { isObject, type JsonObject } from './json-value.ts';
import { childPath, elementPath, fieldMeta, patchSchema, supportsStrategicMerge, type KindSchema } from './patch-schema.ts';

export { supportsStrategicMerge };

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ORDER = '$setElementOrder/';

/** The 415 Kubernetes answers to a strategic merge patch of a kind without Go types (custom resources). */
export function strategicMergeNotSupported(): StatusError {
  return unsupportedMediaTypeMessage('the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
}

/** Applies a strategic merge patch to a copy of `current`. Throws 415 for kinds without patch metadata, 400 on a bad patch. */
export function applyStrategicMergePatch(current: KObject, patch: unknown, gk: { group: string; kind: string }): KObject {
  if (!supportsStrategicMerge(gk.group, gk.kind)) throw strategicMergeNotSupported();
  if (!isObject(patch)) throw badRequest('strategic merge patch must be a JSON object');
  const out = strategicMerge(current, patch, patchSchema(gk.group, gk.kind));
  if (!isObject(out.metadata)) throw badRequest('metadata must be an object');
  return out as KObject;
}

/** The strategic merge of `patch` into a copy of `original`, driven by `schema`. */
export function strategicMerge(original: JsonObject, patch: JsonObject, schema: KindSchema): JsonObject {
  return mergeMap(structuredClone(original), patch, '', schema);
}

function stringList(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw badRequest(`${what} must be a list`);
  return v;
}

/** Merges `patch` into `orig` (which it may mutate) and returns the result. */
function mergeMap(orig: JsonObject, patch: JsonObject, path: string, s: KindSchema): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') {
    const { [DIRECTIVE]: _, ...rest } = patch;
    return mergeMap({}, rest, path, s);
  }
  if (directive === 'delete') return {};
  if (directive !== undefined && directive !== 'merge') throw badRequest(`Unrecognized patch directive ${JSON.stringify(directive)} in map`);

  if (RETAIN_KEYS in patch) {
    const keep = new Set(stringList(patch[RETAIN_KEYS], RETAIN_KEYS));
    for (const k of Object.keys(orig)) if (!keep.has(k)) delete orig[k];
  }
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(DELETE_PRIMITIVE)) continue;
    const field = k.slice(DELETE_PRIMITIVE.length);
    const drop = new Set(stringList(v, k).map(identity));
    const list = orig[field];
    if (Array.isArray(list)) orig[field] = list.filter((item) => !drop.has(identity(item)));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(DELETE_PRIMITIVE) || k.startsWith(SET_ORDER)) continue;
    if (v === null || (isObject(v) && v[DIRECTIVE] === 'delete')) { delete orig[k]; continue; }
    const p = childPath(path, k);
    const cur = orig[k];
    if (isObject(cur) && isObject(v)) orig[k] = mergeMap(cur, v, p, s);
    else if (Array.isArray(cur) && Array.isArray(v)) orig[k] = mergeList(cur, v, p, s);
    else orig[k] = fresh(v, p, s);
  }
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(SET_ORDER)) continue;
    const field = k.slice(SET_ORDER.length);
    const list = orig[field];
    if (Array.isArray(list)) orig[field] = reorder(list, stringList(v, k), fieldMeta(s, childPath(path, field))?.list?.mergeKey);
  }
  return orig;
}

/** A patch value for a field the original lacks: nulls and directives are resolved against nothing. */
function fresh(v: unknown, path: string, s: KindSchema): unknown {
  if (isObject(v)) return mergeMap({}, v, path, s);
  if (Array.isArray(v)) return mergeList([], v, path, s);
  return v;
}

function mergeList(orig: unknown[], patch: unknown[], path: string, s: KindSchema): unknown[] {
  const meta = fieldMeta(s, path)?.list;
  const elem = elementPath(path);
  if (!meta?.merge) return patch.map((item) => fresh(item, elem, s));
  const key = meta.mergeKey;
  if (key === undefined) {
    const out = [...orig];
    const present = new Set(orig.map(identity));
    for (const item of patch) {
      if (isObject(item) || Array.isArray(item)) throw badRequest(`${path}: a primitive list cannot hold ${JSON.stringify(item)}`);
      const id = identity(item);
      if (!present.has(id)) { present.add(id); out.push(item); }
    }
    return out;
  }
  let replaceAll = false;
  const deletes: unknown[] = [];
  const items: JsonObject[] = [];
  for (const item of patch) {
    if (!isObject(item)) throw badRequest(`${path}: expected a map in a list merged by ${key}, got ${JSON.stringify(item)}`);
    const d = item[DIRECTIVE];
    if (d === 'replace') { replaceAll = true; continue; }
    if (d !== undefined && d !== 'delete' && d !== 'merge') throw badRequest(`Unrecognized patch directive ${JSON.stringify(d)} in list`);
    if (!(key in item)) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    if (d === 'delete') deletes.push(item[key]);
    else items.push(item);
  }
  if (replaceAll) return items.map((item) => fresh(item, elem, s));
  const deleted = new Set(deletes.map(identity));
  const out = orig.filter((o) => !(isObject(o) && deleted.has(identity(o[key]))));
  // Index of the first element with each key value (as findIndex would find it), kept as elements are added.
  const at = new Map<string, number>();
  out.forEach((o, i) => { if (isObject(o)) { const id = identity(o[key]); if (!at.has(id)) at.set(id, i); } });
  for (const item of items) {
    const id = identity(item[key]);
    const i = at.get(id);
    if (i !== undefined) out[i] = mergeMap(out[i] as JsonObject, item, elem, s);
    else { at.set(id, out.length); out.push(fresh(item, elem, s)); }
  }
  return out;
}

/**
 * Applies $setElementOrder: elements named in `order` take the slots such elements occupy, in the given order;
 * elements not named (server-only) keep their positions.
 */
function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const ranks = new Map<string, number>();
  order.forEach((o, i) => {
    const id = identity(key !== undefined && isObject(o) ? o[key] : o);
    if (!ranks.has(id)) ranks.set(id, i);
  });
  const idOf = (v: unknown) => (key !== undefined ? (isObject(v) ? v[key] : undefined) : v);
  const rankOf = list.map((v) => ranks.get(identity(idOf(v))) ?? -1);
  const named = list.map((v, i) => ({ v, r: rankOf[i] })).filter((x) => x.r >= 0).sort((a, b) => a.r - b.r);
  let next = 0;
  return list.map((v, i) => (rankOf[i] >= 0 ? named[next++].v : v));
}

/**
 * A string equal for exactly the values jsonEqual holds equal (objects with sorted keys), so that list merges use
 * maps instead of comparing every pair: linear work for lists of any length.
 */
function identity(v: unknown): string {
  if (v === undefined) return 'u';
  if (typeof v !== 'object' || v === null) return `${typeof v}:${String(v)}`;
  return `j:${JSON.stringify(v, (_, x: unknown) => (isObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x))}`;
}
