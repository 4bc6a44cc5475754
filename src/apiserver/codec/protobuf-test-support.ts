// Test helper: writes protobuf wire format by field number (independent of our descriptors), for bodies
// kubectl never sends (SubjectAccessReview, TokenReview, Pod) and for malformed-input tests.
import protobuf from 'protobufjs';

/** A field: [number, value]. Strings are length-delimited, numbers/booleans varints, arrays nested messages. */
export type WireField = [number, string | number | boolean | Uint8Array | WireField[]];

export function wire(fields: WireField[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const [id, v] of fields) {
    if (typeof v === 'string') w.uint32((id << 3) | 2).string(v);
    else if (typeof v === 'number') w.uint32(id << 3).int64(v);
    else if (typeof v === 'boolean') w.uint32(id << 3).bool(v);
    else if (v instanceof Uint8Array) w.uint32((id << 3) | 2).bytes(v);
    else w.uint32((id << 3) | 2).bytes(wire(v));
  }
  return w.finish();
}

/** A map entry field: key 1, value 2. */
export const entry = (id: number, key: string, value: string | WireField[] | Uint8Array): WireField => [id, [[1, key], [2, value]]];

/** The full request body: magic + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding}. */
export function body(apiVersion: string, kind: string, raw: WireField[] | Uint8Array, contentEncoding = ''): Buffer {
  const fields: WireField[] = [[1, [[1, apiVersion], [2, kind]]], [2, raw instanceof Uint8Array ? raw : wire(raw)]];
  if (contentEncoding) fields.push([3, contentEncoding]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), wire(fields)]);
}
