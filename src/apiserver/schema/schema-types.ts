// The structural-schema subset (OpenAPI v3 / JSON schema) used for built-in kinds and CRDs, and the
// small builder functions the builtin-*.ts files use to write schemas compactly.

export interface GroupVersionKind { group: string; version: string; kind: string }

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  /** Only `#/components/schemas/<name>` references to DEFINITIONS (see definitions.ts). */
  $ref?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
}

export const gvkKey = (group: string, version: string, kind: string): string => `${group}/${version}/${kind}`;
export const refTo = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export const str = (extra: Partial<Schema> = {}): Schema => ({ type: 'string', ...extra });
export const int = (extra: Partial<Schema> = {}): Schema => ({ type: 'integer', format: 'int32', ...extra });
export const int64 = (): Schema => ({ type: 'integer', format: 'int64' });
export const bool = (): Schema => ({ type: 'boolean' });
export const time = (): Schema => ({ type: 'string', format: 'date-time' });
export const obj = (properties: Record<string, Schema>, extra: Partial<Schema> = {}): Schema =>
  ({ type: 'object', properties, ...extra });
export const arr = (items: Schema, extra: Partial<Schema> = {}): Schema => ({ type: 'array', items, ...extra });
export const atomicArr = (items: Schema): Schema => arr(items, { 'x-kubernetes-list-type': 'atomic' });
export const mapOf = (values: Schema): Schema => ({ type: 'object', additionalProperties: values });
export const strMap = (): Schema => mapOf(str());
export const strArr = (): Schema => arr(str());
/** An object whose unknown fields are kept (deep parts we do not model). */
export const preserve = (properties?: Record<string, Schema>): Schema =>
  ({ type: 'object', ...(properties ? { properties } : {}), 'x-kubernetes-preserve-unknown-fields': true });
/** Any JSON value. */
export const anyValue = (): Schema => ({ 'x-kubernetes-preserve-unknown-fields': true });
export const intOrString = (): Schema => ({ 'x-kubernetes-int-or-string': true });
/** resource.Quantity: a string or a number. */
export const quantity = (): Schema => ({ 'x-kubernetes-int-or-string': true });
/** A list merged by strategic merge patch on `key`. */
export const mergeList = (items: Schema, key: string): Schema => arr(items, {
  'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key],
});
/** `base` plus each other named property as a preserve-unknown object (e.g. volume sources). */
export const preserveEach = (names: string[], base: Record<string, Schema> = {}): Record<string, Schema> => {
  const out: Record<string, Schema> = { ...base };
  for (const n of names) out[n] ??= preserve();
  return out;
};
