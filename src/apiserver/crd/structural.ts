// Checks a CRD version's openAPIV3Schema as Kubernetes does before accepting the CRD: only the keywords it
// supports, a structural schema (types everywhere, nothing structural inside allOf/anyOf/oneOf/not), valid list
// and map extensions, defaults that validate, and x-kubernetes-validations that compile.
import { fe, type FieldError } from './field-errors.ts';
import type { Props } from './json-schema.ts';
import { compileSchema } from './schema-validator.ts';
import { ruleProblems } from './cel-rules.ts';
import { compileRegex } from '../cel/re2.ts';

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
type Level = 'root' | 'item' | 'field';
const key = (path: string, k: string): string => `${path}.properties[${k}]`;

/** Every problem of one version's schema (path is e.g. `spec.versions[0].schema.openAPIV3Schema`). */
export function validateCrdSchema(s: Props, path: string): FieldError[] {
  const errs: FieldError[] = [];
  supported(s, path, errs, true);
  if (errs.length === 0) {
    const structural: FieldError[] = [];
    invariants(s, 'root', path, structural);
    structural.sort((a, b) => (a.field + a.detail < b.field + b.detail ? -1 : 1));
    errs.push(...structural);
  }
  if (errs.length === 0) defaults(s, path, errs);
  if (errs.length === 0) {
    for (const p of ruleProblems(s, path)) {
      errs.push(fe.invalid(`${p.path}.x-kubernetes-validations[${p.index}].${p.field}`, p.field === 'rule' ? p.rule.rule : p.rule.messageExpression, p.message));
    }
  }
  return errs;
}

/** ValidateCustomResourceDefinitionOpenAPISchema: keywords and extensions Kubernetes refuses or restricts. */
function supported(s: Props | undefined, path: string, errs: FieldError[], root: boolean): void {
  if (!s || typeof s !== 'object') return;
  if (s.type && !TYPES.includes(s.type)) {
    if (s.type === 'null') errs.push(fe.forbidden(`${path}.type`, 'type cannot be set to null, use nullable as an alternative'));
    else errs.push(fe.notSupported(`${path}.type`, s.type, TYPES));
  }
  const forbidden: Array<[keyof Props | 'id', string]> = [['id', 'id is not supported'], ['additionalItems', 'additionalItems is not supported'],
    ['patternProperties', 'patternProperties is not supported'], ['definitions', 'definitions is not supported'],
    ['dependencies', 'dependencies is not supported'], ['$ref', '$ref is not supported']];
  for (const [k, why] of forbidden) if ((s as Record<string, unknown>)[k] !== undefined) errs.push(fe.forbidden(`${path}.${k}`, why));
  if (s.uniqueItems) errs.push(fe.forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.additionalProperties !== undefined) {
    if (Object.keys(s.properties ?? {}).length && (s.additionalProperties === false || typeof s.additionalProperties === 'object')) {
      errs.push(fe.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    }
    if (typeof s.additionalProperties === 'object') supported(s.additionalProperties, `${path}.additionalProperties`, errs, false);
  }
  for (const [k, c] of Object.entries(s.properties ?? {})) supported(c, key(path, k), errs, false);
  supported(s.not, `${path}.not`, errs, false);
  for (const j of ['allOf', 'oneOf', 'anyOf'] as const) (s[j] ?? []).forEach((c, i) => supported(c, `${path}.${j}[${i}]`, errs, false));
  supported(s.items, `${path}.items`, errs, false);
  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(fe.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && s.type !== 'object') errs.push(typeMust(path, s, 'must be object if x-kubernetes-map-type is specified'));
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') errs.push(fe.notSupported(`${path}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  listExtensions(s, path, errs);
  if (s.pattern !== undefined) {
    try { compileRegex(s.pattern); } catch (e) {
      errs.push(fe.invalid(`${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${(e as Error).message}`));
    }
  }
  (s['x-kubernetes-validations'] ?? []).forEach((r, i) => {
    const at = `${path}.x-kubernetes-validations[${i}]`;
    if (!r.rule?.trim()) errs.push(fe.required(`${at}.rule`, 'rule is not specified'));
    else if (r.message !== undefined && r.message.length > 0 && !r.message.trim()) errs.push(fe.invalid(`${at}.message`, r.message, 'message must be non-empty if specified'));
    else if (r.message && /[\n\r]/.test(r.message.trim())) errs.push(fe.invalid(`${at}.message`, r.message, 'message must not contain line breaks'));
    else if (/[\n\r]/.test(r.rule.trim()) && !r.message?.trim()) errs.push(fe.required(`${at}.message`, 'message must be specified if rule contains line breaks'));
    if (r.messageExpression !== undefined && r.messageExpression.length > 0 && !r.messageExpression.trim()) errs.push(fe.required(`${at}.messageExpression`, 'messageExpression must be non-empty if specified'));
    const reasons = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];
    if (r.reason !== undefined && !reasons.includes(r.reason)) errs.push(fe.notSupported(`${at}.reason`, r.reason, reasons));
    if (r.fieldPath !== undefined && !fieldPathValid(s, r.fieldPath)) errs.push(fe.invalid(`${at}.fieldPath`, r.fieldPath, 'fieldPath must be a valid path'));
  });
  if (root && s.type && s.type !== 'object') { /* reported by the structural check */ }
}

function typeMust(path: string, s: Props, why: string): FieldError {
  return s.type ? fe.invalid(`${path}.type`, s.type, why) : fe.required(`${path}.type`, why);
}

function listExtensions(s: Props, path: string, errs: FieldError[]): void {
  const lt = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (lt !== undefined && s.type !== 'array') errs.push(typeMust(path, s, 'must be array if x-kubernetes-list-type is specified'));
  if (lt !== undefined && !['atomic', 'set', 'map'].includes(lt)) errs.push(fe.notSupported(`${path}.x-kubernetes-list-type`, lt, ['atomic', 'set', 'map']));
  if (keys.length && lt === undefined) errs.push(fe.required(`${path}.x-kubernetes-list-type`, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  else if (keys.length && lt !== 'map') errs.push(fe.invalid(`${path}.x-kubernetes-list-type`, lt, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  if (lt !== 'map') return;
  if (!keys.length) errs.push(fe.required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
  const item = s.items;
  if (!item) { errs.push(fe.required(`${path}.items`, 'must have a schema if x-kubernetes-list-type is map')); return; }
  if (item.type !== 'object') { errs.push(fe.invalid(`${path}.items.type`, item.type ?? '', "must be object if parent array's x-kubernetes-list-type is map")); return; }
  const seen = new Set<string>();
  for (const k of keys) {
    const p = item.properties?.[k];
    if (!p) errs.push(fe.invalid(`${path}.x-kubernetes-list-map-keys`, keys, 'entries must all be names of item properties'));
    else if (p.type === 'array' || p.type === 'object') errs.push(fe.invalid(`${path}.items.properties[${k}].type`, item.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
    else if (!(item.required ?? []).includes(k) && p.default === undefined) {
      errs.push(fe.required(`${path}.items.properties[${k}].default`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
    }
    if (seen.has(k)) errs.push(fe.invalid(`${path}.x-kubernetes-list-map-keys`, keys, 'must not contain duplicate entries'));
    seen.add(k);
  }
}

/** ValidateStructural: the structural invariants (types specified, nothing structural in value validations). */
function invariants(s: Props, lvl: Level, path: string, errs: FieldError[]): void {
  if (s.type === 'array' && !s.items) errs.push(fe.required(`${path}.items`, 'must be specified'));
  if (s.items) invariants(s.items, 'item', `${path}.items`, errs);
  for (const [k, c] of Object.entries(s.properties ?? {})) invariants(c, 'field', key(path, k), errs);
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push(fe.forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    if (typeof s.additionalProperties === 'object') invariants(s.additionalProperties, 'field', `${path}.additionalProperties`, errs);
  }
  const ios = s['x-kubernetes-int-or-string'] === true;
  const pres = s['x-kubernetes-preserve-unknown-fields'] === true;
  const emb = s['x-kubernetes-embedded-resource'] === true;
  if (ios && pres) errs.push(fe.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  if (ios && emb) errs.push(fe.invalid(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  const intOrStringAnyOf = (l?: Props[]): boolean => l?.length === 2 && l[0].type === 'integer' && l[1].type === 'string'
    && Object.keys(l[0]).length === 1 && Object.keys(l[1]).length === 1;
  const skipAnyOf = intOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = intOrStringAnyOf(s.allOf?.[0]?.anyOf);
  valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, lvl, path, errs);
  if (emb && s.type !== 'object') errs.push(typeMust(path, s, 'must be object if x-kubernetes-embedded-resource is true'));
  else if (!s.type && !ios && !pres) {
    const why = lvl === 'root' ? 'must not be empty at the root' : lvl === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields';
    errs.push(fe.required(`${path}.type`, why));
  }
  if (emb && s.additionalProperties !== undefined) errs.push(fe.forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && s.type && s.type !== 'object') errs.push(fe.invalid(`${path}.type`, s.type, 'must be object at the root'));
  if (lvl === 'root' || emb) {
    const p = s.properties ?? {};
    if (p.kind && p.kind.type !== 'string') errs.push(fe.invalid(`${key(path, 'kind')}.type`, p.kind.type ?? '', 'must be string'));
    if (p.apiVersion && p.apiVersion.type !== 'string') errs.push(fe.invalid(`${key(path, 'apiVersion')}.type`, p.apiVersion.type ?? '', 'must be string'));
    if (p.metadata && p.metadata.type !== 'object') errs.push(fe.invalid(`${key(path, 'metadata')}.type`, p.metadata.type ?? '', 'must be object'));
  }
  const meta = s.properties?.metadata;
  if (meta && lvl === 'root') {
    const rest = Object.keys(meta).filter((k) => !['type', 'properties', 'description'].includes(k));
    const props = Object.keys(meta.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
    if (rest.length || props.length) errs.push(fe.forbidden(key(path, 'metadata'), 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
  if (emb && !pres && Object.keys(s.properties ?? {}).length === 0) {
    errs.push(fe.required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
}

function valueValidation(s: Props, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: string, errs: FieldError[]): void {
  if (!skipAnyOf) (s.anyOf ?? []).forEach((c, i) => nested(c, false, lvl, `${path}.anyOf[${i}]`, errs));
  (s.allOf ?? []).forEach((c, i) => nested(c, skipFirstAllOfAnyOf && i === 0, lvl, `${path}.allOf[${i}]`, errs));
  (s.oneOf ?? []).forEach((c, i) => nested(c, false, lvl, `${path}.oneOf[${i}]`, errs));
  if (s.not) nested(s.not, false, lvl, `${path}.not`, errs);
}

/** Inside allOf/anyOf/oneOf/not: value validation only; properties must also be specified outside. */
function nested(s: Props, skipAnyOf: boolean, lvl: Level, path: string, errs: FieldError[]): void {
  valueValidation(s, skipAnyOf, false, lvl, path, errs);
  if (s.items) nested(s.items, false, lvl, `${path}.items`, errs);
  for (const [k, c] of Object.entries(s.properties ?? {})) nested(c, false, 'field', key(path, k), errs);
  const checks: Array<[boolean, string, string]> = [
    [Boolean(s.type), 'type', 'must be empty to be structural'],
    [s.additionalProperties !== undefined, 'additionalProperties', 'must be undefined to be structural'],
    [s.default !== undefined, 'default', 'must be undefined to be structural'],
    [Boolean(s.title), 'title', 'must be empty to be structural'],
    [Boolean(s.description), 'description', 'must be empty to be structural'],
    [s.nullable === true, 'nullable', 'must be false to be structural'],
    [s['x-kubernetes-preserve-unknown-fields'] === true, 'x-kubernetes-preserve-unknown-fields', 'must be false to be structural'],
    [s['x-kubernetes-embedded-resource'] === true, 'x-kubernetes-embedded-resource', 'must be false to be structural'],
    [s['x-kubernetes-int-or-string'] === true, 'x-kubernetes-int-or-string', 'must be false to be structural'],
    [Boolean(s['x-kubernetes-list-map-keys']?.length), 'x-kubernetes-list-map-keys', 'must be empty to be structural'],
    [s['x-kubernetes-list-type'] !== undefined, 'x-kubernetes-list-type', 'must be undefined to be structural'],
  ];
  for (const [bad, k, why] of checks) if (bad) errs.push(fe.forbidden(`${path}.${k}`, why));
  if (s.properties?.metadata) errs.push(fe.forbidden(key(path, 'metadata'), 'must not be specified in a nested context'));
}

/** Defaults must validate against the schema they sit in (reported as kube-openapi does, with an empty name). */
function defaults(s: Props, path: string, errs: FieldError[]): void {
  const walk = (n: Props | undefined, p: string, inMeta: boolean): void => {
    if (!n) return;
    if (n.default !== undefined) {
      if (inMeta) errs.push(fe.forbidden(`${p}.default`, 'must not be set in top-level metadata'));
      else {
        const e: FieldError[] = [];
        compileSchema(n)(n.default, '', e);
        for (const x of e) errs.push({ ...x, field: x.field && x.field !== '<nil>' ? `${p}.default.${x.field}` : `${p}.default` });
      }
    }
    for (const [k, c] of Object.entries(n.properties ?? {})) walk(c, key(p, k), inMeta || (p === path && k === 'metadata'));
    if (typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${p}.additionalProperties`, inMeta);
    walk(n.items, `${p}.items`, inMeta);
  };
  walk(s, path, false);
}

/** A rule's fieldPath (`.a.b`, `.a['b.c']`, `.list[0]`) must name a field of the schema. */
function fieldPathValid(s: Props, fieldPath: string): boolean {
  if (!fieldPath.startsWith('.') && !fieldPath.startsWith('[')) return false;
  let node: Props | undefined = s;
  const re = /\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < fieldPath.length && (m = re.exec(fieldPath))) {
    at = re.lastIndex;
    if (!node) return false;
    if (m[3] !== undefined) { node = node.items; continue; }
    const name = m[1] ?? m[2];
    node = node.properties?.[name] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  return at === fieldPath.length && node !== undefined;
}
