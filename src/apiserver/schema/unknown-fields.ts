// Detection of fields a schema does not know (Kubernetes "strict decoding" / pruning paths) and the
// fieldValidation=Strict|Warn|Ignore behaviour built on it.
import { badRequest, invalid } from '../errors.ts';
import type { Schema } from './schema-types.ts';
import { resolveSchema } from './definitions.ts';
import { objectMeta } from './builtin-meta.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Paths (`spec.foo`, `rules[0].verbz`, `data.key.x`) of fields in `obj` that `schema` does not declare, in
 * document order (or sorted, as Kubernetes reports them for custom resources).
 * Preserve-unknown nodes allow any field but their declared properties are still checked; int-or-string nodes
 * and values whose JSON type does not match the schema are not descended into.
 */
export function findUnknownFields(schema: Schema, obj: unknown, opts: { sort?: boolean; prune?: boolean } = {}): string[] {
  const out: string[] = [];
  walk(schema, obj, '', out, opts.prune === true);
  return opts.sort ? out.sort() : out;
}

/** With `prune`, unknown fields are also removed from `value` (what Kubernetes stores of a decoded object). */
function walk(node: Schema, value: unknown, path: string, out: string[], prune: boolean): void {
  const s = resolveSchema(node);
  if (s['x-kubernetes-int-or-string']) return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((item, i) => walk(s.items as Schema, item, `${path}[${i}]`, out, prune));
    return;
  }
  if (!isPlainObject(value)) return;
  // A node that says nothing about objects (no type, no fields) accepts anything.
  const describesObject = s.type === 'object' || s.properties !== undefined || s.additionalProperties !== undefined;
  if (!describesObject) return;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    const prop = s.properties && Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
    if (prop) { walk(prop, child, childPath, out, prune); continue; }
    if (embedded && (key === 'apiVersion' || key === 'kind')) continue;
    if (embedded && key === 'metadata') { walk(objectMeta, child, childPath, out, prune); continue; }
    const extra = s.additionalProperties;
    if (extra !== undefined && extra !== false) {
      if (typeof extra === 'object') walk(extra, child, childPath, out, prune);
      continue;
    }
    if (preserve) continue;
    out.push(childPath);
    if (prune) delete value[key];
  }
}

/**
 * Parses the fieldValidation query parameter (absent means Warn, the Kubernetes default); anything else is a
 * 422 on the options kind, as Kubernetes reports it (`CreateOptions.meta.k8s.io "" is invalid: ...`).
 */
export function parseFieldValidation(value: string | null | undefined,
  optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' = 'CreateOptions'): FieldValidation {
  if (value === null || value === undefined || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw invalid(optionsKind, 'meta.k8s.io', '', [{
    field: 'fieldValidation', reason: 'FieldValueNotSupported',
    message: `Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`,
  }]);
}

export interface FieldValidationOptions {
  /** With kind and version the Strict message is prefixed like Kubernetes': `Role in version "v1" cannot be handled as a Role: `. */
  kind?: string;
  version?: string;
  /** Report paths sorted (custom resources). */
  sort?: boolean;
}

/**
 * Applies fieldValidation: Strict throws a 400 BadRequest
 * (`strict decoding error: unknown field "spec.foo", unknown field "rules[0].verbz"`), Warn returns one warning
 * per field (`unknown field "spec.foo"`, to be sent with formatWarningHeader), Ignore does nothing.
 */
export function checkFieldValidation(mode: FieldValidation, schema: Schema, obj: unknown,
  opts: FieldValidationOptions = {}): { warnings: string[] } {
  if (mode === 'Ignore') return { warnings: [] };
  const messages = findUnknownFields(schema, obj, { sort: opts.sort }).map((p) => `unknown field "${p}"`);
  if (messages.length === 0) return { warnings: [] };
  if (mode === 'Strict') {
    const detail = `strict decoding error: ${messages.join(', ')}`;
    const prefix = opts.kind && opts.version
      ? `${opts.kind} in version "${opts.version}" cannot be handled as a ${opts.kind}: ` : '';
    throw badRequest(prefix + detail);
  }
  return { warnings: messages };
}

/** The value of one `Warning` response header: `299 - "unknown field \"spec.foo\""`. */
export function formatWarningHeader(text: string): string {
  return `299 - "${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
