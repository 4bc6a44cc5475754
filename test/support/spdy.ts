// The server side of a SPDY/3.1 session (draft 3.1 framing), enough for Kubernetes' streaming protocols: the peer
// opens streams (SYN_STREAM, answered by an empty SYN_REPLY, as the kubelet does), sends DATA with FIN to half-close,
// RST_STREAM to abort, PING (echoed) and GOAWAY. Header blocks are zlib streams primed with the SPDY/3 dictionary,
// one per direction per session, each block ending in a sync flush. Flow control is not enforced (WINDOW_UPDATE and
// SETTINGS are accepted and ignored), as spdystream, Kubernetes' implementation, does not enforce it either.
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.ts';

const VERSION = 3;
const SYN_STREAM = 1, SYN_REPLY = 2, RST_STREAM = 3, PING = 6, GOAWAY = 7;
const FLAG_FIN = 0x01;
/** RST_STREAM status codes used here. */
export const RST = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5 } as const;

/** Where a session's bytes go (a socket, or a WebSocket tunnel wrapping each write in a binary message). */
export interface SpdyTransport { write(b: Buffer): void; end(): void }

export class SpdyStream {
  private readonly dataHandlers: Array<(b: Buffer) => void> = [];
  private readonly endHandlers: Array<() => void> = [];
  /** The peer sent FIN (or reset the stream): no more data comes. */
  remoteClosed = false;
  /** This side sent FIN. */
  localClosed = false;

  constructor(readonly id: number, readonly headers: Map<string, string>, private readonly session: SpdySession) {}

  header(name: string): string | undefined { return this.headers.get(name.toLowerCase()); }
  onData(h: (b: Buffer) => void): void { this.dataHandlers.push(h); }
  /** Called once when the peer half-closes or resets the stream. */
  onEnd(h: () => void): void { if (this.remoteClosed) h(); else this.endHandlers.push(h); }
  write(data: Buffer | string): void { if (!this.localClosed) this.session.sendData(this.id, Buffer.from(data), false); }
  end(data?: Buffer | string): void {
    if (this.localClosed) return;
    this.localClosed = true;
    this.session.sendData(this.id, data === undefined ? Buffer.alloc(0) : Buffer.from(data), true);
  }
  reset(status: number): void { this.localClosed = true; this.session.sendRst(this.id, status); this.received(true); }

  /** @internal */
  received(fin: boolean, data?: Buffer): void {
    if (data?.length) for (const h of this.dataHandlers) h(data);
    if (fin && !this.remoteClosed) { this.remoteClosed = true; for (const h of this.endHandlers.splice(0)) h(); }
  }
}

/** One header block: a count, then length-prefixed names and values (all 32-bit big-endian). */
function encodeHeaders(h: Map<string, string>): Buffer {
  const parts: Buffer[] = [u32(h.size)];
  for (const [k, v] of h) { const kb = Buffer.from(k.toLowerCase()); const vb = Buffer.from(v); parts.push(u32(kb.length), kb, u32(vb.length), vb); }
  return Buffer.concat(parts);
}

function decodeHeaders(b: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let off = 4;
  const str = () => { const n = b.readUInt32BE(off); const s = b.subarray(off + 4, off + 4 + n).toString(); off += 4 + n; return s; };
  for (let i = b.readUInt32BE(0); i > 0; i--) { const k = str(); out.set(k.toLowerCase(), str()); }
  return out;
}

function u32(n: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; }

function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(payload.length, 4);
  head[4] = flags;
  return Buffer.concat([head, payload]);
}

/** Runs zlib `z` over one header block and returns its output up to a sync flush. */
function pass(z: zlib.Inflate | zlib.Deflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const onData = (d: Buffer) => out.push(d);
    z.on('data', onData);
    z.once('error', reject);
    z.write(input);
    z.flush(zlib.constants.Z_SYNC_FLUSH, () => { z.off('data', onData); z.off('error', reject); resolve(Buffer.concat(out)); });
  });
}

export class SpdySession {
  private buf: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  /** Incoming frames are handled in order, as are outgoing writes (header compression is asynchronous). */
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly transport: SpdyTransport, private readonly onStream: (s: SpdyStream) => void) {}

  /** Bytes from the peer. */
  receive(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.inbound = this.inbound.then(() => this.handle(frame)).catch(() => this.close());
    }
  }

  /** Ends the session (GOAWAY, then the transport). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.received(true);
    this.queue(() => control(GOAWAY, 0, Buffer.concat([u32(0), u32(0)])));
    this.outbound = this.outbound.then(() => this.transport.end());
  }

  /** @internal */
  sendData(id: number, data: Buffer, fin: boolean): void {
    this.queue(() => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(id & 0x7fffffff, 0);
      head.writeUInt32BE(data.length, 4);
      head[4] = fin ? FLAG_FIN : 0;
      return Buffer.concat([head, data]);
    });
  }

  /** @internal */
  sendRst(id: number, status: number): void { this.queue(() => control(RST_STREAM, 0, Buffer.concat([u32(id), u32(status)]))); }

  private queue(frame: () => Buffer | Promise<Buffer>): void {
    this.outbound = this.outbound.then(async () => { const b = await frame(); if (b.length) this.transport.write(b); }).catch(() => undefined);
  }

  private async handle(f: Buffer): Promise<void> {
    const flags = f[4];
    const body = f.subarray(8);
    if ((f[0] & 0x80) === 0) { // DATA
      const s = this.streams.get(f.readUInt32BE(0) & 0x7fffffff);
      if (!s) { this.sendRst(f.readUInt32BE(0) & 0x7fffffff, RST.INVALID_STREAM); return; }
      s.received((flags & FLAG_FIN) !== 0, body);
      return;
    }
    const type = f.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      const headers = decodeHeaders(await pass(this.inflate, body.subarray(10)));
      const s = new SpdyStream(id, headers, this);
      this.streams.set(id, s);
      // The reply goes out before anything the handler writes on the stream.
      this.queue(async () => control(SYN_REPLY, 0, Buffer.concat([u32(id), await pass(this.deflate, encodeHeaders(new Map()))])));
      this.onStream(s);
      if (flags & FLAG_FIN) s.received(true);
    } else if (type === RST_STREAM) {
      this.streams.get(body.readUInt32BE(0) & 0x7fffffff)?.received(true);
    } else if (type === PING) {
      this.queue(() => control(PING, 0, Buffer.from(body)));
    } else if (type === GOAWAY) {
      this.close();
    } else if (type === SYN_REPLY || type === 8 /* HEADERS */) {
      await pass(this.inflate, body.subarray(4)); // keeps the shared decompression state in step
    } // SETTINGS, WINDOW_UPDATE: ignored (no flow control, see above)
  }
}
