// resource.Quantity for CEL (Kubernetes' quantity library): parsing of "1.5Gi", "100m", "1e3", exact
// comparison and arithmetic on decimal values, represented in CEL as a tagged map.
import { celFunc, celMethod, CelScalar, isCelMap, mapType, type CelMap } from '@bufbuild/cel';

const { BOOL, DOUBLE, INT, STRING } = CelScalar;
const QTY = mapType(STRING, STRING);
const TAG = '@quantity';

/** value = digits × 10^exp (exact). */
export interface Decimal { digits: bigint; exp: number }

const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const FORMAT = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

export function parseQuantity(s: string): Decimal | undefined {
  const m = FORMAT.exec(s);
  if (!m || s.length > 128) return undefined;
  const [, sign, num, suffix = ''] = m;
  const [int, frac = ''] = num.split('.');
  let digits = BigInt((int || '0') + frac) * (sign === '-' ? -1n : 1n);
  let exp = -frac.length;
  if (suffix in BINARY) digits *= 1024n ** BigInt(BINARY[suffix]);
  else if (suffix in DECIMAL) exp += DECIMAL[suffix];
  else {
    const e = Number(suffix.slice(1));
    if (Math.abs(e) > 1000) return undefined;
    exp += e;
  }
  return { digits, exp };
}

function align(a: Decimal, b: Decimal): [bigint, bigint] {
  const e = Math.min(a.exp, b.exp);
  return [a.digits * 10n ** BigInt(a.exp - e), b.digits * 10n ** BigInt(b.exp - e)];
}
const cmp = (a: Decimal, b: Decimal): number => { const [x, y] = align(a, b); return x < y ? -1 : x > y ? 1 : 0; };
const add = (a: Decimal, b: Decimal): Decimal => { const [x, y] = align(a, b); return { digits: x + y, exp: Math.min(a.exp, b.exp) }; };
const neg = (a: Decimal): Decimal => ({ digits: -a.digits, exp: a.exp });
const fromInt = (n: bigint): Decimal => ({ digits: n, exp: 0 });

function integerValue(q: Decimal): bigint | undefined {
  if (q.exp >= 0) return q.digits * 10n ** BigInt(q.exp);
  const div = 10n ** BigInt(-q.exp);
  return q.digits % div === 0n ? q.digits / div : undefined;
}

function toString(q: Decimal): string {
  if (q.exp >= 0) return (q.digits * 10n ** BigInt(q.exp)).toString();
  const s = (q.digits < 0n ? -q.digits : q.digits).toString().padStart(-q.exp + 1, '0');
  const out = `${s.slice(0, s.length + q.exp)}.${s.slice(s.length + q.exp)}`.replace(/\.?0+$/, '');
  return (q.digits < 0n ? '-' : '') + out;
}

const wrap = (q: Decimal): Map<string, string> => new Map([[TAG, toString(q)]]);
function unwrap(m: CelMap): Decimal {
  const s = m.get(TAG);
  const q = typeof s === 'string' ? parseQuantity(s) : undefined;
  if (!q || !isCelMap(m)) throw new Error('no such overload: expected a quantity');
  return q;
}
const MAX_INT64 = 2n ** 63n - 1n;

export const quantityFuncs = [
  celFunc('quantity', [STRING], QTY, (s) => {
    const q = parseQuantity(s);
    if (!q) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
    return wrap(q);
  }),
  celFunc('isQuantity', [STRING], BOOL, (s) => parseQuantity(s) !== undefined),
  celMethod('isInteger', QTY, [], BOOL, function () { const v = integerValue(unwrap(this)); return v !== undefined && v <= MAX_INT64 && v >= -MAX_INT64 - 1n; }),
  celMethod('asInteger', QTY, [], INT, function () {
    const v = integerValue(unwrap(this));
    if (v === undefined || v > MAX_INT64 || v < -MAX_INT64 - 1n) throw new Error('cannot convert value to integer');
    return v;
  }),
  celMethod('asApproximateFloat', QTY, [], DOUBLE, function () { return Number(toString(unwrap(this))); }),
  celMethod('sign', QTY, [], INT, function () { const d = unwrap(this).digits; return d > 0n ? 1n : d < 0n ? -1n : 0n; }),
  celMethod('isGreaterThan', QTY, [QTY], BOOL, function (o) { return cmp(unwrap(this), unwrap(o)) > 0; }),
  celMethod('isLessThan', QTY, [QTY], BOOL, function (o) { return cmp(unwrap(this), unwrap(o)) < 0; }),
  celMethod('compareTo', QTY, [QTY], INT, function (o) { return BigInt(cmp(unwrap(this), unwrap(o))); }),
  celMethod('add', QTY, [QTY], QTY, function (o) { return wrap(add(unwrap(this), unwrap(o))); }),
  celMethod('add', QTY, [INT], QTY, function (o) { return wrap(add(unwrap(this), fromInt(o))); }),
  celMethod('sub', QTY, [QTY], QTY, function (o) { return wrap(add(unwrap(this), neg(unwrap(o)))); }),
  celMethod('sub', QTY, [INT], QTY, function (o) { return wrap(add(unwrap(this), neg(fromInt(o)))); }),
];
