// Reads request bodies (with the 3 MiB limit) and decodes JSON, YAML or Kubernetes protobuf into objects.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, entityTooLarge, unsupportedMediaType } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { decodeProtobuf } from './protobuf.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(entityTooLarge(limit));
  }
  // Plain 'data'/'end' events: cheaper than an async iterator on this hot path (every write request).
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        failed = true;
        req.off('data', onData);
        req.resume();
        reject(entityTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => { if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)); });
    req.once('error', (e) => { if (!failed) { failed = true; reject(e); } });
  });
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
