// Body capture for Request/RequestResponse audit levels: observes the request bytes handlers consume and
// the response bytes they write, bounded (1 MiB), without changing either stream. Only installed when needed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeProtobuf } from '../apiserver/codec/protobuf.ts';
import { MAX_BODY_DEPTH, mediaType } from '../apiserver/codec/body.ts';
import { depthOf, parseYamlText } from '../apiserver/codec/yaml-parse.mjs';

export const MAX_CAPTURE_BYTES = 1024 * 1024;

export class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  add(chunk: unknown, encoding?: unknown): void {
    if (chunk === undefined || chunk === null || typeof chunk === 'function' || this.truncated) return;
    const buf = Buffer.isBuffer(chunk) ? chunk
      : typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : chunk instanceof Uint8Array ? Buffer.from(chunk) : undefined;
    if (!buf || buf.length === 0) return;
    if (this.size + buf.length > MAX_CAPTURE_BYTES) { this.truncated = true; this.chunks = []; return; }
    this.chunks.push(buf);
    this.size += buf.length;
  }

  get empty(): boolean { return this.size === 0; }
  bytes(): Buffer { return Buffer.concat(this.chunks); }
}

/**
 * Observes every chunk the request stream hands out: Readable.read() and flowing mode both go through
 * emit('data'), so wrapping this instance's emit sees exactly what the handler consumed.
 */
export function captureRequest(req: IncomingMessage): Capture {
  const c = new Capture();
  const emit = req.emit;
  req.emit = function (this: IncomingMessage, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'data') c.add(args[0]);
    return emit.call(this, event, ...args);
  } as typeof req.emit;
  return c;
}

/**
 * Observes the response body written with res.write()/res.end(). An HTTP/2 response's end(chunk) writes the
 * chunk through this.write(), so writes made from inside end() are not counted twice.
 */
export function captureResponse(res: ServerResponse): Capture {
  const c = new Capture();
  const write = res.write;
  const end = res.end;
  let ending = false;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
    if (!ending) c.add(chunk, rest[0]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof res.write;
  res.end = function (this: ServerResponse, ...args: unknown[]): ServerResponse {
    c.add(args[0], args[1]);
    ending = true;
    try {
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } finally {
      ending = false;
    }
  } as typeof res.end;
  return c;
}

/** Decodes a captured body by its content type (objects, patches, protobuf); undefined when it cannot. */
export function decodeCaptured(buf: Buffer, contentType: string | undefined): unknown {
  if (buf.length === 0) return undefined;
  const mt = mediaType(contentType);
  try {
    let v: unknown;
    if (mt === 'application/vnd.kubernetes.protobuf') v = decodeProtobuf(buf);
    else if (mt.includes('yaml')) v = decodeYaml(buf);
    else v = JSON.parse(buf.toString('utf8'));
    // Bodies the API refuses as too deep are not walked here either (redaction is recursive).
    return depthOf(v, MAX_BODY_DEPTH) > MAX_BODY_DEPTH ? undefined : v;
  } catch {
    return undefined;
  }
}

/** JSON text as JSON; small YAML with the bounded decoder; large YAML is not decoded on the event loop (undefined). */
function decodeYaml(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    try { return JSON.parse(text); } catch { /* YAML flow style */ }
  }
  return buf.length <= 16 * 1024 ? parseYamlText(text, MAX_BODY_DEPTH) : undefined;
}
