// The schemas of every built-in kind, read from Kubernetes 1.32's published OpenAPI (vendor/kubernetes-1.32/swagger.json)
// once, on first use: definitions keyed by their OpenAPI name, with references rewritten to #/components/schemas/ and the
// opaque types normalised (IntOrString and Quantity take strings or numbers; RawExtension and FieldsV1 keep any field).
import { readFileSync } from 'node:fs';
import { gvkKey, type GroupVersionKind, type Schema } from './schema-types.ts';

const SWAGGER = new URL('../../../vendor/kubernetes-1.32/swagger.json', import.meta.url);
const V2_PREFIX = '#/definitions/';
const V3_PREFIX = '#/components/schemas/';
const EXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
export const JSON_SCHEMA_PROPS_DEF = `${EXT}.JSONSchemaProps`;
const anything: Schema = { 'x-kubernetes-preserve-unknown-fields': true };

/** Definitions whose Go types have custom JSON forms. */
const OVERRIDES: Record<string, (d: Schema) => Schema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': (d) => ({ description: d.description, format: 'int-or-string', 'x-kubernetes-int-or-string': true }),
  'io.k8s.apimachinery.pkg.api.resource.Quantity': (d) => ({ description: d.description, 'x-kubernetes-int-or-string': true }),
  'io.k8s.apimachinery.pkg.runtime.RawExtension': (d) => ({ ...d, ...anything }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': (d) => ({ ...d, ...anything }),
  [`${EXT}.JSON`]: (d) => ({ description: d.description, ...anything }),
  // "a schema or an array of schemas" / "a schema or a bool": objects are checked as schemas.
  [`${EXT}.JSONSchemaPropsOrArray`]: (d) => ({ description: d.description, $ref: V3_PREFIX + JSON_SCHEMA_PROPS_DEF }),
  [`${EXT}.JSONSchemaPropsOrBool`]: (d) => ({ description: d.description, $ref: V3_PREFIX + JSON_SCHEMA_PROPS_DEF }),
  [`${EXT}.JSONSchemaPropsOrStringArray`]: (d) => ({ description: d.description, ...anything }),
};

export interface BuiltinOpenAPI {
  readonly definitions: Readonly<Record<string, Schema>>;
  /** `group/version/Kind` → definition name (kinds with x-kubernetes-group-version-kind). */
  readonly byGvk: ReadonlyMap<string, string>;
}

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(V2_PREFIX) ? V3_PREFIX + v.slice(V2_PREFIX.length) : rewriteRefs(v);
  }
  return out;
}

/** Normalises a swagger 2.0 `definitions` object (exported for the generator's checks and for tests). */
export function normaliseDefinitions(raw: Record<string, Schema>): BuiltinOpenAPI {
  const definitions: Record<string, Schema> = {};
  const byGvk = new Map<string, string>();
  for (const [name, def] of Object.entries(raw)) {
    const d = rewriteRefs(def) as Schema;
    definitions[name] = OVERRIDES[name]?.(d) ?? d;
    // Shared meta kinds (DeleteOptions, WatchEvent, Status) list every group; they are not served kinds.
    if (name.startsWith('io.k8s.apimachinery.')) continue;
    for (const g of d['x-kubernetes-group-version-kind'] ?? []) byGvk.set(gvkKey(g.group, g.version, g.kind), name);
  }
  return { definitions, byGvk };
}

let loaded: BuiltinOpenAPI | undefined;
export function builtinOpenAPI(): BuiltinOpenAPI {
  loaded ??= normaliseDefinitions((JSON.parse(readFileSync(SWAGGER, 'utf8')) as { definitions: Record<string, Schema> }).definitions);
  return loaded;
}

/** The definition name of a built-in kind, e.g. io.k8s.api.apps.v1.Deployment. */
export function builtinDefinitionName(gvk: GroupVersionKind): string | undefined {
  return builtinOpenAPI().byGvk.get(gvkKey(gvk.group, gvk.version, gvk.kind));
}
