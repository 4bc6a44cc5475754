// Audit sinks: lines are queued in memory and written asynchronously in batches (never on the request
// path); the file sink rotates by size to <path>.1 … <path>.N. "-" writes to stdout.
import { open, rename, rm, type FileHandle } from 'node:fs/promises';

export interface AuditSink {
  /** Queues one line (without newline). Never blocks; drops (and counts) when the queue is over its bound. */
  write(line: string): void;
  /** Resolves when everything queued so far is written. */
  flush(): Promise<void>;
  /** Flushes and releases the file. Later writes are dropped. */
  close(): Promise<void>;
  readonly dropped: number;
}

export interface SinkOptions {
  /** Queue bound; events beyond it are dropped rather than slowing requests (default 32 MiB). */
  maxBufferedBytes?: number;
  log?: (m: string) => void;
}

export interface FileSinkOptions extends SinkOptions {
  path: string;
  /** Rotate before the file would grow past this many bytes (0: never rotate). */
  maxSizeBytes: number;
  /** Rotated files to keep (audit.log.1 is the newest). */
  maxBackups: number;
}

/** Lines wait at most this long before they are written... */
const BATCH_DELAY_MS = 25;
/** ...or until this many bytes are queued. */
const BATCH_BYTES = 256 * 1024;

/** Queued lines, UTF-8 encoded (with their newline) as they arrive, into large shared buffers. */
class EncodedLines {
  private full: Buffer[] = [];
  private cur = Buffer.allocUnsafe(BATCH_BYTES);
  private pos = 0;
  bytes = 0;

  add(line: string): void {
    const worst = line.length * 3 + 1;
    if (this.pos + worst > this.cur.length) {
      if (this.pos > 0) this.full.push(this.cur.subarray(0, this.pos));
      this.cur = Buffer.allocUnsafe(Math.max(BATCH_BYTES, worst));
      this.pos = 0;
    }
    const n = this.cur.write(line, this.pos);
    this.cur[this.pos + n] = 0x0a;
    this.pos += n + 1;
    this.bytes += n + 1;
  }

  /** Everything queued, in order; the queue starts empty again (in the rest of the current buffer). */
  take(): Buffer[] {
    const out = this.full;
    if (this.pos > 0) out.push(this.cur.subarray(0, this.pos));
    this.full = [];
    this.cur = this.cur.length - this.pos >= 16 * 1024 ? this.cur.subarray(this.pos) : Buffer.allocUnsafe(BATCH_BYTES);
    this.pos = 0;
    this.bytes = 0;
    return out;
  }
}

abstract class BufferedSink implements AuditSink {
  private pending = new EncodedLines();
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private droppedCount = 0;
  private readonly maxBuffered: number;
  protected readonly log: (m: string) => void;

  constructor(o: SinkOptions) {
    this.maxBuffered = o.maxBufferedBytes ?? 32 * 1024 * 1024;
    this.log = o.log ?? (() => {});
  }

  get dropped(): number { return this.droppedCount; }

  write(line: string): void {
    if (this.closed || this.pending.bytes + line.length > this.maxBuffered) {
      if (this.droppedCount++ % 1000 === 0 && !this.closed) this.log(`audit: sink cannot keep up, ${this.droppedCount} event(s) dropped so far`);
      return;
    }
    this.pending.add(line);
    if (!this.running) this.schedule();
    else if (this.pending.bytes >= BATCH_BYTES && this.wake) this.wake();
  }

  /**
   * Gathers lines for a moment (or until a batch is big) so a busy server makes few, large writes. Every
   * batch waits again: lines that arrive while a write is in flight do not trigger a small write of their own.
   */
  private schedule(): void {
    this.running = new Promise<void>((r) => {
      this.wake = r;
      this.timer = setTimeout(r, this.pending.bytes >= BATCH_BYTES ? 0 : BATCH_DELAY_MS);
    }).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    clearTimeout(this.timer);
    this.wake = undefined;
    const chunks = this.pending.take();
    try {
      await this.writeChunks(chunks);
    } catch (e) {
      const lost = chunks.reduce((n, c) => n + countLines(c), 0);
      this.droppedCount += lost;
      this.log(`audit: writing ${lost} event(s) failed: ${(e as Error).message}`);
    } finally {
      this.running = undefined;
      if (this.pending.bytes > 0) this.schedule();
    }
  }

  async flush(): Promise<void> {
    this.wake?.();
    while (this.running) { this.wake?.(); await this.running; }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.release();
  }

  /** Writes encoded lines (each chunk ends with a newline). */
  protected abstract writeChunks(chunks: Buffer[]): Promise<void>;
  protected abstract release(): Promise<void>;
}

export class FileSink extends BufferedSink {
  private handle: FileHandle | undefined;
  private size = 0;

  constructor(private readonly o: FileSinkOptions) { super(o); }

  protected async writeChunks(chunks: Buffer[]): Promise<void> {
    await this.file(); // the current size decides rotation
    const max = this.o.maxSizeBytes;
    for (let buf of chunks) {
      while (buf.length > 0) {
        if (max <= 0 || this.size + buf.length <= max) { await this.writeBuffer(buf); break; }
        // Fill the file up to the limit on a line boundary; a line longer than the limit goes alone into a fresh file.
        let cut = this.size < max ? buf.lastIndexOf(0x0a, max - this.size - 1) + 1 : 0;
        if (cut === 0 && this.size === 0) cut = buf.indexOf(0x0a) + 1;
        if (cut > 0) { await this.writeBuffer(buf.subarray(0, cut)); buf = buf.subarray(cut); }
        if (buf.length > 0) await this.rotate();
      }
    }
  }

  private async writeBuffer(buf: Buffer): Promise<void> {
    const h = await this.file();
    await h.write(buf, 0, buf.length);
    this.size += buf.length;
  }

  private async file(): Promise<FileHandle> {
    if (!this.handle) {
      this.handle = await open(this.o.path, 'a', 0o600);
      await this.handle.chmod(0o600); // an existing file keeps its mode on open: requests and users are in it
      this.size = (await this.handle.stat()).size;
    }
    return this.handle;
  }

  /** audit.log.(N-1) → .N, …, audit.log → .1; the oldest beyond maxBackups is overwritten. */
  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    const p = this.o.path;
    if (this.o.maxBackups <= 0) {
      await rm(p, { force: true });
    } else {
      for (let i = this.o.maxBackups - 1; i >= 1; i--) await renameIfExists(`${p}.${i}`, `${p}.${i + 1}`);
      await renameIfExists(p, `${p}.1`);
    }
    await this.file();
  }

  protected async release(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}

function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try { await rename(from, to); } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

export class StreamSink extends BufferedSink {
  constructor(private readonly out: NodeJS.WritableStream, o: SinkOptions = {}) { super(o); }

  protected writeChunks(chunks: Buffer[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.out.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), (e) => (e ? reject(e) : resolve()));
    });
  }

  protected async release(): Promise<void> {}
}

/** "-" is stdout; anything else a rotated file. */
export function createSink(path: string, o: Omit<FileSinkOptions, 'path'>): AuditSink {
  return path === '-' ? new StreamSink(process.stdout, o) : new FileSink({ ...o, path });
}
