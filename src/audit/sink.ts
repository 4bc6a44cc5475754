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

abstract class BufferedSink implements AuditSink {
  private pending: string[] = [];
  private pendingBytes = 0;
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
    if (this.closed || this.pendingBytes + line.length > this.maxBuffered) {
      if (this.droppedCount++ % 1000 === 0 && !this.closed) this.log(`audit: sink cannot keep up, ${this.droppedCount} event(s) dropped so far`);
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    if (!this.running) this.schedule();
    else if (this.pendingBytes >= BATCH_BYTES && this.wake) this.wake();
  }

  /**
   * Gathers lines for a moment (or until a batch is big) so a busy server makes few, large writes. Every
   * batch waits again: lines that arrive while a write is in flight do not trigger a small write of their own.
   */
  private schedule(): void {
    this.running = new Promise<void>((r) => {
      this.wake = r;
      this.timer = setTimeout(r, this.pendingBytes >= BATCH_BYTES ? 0 : BATCH_DELAY_MS);
    }).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    clearTimeout(this.timer);
    this.wake = undefined;
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      await this.writeLines(lines);
    } catch (e) {
      this.droppedCount += lines.length;
      this.log(`audit: writing ${lines.length} event(s) failed: ${(e as Error).message}`);
    } finally {
      this.running = undefined;
      if (this.pending.length > 0) this.schedule();
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

  protected abstract writeLines(lines: string[]): Promise<void>;
  protected abstract release(): Promise<void>;
}

export class FileSink extends BufferedSink {
  private handle: FileHandle | undefined;
  private size = 0;

  constructor(private readonly o: FileSinkOptions) { super(o); }

  protected async writeLines(lines: string[]): Promise<void> {
    const max = this.o.maxSizeBytes;
    // Common case: the whole batch fits before the rotation size — one encoding, one write, no per-line sizes.
    const all = Buffer.from(lines.join('\n') + '\n');
    if (max <= 0 || this.size + all.length <= max) {
      await this.writeBuffer(all);
      return;
    }
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (const line of lines) {
      const n = Buffer.byteLength(line) + 1;
      if (max > 0 && this.size + chunkBytes + n > max && this.size + chunkBytes > 0) {
        await this.append(chunk);
        chunk = [];
        chunkBytes = 0;
        await this.rotate();
      }
      chunk.push(line);
      chunkBytes += n;
    }
    await this.append(chunk);
  }

  private async append(lines: string[]): Promise<void> {
    if (lines.length > 0) await this.writeBuffer(Buffer.from(lines.join('\n') + '\n'));
  }

  private async writeBuffer(buf: Buffer): Promise<void> {
    const h = await this.file();
    await h.write(buf, 0, buf.length);
    this.size += buf.length;
  }

  private async file(): Promise<FileHandle> {
    if (!this.handle) {
      this.handle = await open(this.o.path, 'a', 0o600);
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

async function renameIfExists(from: string, to: string): Promise<void> {
  try { await rename(from, to); } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

export class StreamSink extends BufferedSink {
  constructor(private readonly out: NodeJS.WritableStream, o: SinkOptions = {}) { super(o); }

  protected writeLines(lines: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.out.write(lines.join('\n') + '\n', (e) => (e ? reject(e) : resolve()));
    });
  }

  protected async release(): Promise<void> {}
}

/** "-" is stdout; anything else a rotated file. */
export function createSink(path: string, o: Omit<FileSinkOptions, 'path'>): AuditSink {
  return path === '-' ? new StreamSink(process.stdout, o) : new FileSink({ ...o, path });
}
