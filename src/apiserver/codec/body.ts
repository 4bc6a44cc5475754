// Reads request bodies (with the 3 MiB limit) and decodes JSON, YAML or Kubernetes protobuf into objects, within
// bounds: nesting depth, YAML aliases, and YAML decoding of large bodies off the event loop (yaml-worker.ts).
import type { IncomingMessage } from 'node:http';
import { badRequest, entityTooLarge, StatusError, unsupportedMediaType } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { decodeProtobuf } from './protobuf.ts';
import { depthOf, parseYamlText } from './yaml-parse.mjs';
import { parseYamlInWorker } from './yaml-worker.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/**
 * The deepest nesting of objects and lists a body (or a stored object) may have. Kubernetes' decoders stop at
 * 10000; real objects stay under 30, and this bound keeps every recursive step (clone, merge, schema walks) far
 * from the stack limit.
 */
export const MAX_BODY_DEPTH = 256;
/** YAML bodies up to this size are decoded on the event loop; larger ones in the YAML worker. */
const INLINE_YAML_BYTES = 16 * 1024;

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

/** A 400 when `value` nests deeper than MAX_BODY_DEPTH; returns it otherwise. */
export function checkDepth<T>(value: T, what = 'request body'): T {
  if (depthOf(value, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    throw badRequest(`${what} is nested too deeply: the limit is ${MAX_BODY_DEPTH} levels of objects and lists`);
  }
  return value;
}

export function parseJson(buf: Buffer, what = 'request body'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw badRequest(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  return checkDepth(value, what);
}

/** Decodes a YAML body: JSON text (what kubectl sends) directly, small YAML here, large YAML in the worker. */
export async function parseYamlBody(buf: Buffer): Promise<unknown> {
  const text = buf.toString('utf8');
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    let value: unknown;
    try { value = JSON.parse(text); } catch { /* YAML flow style, not JSON: decoded as YAML below */ }
    if (value !== undefined) return checkDepth(value);
  }
  try {
    if (buf.length > INLINE_YAML_BYTES) return await parseYamlInWorker(text, MAX_BODY_DEPTH);
    return checkDepth(parseYamlText(text, MAX_BODY_DEPTH));
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw badRequest(`request body is not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Decodes an object body by its Content-Type. */
export async function decodeObject(buf: Buffer, contentType: string | undefined): Promise<KObject> {
  const mt = mediaType(contentType);
  let value: unknown;
  if (mt === 'application/json' || mt === '') value = parseJson(buf);
  else if (mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml') value = await parseYamlBody(buf);
  else if (mt === 'application/vnd.kubernetes.protobuf') value = checkDepth(decodeProtobuf(buf));
  else throw unsupportedMediaType(mt);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('request body must be a single object');
  }
  const obj = value as KObject;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest('metadata must be an object');
  return obj;
}
