// The registry of built-in kind schemas keyed by (group, version, kind) — Kubernetes 1.32's published OpenAPI
// (builtin-openapi.ts) — and the root schema of a custom resource built from its CRD's openAPIV3Schema.
import { str, type Schema } from './schema-types.ts';
import { objectMeta } from './builtin-meta.ts';
import { builtinDefinitionName, builtinOpenAPI } from './builtin-openapi.ts';

/** The schema of a built-in kind, or undefined if (group, version, kind) is not built in. */
export function builtinSchema(group: string, version: string, kind: string): Schema | undefined {
  const name = builtinDefinitionName({ group, version, kind });
  return name ? builtinOpenAPI().definitions[name] : undefined;
}

/** Every built-in (group, version, kind) the published OpenAPI defines. */
export function builtinKinds(): Array<{ group: string; version: string; kind: string }> {
  return [...builtinOpenAPI().byGvk.keys()].map((k) => {
    const [group, version, kind] = k.split('/');
    return { group, version, kind };
  });
}

/**
 * The root schema of a custom resource: the CRD version's openAPIV3Schema with apiVersion, kind and metadata
 * (always ObjectMeta, whatever the CRD says) added. Without a schema every field is kept.
 */
export function customResourceSchema(openAPIV3Schema: Schema | undefined): Schema {
  const base: Schema = openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    ...base,
    type: 'object',
    properties: { ...(base.properties ?? {}), apiVersion: str(), kind: str(), metadata: objectMeta },
  };
}
