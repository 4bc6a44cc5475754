// The apiextensions.k8s.io/v1 JSONSchemaProps definition (recursive; CRD schemas reference it by name).
import type { Schema } from './schema-types.ts';
import { builtinOpenAPI, JSON_SCHEMA_PROPS_DEF } from './builtin-openapi.ts';

export const JSON_SCHEMA_PROPS = JSON_SCHEMA_PROPS_DEF;
export const jsonSchemaProps: Schema = builtinOpenAPI().definitions[JSON_SCHEMA_PROPS_DEF];
