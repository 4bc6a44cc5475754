// The Kubernetes CEL libraries rules use beyond the standard ones: lists (sum, min, max, isSorted, indexOf),
// regex (find, findAll), sets, url; and size-charged versions of the string/list functions that build values.
import { celFunc, celMethod, CelScalar, isCelMap, listType, mapType, type CelList, type CelMap } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { charge } from './cost.ts';
import { quantityFuncs } from './quantity.ts';
import { compileRegex, type Regex } from './re2.ts';

const { BOOL, DYN, INT, STRING } = CelScalar;
const LIST = listType(DYN);
const STR_LIST = listType(STRING);
const URL_T = mapType(STRING, STRING);
const URL_TAG = '@url';

const items = (l: CelList): unknown[] => [...l];
function compare(a: unknown, b: unknown): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new Error('no such overload');
}
const eq = (a: unknown, b: unknown): boolean => {
  try { return compare(a, b) === 0; } catch { return JSON.stringify(a) === JSON.stringify(b); }
};

const lists = [
  celMethod('isSorted', LIST, [], BOOL, function () { const a = items(this); charge(a.length); return a.every((x, i) => i === 0 || compare(a[i - 1], x) <= 0); }),
  celMethod('sum', LIST, [], DYN, function () {
    const a = items(this); charge(a.length);
    if (a.length === 0) return 0n;
    return a.reduce((s: any, x: any) => (typeof s === 'bigint' && typeof x === 'bigint' ? s + x : Number(s) + Number(x))) as bigint | number;
  }),
  celMethod('min', LIST, [], DYN, function () { const a = items(this); charge(a.length); if (!a.length) throw new Error('min called on empty list'); return a.reduce((m, x) => (compare(x, m) < 0 ? x : m)) as any; }),
  celMethod('max', LIST, [], DYN, function () { const a = items(this); charge(a.length); if (!a.length) throw new Error('max called on empty list'); return a.reduce((m, x) => (compare(x, m) > 0 ? x : m)) as any; }),
  celMethod('indexOf', LIST, [DYN], INT, function (v) { const a = items(this); charge(a.length); return BigInt(a.findIndex((x) => eq(x, v))); }),
  celMethod('lastIndexOf', LIST, [DYN], INT, function (v) { const a = items(this); charge(a.length); for (let i = a.length - 1; i >= 0; i--) if (eq(a[i], v)) return BigInt(i); return -1n; }),
];

const sets = [
  celFunc('sets.contains', [LIST, LIST], BOOL, (a, b) => { const x = items(a), y = items(b); charge(x.length * y.length / 10); return y.every((v) => x.some((u) => eq(u, v))); }),
  celFunc('sets.equivalent', [LIST, LIST], BOOL, (a, b) => { const x = items(a), y = items(b); charge(x.length * y.length / 10); return y.every((v) => x.some((u) => eq(u, v))) && x.every((v) => y.some((u) => eq(u, v))); }),
  celFunc('sets.intersects', [LIST, LIST], BOOL, (a, b) => { const x = items(a), y = items(b); charge(x.length * y.length / 10); return y.some((v) => x.some((u) => eq(u, v))); }),
];

const compiled = new Map<string, Regex>();
function re(pattern: string): Regex {
  let r = compiled.get(pattern);
  if (!r) {
    charge(pattern.length);
    r = compileRegex(pattern);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, r);
  }
  return r;
}
function findAll(s: string, pattern: string, limit: number): string[] {
  charge(s.length / 10);
  return re(pattern).findAll(s, limit);
}
const regex = [
  celMethod('matches', STRING, [STRING], BOOL, function (p) { charge(this.length / 10); return re(p).test(this); }),
  celFunc('matches', [STRING, STRING], BOOL, (s, p) => { charge(s.length / 10); return re(p).test(s); }),
  celMethod('find', STRING, [STRING], STRING, function (p) { return findAll(this, p, 1)[0] ?? ''; }),
  celMethod('findAll', STRING, [STRING], STR_LIST, function (p) { return findAll(this, p, -1); }),
  celMethod('findAll', STRING, [STRING, INT], STR_LIST, function (p, n) { return findAll(this, p, Number(n)); }),
];

function parseUrl(s: string): URL | undefined {
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(s) && !s.startsWith('/')) return undefined;
  try { return new URL(s, s.startsWith('/') ? 'relative:///' : undefined); } catch { return undefined; }
}
function urlOf(m: CelMap): URL {
  const s = isCelMap(m) ? m.get(URL_TAG) : undefined;
  const u = typeof s === 'string' ? parseUrl(s) : undefined;
  if (!u) throw new Error('no such overload: expected a URL');
  return u;
}
const url = [
  celFunc('url', [STRING], URL_T, (s) => { if (!parseUrl(s)) throw new Error(`URL parse error during conversion from string: ${s}`); return new Map([[URL_TAG, s]]); }),
  celFunc('isURL', [STRING], BOOL, (s) => parseUrl(s) !== undefined),
  celMethod('getScheme', URL_T, [], STRING, function () { const u = urlOf(this); return u.protocol === 'relative:' ? '' : u.protocol.slice(0, -1); }),
  celMethod('getHost', URL_T, [], STRING, function () { const u = urlOf(this); return u.protocol === 'relative:' ? '' : u.host; }),
  celMethod('getHostname', URL_T, [], STRING, function () { const u = urlOf(this); return u.protocol === 'relative:' ? '' : u.hostname.replace(/^\[|\]$/g, ''); }),
  celMethod('getPort', URL_T, [], STRING, function () { return urlOf(this).port; }),
  celMethod('getEscapedPath', URL_T, [], STRING, function () { return urlOf(this).pathname; }),
  celMethod('getQuery', URL_T, [], mapType(STRING, STR_LIST), function () {
    const out = new Map<string, string[]>();
    for (const [k, v] of urlOf(this).searchParams) out.set(k, [...(out.get(k) ?? []), v]);
    return out;
  }),
];

/** Versions of the value-building functions that charge by what they build (and refuse what is too large). */
const sized = [
  celFunc('_+_', [STRING, STRING], STRING, (a, b) => { charge((a.length + b.length) / 100); return a + b; }),
  celMethod('replace', STRING, [STRING, STRING], STRING, function (from, to) {
    const n = from === '' ? this.length + 1 : this.split(from).length - 1;
    charge((this.length + n * to.length) / 10);
    return this.split(from).join(to);
  }),
  celMethod('replace', STRING, [STRING, STRING, INT], STRING, function (from, to, limit) {
    charge((this.length + Number(limit < 0n ? BigInt(this.length + 1) : limit) * to.length) / 10);
    let out = this; let count = 0; let at = 0;
    while ((limit < 0n || count < limit) && (at = out.indexOf(from, at)) >= 0) {
      out = out.slice(0, at) + to + out.slice(at + from.length); at += to.length + (from === '' ? 1 : 0); count++;
      if (from === '' && at > out.length) break;
    }
    return out;
  }),
  celMethod('join', STR_LIST, [], STRING, function () { const a = items(this) as string[]; charge(a.reduce((n, s) => n + s.length, 0) / 10); return a.join(''); }),
  celMethod('join', STR_LIST, [STRING], STRING, function (sep) { const a = items(this) as string[]; charge((a.reduce((n, s) => n + s.length, 0) + a.length * sep.length) / 10); return a.join(sep); }),
];

/** Every function Kubernetes' CEL environment offers that the standard library does not, cost-charged. */
export const K8S_FUNCS = [...strings, ...lists, ...sets, ...regex, ...url, ...quantityFuncs, ...sized];
export { URL_TAG };
