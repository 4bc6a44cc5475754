// Checks of a built-in object against its published schema that Kubernetes makes while decoding into Go types and
// validating: JSON value types (the first mismatch, worded as Go's encoding/json reports it) and required fields.
import type { StatusCause } from '../errors.ts';
import type { Schema } from './schema-types.ts';
import { resolveSchema } from './definitions.ts';

const REF = '#/components/schemas/';
const INT32 = 2 ** 31;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Required in the OpenAPI (no omitempty in Go) but accepted empty by Kubernetes' validation. */
const NOT_VALIDATED_REQUIRED = new Set([
  'io.k8s.api.apps.v1.StatefulSetSpec.serviceName', 'io.k8s.api.core.v1.HTTPHeader.value',
  'io.k8s.api.core.v1.Sysctl.value', 'io.k8s.api.core.v1.Event.involvedObject',
]);

/** Go's name of a schema's type: int32, []v1.Container, map[string]string, v1.DeploymentSpec, intstr.IntOrString. */
function goType(node: Schema): string {
  if (node.$ref) {
    const parts = node.$ref.slice(REF.length).split('.');
    if (parts.at(-1) === 'IntOrString') return 'intstr.IntOrString';
    if (parts.at(-1) === 'Quantity') return 'resource.Quantity';
    if (parts.at(-1) === 'Time' || parts.at(-1) === 'MicroTime') return `v1.${parts.at(-1)}`;
    return `${parts.at(-2)}.${parts.at(-1)}`;
  }
  if (node.type === 'array') return `[]${node.items ? goType(node.items) : 'interface {}'}`;
  if (node.type === 'object' && typeof node.additionalProperties === 'object') return `map[string]${goType(node.additionalProperties)}`;
  if (node.type === 'integer') return node.format === 'int32' ? 'int32' : 'int64';
  if (node.type === 'number') return 'float64';
  if (node.type === 'boolean') return 'bool';
  if (node.type === 'string') return node.format === 'byte' ? '[]uint8' : 'string';
  return 'interface {}';
}

function jsonKind(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'number' : `number ${v}`;
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'string' ? 'string' : 'object';
}

/** Whether `value` decodes into the Go type the (resolved) schema describes. */
function fits(s: Schema, value: unknown): boolean {
  if (s['x-kubernetes-preserve-unknown-fields'] && !s.type) return true;
  if (s['x-kubernetes-int-or-string']) {
    return typeof value === 'string' || (typeof value === 'number' && (s.format !== 'int-or-string' || Number.isInteger(value)));
  }
  switch (s.type) {
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'number': return typeof value === 'number';
    case 'integer': return typeof value === 'number' && Number.isInteger(value)
      && (s.format !== 'int32' || (value >= -INT32 && value < INT32));
    case 'array': return Array.isArray(value);
    case 'object': return isObject(value);
    default: return true;
  }
}

/**
 * The first value whose JSON type does not fit the schema, as Go reports it:
 * `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`. Nulls decode to
 * zero values and are accepted, as in Go.
 */
export function firstTypeError(root: Schema, rootStruct: string, obj: unknown): string | undefined {
  let found: string | undefined;
  const walk = (node: Schema, value: unknown, struct: string, path: string): void => {
    if (found !== undefined || value === null || value === undefined) return;
    const s = resolveSchema(node);
    if (!fits(s, value)) {
      found = `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${struct}.${path} of type ${goType(node)}`;
      return;
    }
    if (Array.isArray(value)) { if (s.items) for (const item of value) walk(s.items, item, struct, path); return; }
    if (!isObject(value) || s['x-kubernetes-int-or-string']) return;
    const inner = node.$ref ? node.$ref.slice(REF.length).split('.').at(-1)! : struct;
    for (const [key, child] of Object.entries(value)) {
      const prop = s.properties && Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
      const childPath = path ? `${path}.${key}` : key;
      if (prop) walk(prop, child, inner, childPath);
      // Go names map values by the map's field, without the key.
      else if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, child, inner, path);
    }
  };
  walk(root, obj, rootStruct, '');
  return found;
}

/**
 * `Required value` causes for required string, object and int-or-string fields that are absent (lists, maps, numbers
 * and booleans are left to kind-specific validation, as their Go zero values often are valid). Status is not checked.
 */
export function missingRequired(root: Schema, obj: unknown): StatusCause[] {
  const causes: StatusCause[] = [];
  // Paths and definition names are built only for a missing field (this runs on every write of a built-in).
  const walk = (node: Schema, value: unknown, at: Path | undefined, def: Schema): void => {
    const s = resolveSchema(node);
    const owner = node.$ref ? node : def;
    if (Array.isArray(value)) {
      if (s.items) for (let i = 0; i < value.length; i++) walk(s.items, value[i], { parent: at, index: i }, owner);
      return;
    }
    if (!isObject(value)) return;
    if (s.required) {
      for (const req of s.required) {
        const prop = s.properties?.[req];
        if (!prop || (value[req] !== undefined && value[req] !== null)) continue;
        const name = owner.$ref ? owner.$ref.slice(REF.length) : '';
        if (NOT_VALIDATED_REQUIRED.has(`${name}.${req}`)) continue;
        const target = resolveSchema(prop);
        const checked = target.type === 'string' || target['x-kubernetes-int-or-string']
          || (target.type === 'object' && target.additionalProperties === undefined);
        if (checked) causes.push({ field: pathString({ parent: at, field: req }), message: 'Required value', reason: 'FieldValueRequired' });
      }
    }
    for (const key in value) {
      if (!Object.hasOwn(value, key) || (!at && key === 'status')) continue;
      const child = value[key];
      const prop = s.properties && Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
      if (prop) walk(prop, child, { parent: at, field: key }, owner);
      else if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, child, { parent: at, mapKey: key }, owner);
    }
  };
  walk(root, obj, undefined, {});
  return causes;
}

/** A field path as a chain from the leaf: `.field`, `[index]` or `[mapKey]` after its parent. */
interface Path { parent: Path | undefined; field?: string; index?: number; mapKey?: string }

/** `spec.containers[0].name`, `data[key]`. */
function pathString(p: Path | undefined): string {
  if (!p) return '';
  const head = pathString(p.parent);
  if (p.field !== undefined) return head ? `${head}.${p.field}` : p.field;
  return `${head}[${p.index ?? p.mapKey}]`;
}
