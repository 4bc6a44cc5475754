// GET /openapi/v2: the built-in definitions as a swagger 2.0 document, in JSON or in the gnostic protobuf form
// (application/com.github.proto-openapi.spec.v2[@.]v1.0+protobuf) that kubectl 1.27 and 1.28 read for apply's patch
// metadata. Field numbers are those of gnostic's openapiv2/OpenAPIv2.proto.
import protobuf from 'protobufjs';
import { stringify as toYaml } from 'yaml';
import type { Schema } from './schema-types.ts';
import { builtinOpenAPI } from './builtin-openapi.ts';

/** What clients ask for (the "@" form, older) and what the server answers (a media type Go's mime parser reads). */
export const OPENAPI_V2_PROTOBUF_ACCEPT = ['com.github.proto-openapi.spec.v2@v1.0+protobuf', 'com.github.proto-openapi.spec.v2.v1.0+protobuf'];
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const V3_REF = '#/components/schemas/';

type Fields = Record<string, [id: number, type: string, rule?: 'repeated']>;
const MESSAGES: Record<string, Fields> = {
  Any: { yaml: [2, 'string'] },
  NamedAny: { name: [1, 'string'], value: [2, 'Any'] },
  TypeItem: { value: [1, 'string', 'repeated'] },
  ItemsItem: { schema: [1, 'Schema', 'repeated'] },
  NamedSchema: { name: [1, 'string'], value: [2, 'Schema'] },
  Properties: { additional_properties: [1, 'NamedSchema', 'repeated'] },
  AdditionalPropertiesItem: { schema: [1, 'Schema'], boolean: [2, 'bool'] },
  Schema: {
    _ref: [1, 'string'], format: [2, 'string'], description: [4, 'string'], required: [19, 'string', 'repeated'],
    enum: [20, 'Any', 'repeated'], additional_properties: [21, 'AdditionalPropertiesItem'], type: [22, 'TypeItem'],
    items: [23, 'ItemsItem'], all_of: [24, 'Schema', 'repeated'], properties: [25, 'Properties'],
    vendor_extension: [31, 'NamedAny', 'repeated'],
  },
  Definitions: { additional_properties: [1, 'NamedSchema', 'repeated'] },
  Info: { title: [1, 'string'], version: [2, 'string'] },
  Document: { swagger: [1, 'string'], info: [2, 'Info'], definitions: [9, 'Definitions'] },
};

let documentType: protobuf.Type | undefined;
function docType(): protobuf.Type {
  if (documentType) return documentType;
  const ns = new protobuf.Namespace('openapi.v2');
  for (const [name, fields] of Object.entries(MESSAGES)) {
    const t = new protobuf.Type(name);
    for (const [field, [id, type, rule]] of Object.entries(fields)) t.add(new protobuf.Field(field, id, type, rule));
    ns.add(t);
  }
  new protobuf.Root().add(ns).resolveAll();
  documentType = ns.lookupType('Document');
  return documentType;
}

const v2Ref = (ref: string): string => (ref.startsWith(V3_REF) ? `#/definitions/${ref.slice(V3_REF.length)}` : ref);

/** One schema in swagger 2.0 JSON form (references back to #/definitions/). */
function toV2Json(s: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') out.$ref = v2Ref(v as string);
    else if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([n, p]) => [n, toV2Json(p)]));
    else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') out[k] = toV2Json(v as Schema);
    else if (k === 'x-kubernetes-int-or-string' || k === 'x-kubernetes-preserve-unknown-fields') continue;
    else out[k] = v;
  }
  return out;
}

/** One schema as a gnostic Schema message object. */
function toMessage(s: Record<string, unknown>): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const ext: Array<{ name: string; value: { yaml: string } }> = [];
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') m._ref = v;
    else if (k === 'type') m.type = { value: [v] };
    else if (k === 'format' || k === 'description') m[k] = v;
    else if (k === 'required') m.required = v;
    else if (k === 'enum') m.enum = (v as unknown[]).map((e) => ({ yaml: toYaml(e) }));
    else if (k === 'items') m.items = { schema: [toMessage(v as Record<string, unknown>)] };
    else if (k === 'properties') {
      m.properties = { additional_properties: Object.entries(v as Record<string, Record<string, unknown>>).map(([name, p]) => ({ name, value: toMessage(p) })) };
    } else if (k === 'additionalProperties') {
      m.additional_properties = typeof v === 'boolean' ? { boolean: v } : { schema: toMessage(v as Record<string, unknown>) };
    } else if (k.startsWith('x-')) ext.push({ name: k, value: { yaml: toYaml(v) } });
  }
  if (ext.length) m.vendor_extension = ext;
  return m;
}

let cached: { json: string; protobuf: Buffer } | undefined;

/** The document (built-in definitions; custom resources are patched with JSON merge patch by such clients). */
export function openapiV2(): { json: string; protobuf: Buffer } {
  if (cached) return cached;
  const definitions = Object.fromEntries(Object.entries(builtinOpenAPI().definitions).map(([n, d]) => [n, toV2Json(d)]));
  const doc = { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.4' }, paths: {}, definitions };
  const message = {
    swagger: '2.0', info: doc.info,
    definitions: { additional_properties: Object.entries(definitions).map(([name, d]) => ({ name, value: toMessage(d) })) },
  };
  const t = docType();
  cached = { json: JSON.stringify(doc), protobuf: Buffer.from(t.encode(t.fromObject(message)).finish()) };
  return cached;
}
