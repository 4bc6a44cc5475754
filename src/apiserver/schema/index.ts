// Public surface of the schema package: schema lookup for a served type, unknown-field checks, openapi documents.
import type { Schema } from './schema-types.ts';
import { builtinSchema, customResourceSchema } from './builtin-index.ts';

export type { Schema, GroupVersionKind } from './schema-types.ts';
export { kindSchema, openAPIFromZod, type KindSchemaParts } from './from-zod.ts';
export { builtinSchema, builtinKinds, customResourceSchema } from './builtin-index.ts';
export {
  checkFieldValidation, findUnknownFields, formatWarningHeader, parseFieldValidation,
  type FieldValidation, type FieldValidationOptions,
} from './unknown-fields.ts';
export {
  documentHash, gvPath, openapiV3Document, openapiV3Index, definitionName,
  type GroupVersion, type IndexEntry, type OpenAPIKind, type OpenAPIDocument,
} from './openapi.ts';

/** What schemaForType needs from a served type (registry ResourceType satisfies it). */
export interface TypeForSchema {
  group: string;
  version: string;
  kind: string;
  /** True for CRD-defined types; `schema` is then the CRD version's openAPIV3Schema. */
  custom?: boolean;
  /** The object schema of a CRD version or of a kind a module defines (apiVersion/kind/metadata are added). */
  schema?: Record<string, unknown>;
}

/** The schema to validate objects of a type against; undefined for types we have no schema for. */
export function schemaForType(t: TypeForSchema): Schema | undefined {
  if (t.custom || t.schema) return customResourceSchema(t.schema as Schema | undefined);
  return builtinSchema(t.group, t.version, t.kind);
}
