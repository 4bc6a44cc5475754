// Schema of apiextensions.k8s.io/v1 CustomResourceDefinition (complete), including the recursive
// JSONSchemaProps definition, which is referenced by name (see definitions.ts).
import { anyValue, arr, bool, int, int64, mapOf, obj, preserve, refTo, str, strArr, type Schema } from './schema-types.ts';
import { kindSchema } from './builtin-meta.ts';

export const JSON_SCHEMA_PROPS = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';
const props = (): Schema => refTo(JSON_SCHEMA_PROPS);

/** JSONSchemaProps: fields that hold "schema or bool/array" use the ref; the checker only descends into objects. */
export const jsonSchemaProps: Schema = obj({
  $ref: str(), $schema: str(), id: str(), title: str(), description: str(), type: str(), format: str(),
  default: anyValue(), example: anyValue(), enum: arr(anyValue()), nullable: bool(),
  maximum: { type: 'number' }, minimum: { type: 'number' }, exclusiveMaximum: bool(), exclusiveMinimum: bool(),
  multipleOf: { type: 'number' }, maxLength: int64(), minLength: int64(), pattern: str(),
  maxItems: int64(), minItems: int64(), uniqueItems: bool(), maxProperties: int64(), minProperties: int64(),
  required: strArr(), items: props(), additionalItems: props(), properties: mapOf(props()),
  additionalProperties: props(), patternProperties: mapOf(props()), dependencies: mapOf(anyValue()),
  definitions: mapOf(props()), allOf: arr(props()), anyOf: arr(props()), oneOf: arr(props()), not: props(),
  externalDocs: obj({ description: str(), url: str() }),
  'x-kubernetes-embedded-resource': bool(), 'x-kubernetes-int-or-string': bool(),
  'x-kubernetes-list-map-keys': strArr(), 'x-kubernetes-list-type': str(), 'x-kubernetes-map-type': str(),
  'x-kubernetes-preserve-unknown-fields': bool(),
  'x-kubernetes-validations': arr(obj({
    rule: str(), message: str(), messageExpression: str(), reason: str(), fieldPath: str(), optionalOldSelf: bool(),
  }, { required: ['rule'] })),
});

const printerColumn: Schema = obj({
  name: str(), type: str(), format: str(), description: str(), priority: int(), jsonPath: str(),
}, { required: ['name', 'type', 'jsonPath'] });

const version: Schema = obj({
  name: str(), served: bool(), storage: bool(), deprecated: bool(), deprecationWarning: str(),
  schema: obj({ openAPIV3Schema: props() }),
  additionalPrinterColumns: arr(printerColumn, { 'x-kubernetes-list-type': 'atomic' }),
  selectableFields: arr(obj({ jsonPath: str() }), { 'x-kubernetes-list-type': 'atomic' }),
  subresources: obj({
    status: obj({}),
    scale: obj({ specReplicasPath: str(), statusReplicasPath: str(), labelSelectorPath: str() }),
  }),
}, { required: ['name', 'served', 'storage'] });

const crd = kindSchema({
  spec: obj({
    group: str(), scope: str(), preserveUnknownFields: bool(),
    names: obj({ plural: str(), singular: str(), shortNames: strArr(), kind: str(), listKind: str(), categories: strArr() },
      { required: ['plural', 'kind'] }),
    versions: arr(version, { 'x-kubernetes-list-type': 'atomic' }),
    conversion: obj({
      strategy: str(),
      webhook: obj({
        conversionReviewVersions: strArr(),
        clientConfig: obj({
          url: str(), caBundle: str({ format: 'byte' }),
          service: obj({ namespace: str(), name: str(), path: str(), port: int() }),
        }),
      }),
    }),
  }, { required: ['group', 'names', 'scope', 'versions'] }),
  status: preserve(),
}, ['spec']);

export const apiextensionsSchemas: Record<string, Schema> = { CustomResourceDefinition: crd };
