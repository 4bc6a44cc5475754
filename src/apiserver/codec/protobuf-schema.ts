// The small language our protobuf message descriptors are written in, and the protobufjs Root built from them.
// Field numbers come from k8s.io/api and k8s.io/apimachinery generated.proto; names are the JSON names.
import protobuf from 'protobufjs';

/**
 * One field: [field number, type, flags]. The type is a scalar (string, int32, int64, bool, bytes) or a message
 * name. Flags: 'r' repeated; 'm' map<string, type>; 'p' a Go pointer, so a present zero value is kept;
 * 'v' a Go value struct, omitted when it converts to {}; 'i' an embedded struct whose fields are inlined in JSON;
 * 'x' ignored (status and other server-owned data: read as bytes, never converted).
 */
export type FieldSpec = readonly [id: number, type: string, flags?: string];
export type MessageSpecs = Readonly<Record<string, Readonly<Record<string, FieldSpec>>>>;

/** A top-level kind: which message decodes it. */
export interface KindSpec { apiVersion: string; kind: string; message: string }

export const SCALARS = new Set(['string', 'int32', 'int64', 'bool', 'bytes']);

export interface Schema {
  root: protobuf.Root;
  specs: MessageSpecs;
  /** `${apiVersion}/${kind}` -> message name */
  kinds: Map<string, string>;
}

/** Builds protobufjs types from the spec tables; throws at startup on a dangling or duplicated name. */
export function buildSchema(tables: MessageSpecs[], kinds: KindSpec[]): Schema {
  const specs: Record<string, Readonly<Record<string, FieldSpec>>> = {};
  for (const table of tables) {
    for (const [name, fields] of Object.entries(table)) {
      if (specs[name]) throw new Error(`protobuf schema: message ${name} defined twice`);
      specs[name] = fields;
    }
  }
  const root = new protobuf.Root();
  for (const [name, fields] of Object.entries(specs)) {
    const type = new protobuf.Type(name);
    for (const [field, [id, t, flags = '']] of Object.entries(fields)) {
      const wireType = flags.includes('x') ? 'bytes' : t;
      if (!SCALARS.has(wireType) && !specs[wireType]) throw new Error(`protobuf schema: ${name}.${field} uses unknown type ${t}`);
      if (flags.includes('m')) type.add(new protobuf.MapField(field, id, 'string', wireType));
      else type.add(new protobuf.Field(field, id, wireType, flags.includes('r') ? 'repeated' : 'optional'));
    }
    root.add(type);
  }
  root.resolveAll();
  const byKind = new Map<string, string>();
  for (const k of kinds) {
    if (!specs[k.message]) throw new Error(`protobuf schema: kind ${k.kind} uses unknown message ${k.message}`);
    byKind.set(`${k.apiVersion}/${k.kind}`, k.message);
  }
  return { root, specs, kinds: byKind };
}
