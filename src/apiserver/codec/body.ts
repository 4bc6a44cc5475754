// Reads request bodies (with the 3 MiB limit) and decodes JSON, YAML or Kubernetes protobuf into objects.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, entityTooLarge, unsupportedMediaType } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { decodeProtobuf } from './protobuf.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw entityTooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw entityTooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The media type without parameters, lower-cased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function parseJson(buf: Buffer, what = 'request body'): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw badRequest(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

export function parseYamlBody(buf: Buffer): unknown {
  try {
    return parseYaml(buf.toString('utf8'), { strict: true, uniqueKeys: true });
  } catch (e) {
    throw badRequest(`request body is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Decodes an object body by its Content-Type. */
export function decodeObject(buf: Buffer, contentType: string | undefined): KObject {
  const mt = mediaType(contentType);
  let value: unknown;
  if (mt === 'application/json' || mt === '') value = parseJson(buf);
  else if (mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml') value = parseYamlBody(buf);
  else if (mt === 'application/vnd.kubernetes.protobuf') value = decodeProtobuf(buf);
  else throw unsupportedMediaType(mt);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('request body must be a single object');
  }
  const obj = value as KObject;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest('metadata must be an object');
  return obj;
}
