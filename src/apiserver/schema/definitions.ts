// Named schemas that other schemas reference with `$ref` (every definition of Kubernetes' published OpenAPI), and
// resolution of such references.
import type { Schema } from './schema-types.ts';
import { builtinOpenAPI } from './builtin-openapi.ts';

export const DEFINITIONS: Readonly<Record<string, Schema>> = builtinOpenAPI().definitions;
const PREFIX = '#/components/schemas/';

/** The schema a `$ref` node stands for; the node itself when it has no ref. Unknown refs resolve to "anything". */
export function resolveSchema(s: Schema): Schema {
  if (!s.$ref) return s;
  const target = s.$ref.startsWith(PREFIX) ? DEFINITIONS[s.$ref.slice(PREFIX.length)] : undefined;
  return target ?? { 'x-kubernetes-preserve-unknown-fields': true };
}

/** Names of the definitions reachable from `s` (for openapi components). */
export function referencedDefinitions(s: Schema, found: Set<string> = new Set()): Set<string> {
  const seen = new Set<Schema>();
  const visit = (n: Schema | boolean | undefined): void => {
    if (!n || typeof n !== 'object' || seen.has(n)) return;
    seen.add(n);
    if (n.$ref?.startsWith(PREFIX)) {
      const name = n.$ref.slice(PREFIX.length);
      if (!found.has(name) && DEFINITIONS[name]) { found.add(name); visit(DEFINITIONS[name]); }
    }
    for (const p of Object.values(n.properties ?? {})) visit(p);
    visit(n.items);
    visit(n.additionalProperties);
  };
  visit(s);
  return found;
}
