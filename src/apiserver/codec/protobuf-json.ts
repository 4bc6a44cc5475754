// Checks raw protobuf bytes against our descriptors (every field known, right wire type) and turns a decoded
// protobufjs message into the JSON form Kubernetes would produce (omitempty, Time, IntOrString, Quantity, base64).
import protobuf from 'protobufjs';
import { badRequest } from '../errors.ts';
import type { FieldSpec, Schema } from './protobuf-schema.ts';

type Json = unknown;
type Obj = Record<string, Json>;
/** Go's zero time.Time, as seconds since the Unix epoch. */
const GO_ZERO_TIME = -62135596800;

export class UnsupportedField extends Error {}

const expectedWireTypes: Record<string, number> = { int32: 0, int64: 0, bool: 0, string: 2, bytes: 2 };

/** Walks the wire format; throws UnsupportedField for a field we do not model, Error for malformed bytes. */
export function assertKnownFields(schema: Schema, typeName: string, buf: Uint8Array, path: string): void {
  const type = schema.root.lookupType(typeName);
  const reader = protobuf.Reader.create(buf);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const id = tag >>> 3;
    const wireType = tag & 7;
    const field = type.fieldsById[id];
    if (!field) throw new UnsupportedField(`field number ${id} of ${typeName} (at ${path || 'the top level'})`);
    const fieldPath = path ? `${path}.${field.name}` : field.name;
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
    const packed = field.repeated && wireType === 2;
    const want = field.map || sub ? 2 : expectedWireTypes[field.type];
    if (wireType !== want && !packed) throw new Error(`${fieldPath} has wire type ${wireType}, expected ${want}`);
    if (field.map) assertMapEntry(schema, sub, reader.bytes(), fieldPath);
    else if (sub) assertKnownFields(schema, sub.name, reader.bytes(), fieldPath);
    else reader.skipType(wireType);
  }
}

function assertMapEntry(schema: Schema, valueType: protobuf.Type | null, buf: Uint8Array, path: string): void {
  const reader = protobuf.Reader.create(buf);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const id = tag >>> 3;
    if (id !== 1 && id !== 2) throw new Error(`${path} map entry has field number ${id}`);
    if (id === 2 && valueType) {
      if ((tag & 7) !== 2) throw new Error(`${path} map value has wire type ${tag & 7}, expected 2`);
      assertKnownFields(schema, valueType.name, reader.bytes(), `${path}[]`);
    } else reader.skipType(tag & 7);
  }
}

function toNumber(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  const n = (v as { toNumber(): number }).toNumber();
  if (!Number.isSafeInteger(n)) throw badRequest(`protobuf field ${what} is out of the safe integer range`);
  return n;
}

function timeToJson(msg: Obj, what: string): string | undefined {
  const seconds = toNumber(msg.seconds ?? 0, `${what}.seconds`);
  const nanos = Number(msg.nanos ?? 0);
  if ((seconds === 0 && nanos === 0) || seconds === GO_ZERO_TIME) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) throw badRequest(`protobuf field ${what} is not a valid time`);
  // metav1.Time marshals to RFC 3339 with second precision.
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Converts one value of type `type`; undefined means "absent". */
function valueToJson(schema: Schema, type: string, v: unknown, what: string): Json {
  switch (type) {
    case 'string': case 'bool': case 'int32': return v;
    case 'int64': return toNumber(v, what);
    case 'bytes': return Buffer.from(v as Uint8Array).toString('base64');
    case 'Time': return timeToJson(v as Obj, what);
    case 'Quantity': return (v as Obj).string;
    case 'ExtraValue': return [...((v as Obj).items as string[])];
    case 'IntOrString': {
      const m = v as Obj;
      return toNumber(m.type ?? 0, what) === 1 ? m.strVal : m.intVal;
    }
    case 'FieldsV1': {
      const raw = Buffer.from((v as Obj).Raw as Uint8Array).toString('utf8');
      try { return raw ? JSON.parse(raw) : {}; } catch { throw badRequest(`protobuf field ${what} is not valid JSON`); }
    }
    default: return messageToJson(schema, type, v as Obj, what);
  }
}

const isZero = (v: Json): boolean => v === undefined || v === '' || v === 0 || v === false;
const isEmptyObject = (v: Json): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;

/** Converts a decoded message of `typeName`, dropping absent and (for non-pointer fields) zero values. */
export function messageToJson(schema: Schema, typeName: string, msg: Obj, path = ''): Obj {
  const out: Obj = {};
  const fields = schema.specs[typeName];
  for (const [name, spec] of Object.entries(fields)) {
    if (!Object.prototype.hasOwnProperty.call(msg, name)) continue;
    const converted = fieldToJson(schema, name, spec, msg[name], path ? `${path}.${name}` : name);
    if (converted === undefined) continue;
    if (spec[2]?.includes('i')) Object.assign(out, converted);
    else out[name] = converted;
  }
  return out;
}

function fieldToJson(schema: Schema, name: string, [, type, flags = '']: FieldSpec, v: unknown, what: string): Json {
  if (flags.includes('x')) return undefined;
  if (flags.includes('m')) {
    const entries = Object.entries(v as Obj).map(([k, e]) => [k, valueToJson(schema, type, e ?? {}, `${what}[${k}]`)]);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  if (flags.includes('r')) {
    const items = (v as unknown[]).map((e, i) => valueToJson(schema, type, e, `${what}[${i}]`));
    return items.length ? items : undefined;
  }
  const converted = valueToJson(schema, type, v, what);
  if (flags.includes('p')) return converted;
  if (isZero(converted)) return undefined;
  if ((flags.includes('v') || flags.includes('i')) && isEmptyObject(converted)) return undefined;
  return converted;
}
