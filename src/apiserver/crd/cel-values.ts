// JSON values as CEL sees them under a structural schema (as Kubernetes' UnstructuredToVal): integers as int,
// numbers as double, date-time strings as timestamps, duration strings as durations, objects as maps.
import { isCelList, isCelMap } from '@bufbuild/cel';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { isObject, propertySchema, type Props } from './json-schema.ts';

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function goDurationMs(s: string): number | undefined {
  const re = /([-+]?\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)/g;
  if (!/^[-+]?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(re)) total += Number(m[1]) * UNITS[m[2]];
  return total;
}

function scalar(v: unknown, s: Props | undefined): unknown {
  if (typeof v === 'number') {
    const integer = s?.type === 'integer' || s?.['x-kubernetes-int-or-string'] === true || (s?.type !== 'number' && Number.isInteger(v));
    return integer && Number.isSafeInteger(v) ? BigInt(v) : v;
  }
  if (typeof v === 'string' && s?.type === 'string') {
    if (s.format === 'date-time') { const d = new Date(v); if (!Number.isNaN(d.getTime())) return timestampFromDate(d); }
    if (s.format === 'duration') { const ms = goDurationMs(v); if (ms !== undefined) return durationFromMs(ms); }
    if (s.format === 'byte') return new Uint8Array(Buffer.from(v, 'base64'));
  }
  return v;
}

/** Converts a JSON value (of the node with schema `s`) to a CEL input; objects become Maps, lists arrays. */
export function toCel(v: unknown, s: Props | undefined, cache?: WeakMap<object, unknown>): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object') return scalar(v, s);
  const hit = cache?.get(v);
  if (hit !== undefined) return hit;
  let out: unknown;
  if (Array.isArray(v)) out = v.map((x) => toCel(x, s?.items, cache));
  else {
    const m = new Map<string, unknown>();
    for (const [k, x] of Object.entries(v)) m.set(k, toCel(x, s ? propertySchema(s, k) : undefined, cache));
    out = m;
  }
  cache?.set(v, out);
  return out;
}

/** The root `self` of a custom resource: its fields, with metadata reduced to name and generateName. */
export function rootToCel(obj: Record<string, unknown>, s: Props, cache?: WeakMap<object, unknown>): unknown {
  const m = new Map<string, unknown>();
  for (const [k, x] of Object.entries(obj)) {
    if (k === 'metadata' && isObject(x)) {
      const meta = new Map<string, unknown>();
      if (typeof x.name === 'string') meta.set('name', x.name);
      if (typeof x.generateName === 'string') meta.set('generateName', x.generateName);
      m.set(k, meta);
    } else m.set(k, toCel(x, propertySchema(s, k), cache));
  }
  return m;
}

/** A CEL result back to JSON-ish JS (bigint to number, maps to objects, lists to arrays). */
export function fromCel(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (isCelMap(v) || v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), fromCel(x)]));
  if (isCelList(v) || Array.isArray(v)) return [...(v as Iterable<unknown>)].map(fromCel);
  return v;
}
