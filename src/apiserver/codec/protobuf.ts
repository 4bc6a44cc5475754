// Decodes application/vnd.kubernetes.protobuf request bodies (as sent by kubectl's typed clients) into the same
// JSON object Kubernetes would produce. Unmodelled kinds or fields are refused with 415 rather than dropped.
import type { KObject } from '../storage/interface.ts';
import { badRequest, isStatusError, StatusError, unsupportedMediaTypeMessage } from '../errors.ts';
import { buildSchema, type Schema } from './protobuf-schema.ts';
import { assertKnownFields, messageToJson, UnsupportedField } from './protobuf-json.ts';
import { metaMessages } from './protobuf-types-meta.ts';
import { rbacKinds, rbacMessages } from './protobuf-types-rbac.ts';
import { authKinds, authMessages } from './protobuf-types-auth.ts';
import { coreKinds, coreMessages } from './protobuf-types-core.ts';
import { podMessages } from './protobuf-types-pod.ts';
import { workloadKinds, workloadMessages } from './protobuf-types-workloads.ts';
import { policyKinds, policyMessages } from './protobuf-types-policy.ts';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
/** Every protobuf body starts with these four bytes ("k8s" and a NUL). */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

let schema: Schema | undefined;
function getSchema(): Schema {
  schema ??= buildSchema(
    [metaMessages, rbacMessages, authMessages, coreMessages, podMessages, workloadMessages, policyMessages],
    [...rbacKinds, ...authKinds, ...coreKinds, ...workloadKinds, ...policyKinds],
  );
  return schema;
}

/** The `apiVersion/kind` pairs decodeProtobuf understands, e.g. "rbac.authorization.k8s.io/v1/Role". */
export function supportedProtobufKinds(): string[] {
  return [...getSchema().kinds.keys()];
}

function unsupported(message: string): StatusError {
  return unsupportedMediaTypeMessage(message);
}

interface Envelope { apiVersion: string; kind: string; raw: Uint8Array; contentEncoding: string }

function readEnvelope(s: Schema, bytes: Uint8Array): Envelope {
  assertKnownFields(s, 'Unknown', bytes, '');
  const u = s.root.lookupType('Unknown').decode(bytes) as unknown as {
    typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array; contentEncoding?: string;
  };
  return {
    apiVersion: u.typeMeta?.apiVersion ?? '', kind: u.typeMeta?.kind ?? '',
    raw: u.raw ?? new Uint8Array(), contentEncoding: u.contentEncoding ?? '',
  };
}

/**
 * Decodes a protobuf request body: the magic, a runtime.Unknown envelope, then the object by its apiVersion/kind.
 * Throws StatusError 400 for malformed bytes and 415 for kinds or fields this server has no descriptor for.
 */
export function decodeProtobuf(body: Buffer): KObject {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) {
    throw badRequest('the protobuf request body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  const s = getSchema();
  let stage = 'envelope';
  try {
    const env = readEnvelope(s, body.subarray(PROTOBUF_MAGIC.length));
    if (!env.apiVersion || !env.kind) throw badRequest('the protobuf request body has no apiVersion or kind');
    if (env.contentEncoding) throw unsupported(`protobuf content encoding "${env.contentEncoding}" is not supported; send JSON`);
    const message = s.kinds.get(`${env.apiVersion}/${env.kind}`);
    if (!message) throw unsupported(`protobuf is not supported for ${env.apiVersion}/${env.kind}; send JSON (application/json)`);
    stage = `${env.apiVersion}/${env.kind}`;
    try {
      assertKnownFields(s, message, env.raw, '');
    } catch (e) {
      if (e instanceof UnsupportedField) {
        throw unsupported(`protobuf ${e.message} is not supported for ${stage}; send JSON (application/json)`);
      }
      throw e;
    }
    const decoded = s.root.lookupType(message).decode(env.raw) as unknown as Record<string, unknown>;
    const { metadata, ...rest } = messageToJson(s, message, decoded);
    return { apiVersion: env.apiVersion, kind: env.kind, metadata: (metadata ?? {}) as KObject['metadata'], ...rest };
  } catch (e) {
    if (isStatusError(e)) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw badRequest(`unable to decode the protobuf request body (${stage}): ${why}`);
  }
}
