// The registry of built-in kind schemas keyed by (group, version, kind), and the root schema of a custom
// resource built from its CRD's openAPIV3Schema.
import { gvkKey, str, type Schema } from './schema-types.ts';
import { objectMeta } from './builtin-meta.ts';
import { coreSchemas, eventsSchemas } from './builtin-core.ts';
import { rbacSchemas } from './builtin-rbac.ts';
import { appsSchemas } from './builtin-apps.ts';
import { apiextensionsSchemas } from './builtin-crd.ts';

const GROUPS: Array<[group: string, version: string, kinds: Record<string, Schema>]> = [
  ['', 'v1', coreSchemas],
  ['rbac.authorization.k8s.io', 'v1', rbacSchemas],
  ['apps', 'v1', appsSchemas],
  ['apiextensions.k8s.io', 'v1', apiextensionsSchemas],
  ['events.k8s.io', 'v1', eventsSchemas],
];

const BUILTIN = new Map<string, Schema>();
for (const [group, version, kinds] of GROUPS) {
  for (const [kind, schema] of Object.entries(kinds)) BUILTIN.set(gvkKey(group, version, kind), schema);
}

/** The schema of a built-in kind, or undefined if (group, version, kind) is not built in. */
export function builtinSchema(group: string, version: string, kind: string): Schema | undefined {
  return BUILTIN.get(gvkKey(group, version, kind));
}

/** Every built-in (group, version, kind). */
export function builtinKinds(): Array<{ group: string; version: string; kind: string }> {
  return GROUPS.flatMap(([group, version, kinds]) => Object.keys(kinds).map((kind) => ({ group, version, kind })));
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
