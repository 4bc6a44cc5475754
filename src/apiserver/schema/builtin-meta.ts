// Shared meta.k8s.io schemas (ObjectMeta, ListMeta) as Kubernetes publishes them, for custom resources and lists.
import type { Schema } from './schema-types.ts';
import { builtinOpenAPI } from './builtin-openapi.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const objectMeta: Schema = builtinOpenAPI().definitions[`${META}.ObjectMeta`];
export const listMeta: Schema = builtinOpenAPI().definitions[`${META}.ListMeta`];
