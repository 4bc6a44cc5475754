// A CRD version's openAPIV3Schema compiled once into a validator of custom resources with the semantics and
// messages of kube-openapi as Kubernetes reports them (field paths, "in body should ...", Too many / Too long).
import { compileRegex, type Regex } from '../cel/re2.ts';
import { fe, type FieldError } from './field-errors.ts';
import { formatCheck } from './formats.ts';
import { child, index, isObject, jsonEqual, jsonType, type Props } from './json-schema.ts';

/** Validates `v` found at `path`, appending errors. */
export type Check = (v: unknown, path: string, errs: FieldError[]) => void;

const noop: Check = () => {};

/** Compiles a schema node (and everything under it) into one check. */
export function compileSchema(s: Props | undefined): Check {
  if (!s) return noop;
  const checks: Check[] = [];
  const typeCheck = compileType(s);
  const value = [...compileEnum(s), ...compileNumber(s), ...compileString(s), ...compileArray(s), ...compileObject(s)];
  const junctors = compileJunctors(s);
  const nullable = s.nullable === true;
  checks.push(...value, ...junctors);
  return (v, path, errs) => {
    if (v === null || v === undefined) {
      if (nullable) return;
      if (typeCheck) typeCheck(v, path, errs);
      return;
    }
    if (typeCheck) {
      const before = errs.length;
      typeCheck(v, path, errs);
      if (errs.length > before) return;
    }
    for (const c of checks) c(v, path, errs);
  };
}

function compileType(s: Props): Check | undefined {
  const types = s['x-kubernetes-int-or-string'] ? ['integer', 'string'] : s.type ? [s.type] : [];
  if (types.length === 0) return undefined;
  const label = types.join(',');
  const ok = (actual: string): boolean => types.includes(actual) || (actual === 'integer' && types.includes('number'));
  return (v, path, errs) => {
    const actual = jsonType(v);
    if (!ok(actual)) errs.push(fe.typeInvalid(path, actual, `${path} in body must be of type ${label}: "${actual}"`));
  };
}

function compileEnum(s: Props): Check[] {
  const values = s.enum;
  if (!values || values.length === 0) return [];
  const shown = values.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  return [(v, path, errs) => {
    if (!values.some((x) => jsonEqual(x, v))) errs.push(fe.notSupported(path, v, shown));
  }];
}

function compileNumber(s: Props): Check[] {
  const out: Check[] = [];
  const { maximum, minimum, multipleOf } = s;
  if (maximum !== undefined) {
    const excl = s.exclusiveMaximum === true;
    out.push((v, path, errs) => {
      if (typeof v !== 'number') return;
      if (excl ? v >= maximum : v > maximum) {
        errs.push(fe.invalid(path, v, `${path} in body should be less than ${excl ? '' : 'or equal to '}${goNumber(maximum)}`));
      }
    });
  }
  if (minimum !== undefined) {
    const excl = s.exclusiveMinimum === true;
    out.push((v, path, errs) => {
      if (typeof v !== 'number') return;
      if (excl ? v <= minimum : v < minimum) {
        errs.push(fe.invalid(path, v, `${path} in body should be greater than ${excl ? '' : 'or equal to '}${goNumber(minimum)}`));
      }
    });
  }
  if (multipleOf !== undefined && multipleOf > 0) {
    out.push((v, path, errs) => {
      if (typeof v !== 'number') return;
      const q = v / multipleOf;
      if (Math.abs(q - Math.round(q)) > 1e-9) errs.push(fe.invalid(path, v, `${path} in body should be a multiple of ${goNumber(multipleOf)}`));
    });
  }
  return out;
}

function compileString(s: Props): Check[] {
  const out: Check[] = [];
  const { maxLength, minLength, pattern } = s;
  const format = formatCheck(s.format);
  if (maxLength !== undefined || minLength !== undefined) {
    out.push((v, path, errs) => {
      if (typeof v !== 'string') return;
      const n = runeCount(v);
      if (maxLength !== undefined && n > maxLength) errs.push(fe.tooLong(path, maxLength));
      if (minLength !== undefined && n < minLength) errs.push(fe.invalid(path, v, `${path} in body should be at least ${minLength} chars long`));
    });
  }
  if (pattern !== undefined) {
    // RE2 (as Go's regexp): linear time whatever the pattern or the input.
    let re: Regex | undefined;
    try { re = compileRegex(pattern); } catch { re = undefined; }
    out.push((v, path, errs) => {
      if (typeof v !== 'string' || !re) return;
      if (!re.test(v)) errs.push(fe.invalid(path, v, `${path} in body should match '${pattern}'`));
    });
  }
  if (format) {
    const name = s.format!;
    out.push((v, path, errs) => {
      if (typeof v === 'string' && !format(v)) errs.push(fe.typeInvalid(path, v, `${path} in body must be of type ${name}: ${JSON.stringify(v)}`));
    });
  }
  return out;
}

function compileArray(s: Props): Check[] {
  const out: Check[] = [];
  const { maxItems, minItems } = s;
  if (maxItems !== undefined || minItems !== undefined) {
    out.push((v, path, errs) => {
      if (!Array.isArray(v)) return;
      if (maxItems !== undefined && v.length > maxItems) errs.push(fe.tooMany(path, v.length, maxItems));
      if (minItems !== undefined && v.length < minItems) errs.push(fe.invalid(path, v.length, `${path} in body should have at least ${minItems} items`));
    });
  }
  if (s.uniqueItems) {
    out.push((v, path, errs) => {
      if (!Array.isArray(v)) return;
      if (v.some((x, i) => v.findIndex((y) => jsonEqual(x, y)) !== i)) errs.push(fe.invalid(path, v, `${path} in body shouldn't contain duplicates`));
    });
  }
  if (s.items) {
    const item = compileSchema(s.items);
    out.push((v, path, errs) => {
      if (!Array.isArray(v)) return;
      for (let i = 0; i < v.length; i++) item(v[i], index(path, i), errs);
    });
  }
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    out.push((v, path, errs) => {
      if (!Array.isArray(v)) return;
      const seen = new Set<string>();
      v.forEach((x, i) => {
        const k = JSON.stringify(x);
        if (seen.has(k)) errs.push(fe.duplicate(index(path, i), x)); else seen.add(k);
      });
    });
  } else if (listType === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    out.push((v, path, errs) => {
      if (!Array.isArray(v)) return;
      const seen = new Set<string>();
      v.forEach((x, i) => {
        if (!isObject(x)) return;
        const keyObj: Record<string, unknown> = {};
        for (const k of keys) if (x[k] !== undefined) keyObj[k] = x[k];
        const k = JSON.stringify(keys.map((name) => x[name] ?? null));
        if (seen.has(k)) errs.push(fe.duplicate(index(path, i), keyObj)); else seen.add(k);
      });
    });
  }
  return out;
}

function compileObject(s: Props): Check[] {
  const out: Check[] = [];
  const required = s.required ?? [];
  const { maxProperties, minProperties } = s;
  if (required.length) {
    out.push((v, path, errs) => {
      if (!isObject(v)) return;
      for (const r of required) if (!Object.hasOwn(v, r)) errs.push(fe.required(child(path, r)));
    });
  }
  if (maxProperties !== undefined || minProperties !== undefined) {
    out.push((v, path, errs) => {
      if (!isObject(v)) return;
      const n = Object.keys(v).length;
      if (maxProperties !== undefined && n > maxProperties) errs.push(fe.tooMany(path, n, maxProperties));
      if (minProperties !== undefined && n < minProperties) errs.push(fe.invalid(path, n, `${path} in body should have at least ${minProperties} properties`));
    });
  }
  const props = Object.entries(s.properties ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, p]) => [k, compileSchema(p)] as const);
  if (props.length) {
    out.push((v, path, errs) => {
      if (!isObject(v)) return;
      for (const [k, check] of props) if (Object.hasOwn(v, k)) check(v[k], child(path, k), errs);
    });
  }
  const extra = s.additionalProperties;
  if (typeof extra === 'object') {
    const check = compileSchema(extra);
    const declared = new Set(Object.keys(s.properties ?? {}));
    out.push((v, path, errs) => {
      if (!isObject(v)) return;
      for (const k of Object.keys(v).sort()) if (!declared.has(k)) check(v[k], child(path, k), errs);
    });
  }
  return out;
}

/** allOf / anyOf / oneOf / not, reported as kube-openapi does (the composite message at the root path "<nil>"). */
function compileJunctors(s: Props): Check[] {
  const out: Check[] = [];
  if (s.allOf?.length) {
    const all = s.allOf.map(compileSchema);
    out.push((v, path, errs) => {
      const before = errs.length;
      for (const c of all) c(v, path, errs);
      if (errs.length > before) errs.push(fe.invalid('<nil>', '', `${JSON.stringify(path)} must validate all the schemas (allOf)`));
    });
  }
  if (s.anyOf?.length) {
    const any = s.anyOf.map(compileSchema);
    out.push((v, path, errs) => {
      let best: FieldError[] | undefined;
      for (const c of any) {
        const e: FieldError[] = [];
        c(v, path, e);
        if (e.length === 0) return;
        if (!best || e.length < best.length) best = e;
      }
      errs.push(fe.invalid('<nil>', '', `${JSON.stringify(path)} must validate at least one schema (anyOf)`), ...(best ?? []));
    });
  }
  if (s.oneOf?.length) {
    const one = s.oneOf.map(compileSchema);
    out.push((v, path, errs) => {
      let valid = 0;
      let best: FieldError[] | undefined;
      for (const c of one) {
        const e: FieldError[] = [];
        c(v, path, e);
        if (e.length === 0) valid++;
        else if (!best || e.length < best.length) best = e;
      }
      if (valid === 1) return;
      const why = valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`;
      errs.push(fe.invalid('<nil>', '', `${JSON.stringify(path)} must validate one and only one schema (oneOf). ${why}`));
      if (valid === 0 && best) errs.push(...best);
    });
  }
  if (s.not) {
    const not = compileSchema(s.not);
    out.push((v, path, errs) => {
      const e: FieldError[] = [];
      not(v, path, e);
      if (e.length === 0) errs.push(fe.invalid('<nil>', '', `${JSON.stringify(path)} must not validate the schema (not)`));
    });
  }
  return out;
}

/** Go's utf8.RuneCountInString. */
function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

/** A float64 as Go's %v prints it (exponents with a sign and at least two digits: 1e+21, 1e-07). */
function goNumber(n: number): string {
  return String(n).replace(/e([+-])(\d+)$/, (_m, sign: string, d: string) => `e${sign}${d.padStart(2, '0')}`);
}
