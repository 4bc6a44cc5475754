// Watch fan-out for the PostgreSQL backend: one LISTEN connection (reconnecting with backoff) that only says
// "something committed", and a single pump that reads changelog rows rv > cursor in rv order and hands each row
// to every watcher exactly once — the same path serves catch-up after a reconnect and watches from an old rv.
import pg from 'pg';
import { StorageError, type StorageEvent, type WatchErrorListener, type WatchListener, type Watcher } from './interface.ts';
import { CHANGES_CHANNEL } from './postgres-schema.ts';

export interface ChangeRow { rv: number; key: string; type: StorageEvent['type']; value: string }
export interface ChangeBatch {
  rows: ChangeRow[];
  /** Oldest rv still in the changelog, read in the same snapshot as rows (meaningful when rows is non-empty). */
  minRv: number;
}

export interface WatchHubDeps {
  client: pg.ClientConfig;
  /** Reads changelog rows with rv > after, ascending, at most limit. */
  fetch(after: number, limit: number): Promise<ChangeBatch>;
  decode(row: ChangeRow): StorageEvent;
  /** Called when the LISTEN connection goes up or down. */
  onConnection(up: boolean, reason?: string): void;
  batchSize?: number;
}

/** Exponential backoff with jitter: 50ms doubling up to 2s. */
export class Backoff {
  private attempt = 0;
  constructor(private readonly minMs = 50, private readonly maxMs = 2000) {}
  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(base / 2 + Math.random() * (base / 2));
  }
  reset(): void { this.attempt = 0; }
}

interface HubWatcher {
  prefix: string;
  /** Every changelog row up to this rv has been considered for this watcher. */
  delivered: number;
  onEvent: WatchListener;
  onError?: WatchErrorListener;
}

export class WatchHub {
  private readonly watchers = new Set<HubWatcher>();
  private readonly batchSize: number;
  private listener?: pg.Client;
  private closed = false;
  private pumping = false;
  private again = false;
  private reconnectTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private readonly reconnectBackoff = new Backoff();
  private readonly pumpBackoff = new Backoff(100, 2000);
  /** Lower bound of the oldest retained changelog rv (it only grows): watches from before it are Expired. */
  private minRetained = 0;

  constructor(private readonly deps: WatchHubDeps) {
    this.batchSize = deps.batchSize ?? 500;
  }

  /** True while the LISTEN connection is established. */
  get connected(): boolean { return this.listener !== undefined; }

  /** Opens the LISTEN connection; rejects if the database cannot be reached now. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Records that the oldest retained changelog row is at least minRv (watches from before minRv-1 are Expired). */
  noteRetained(minRv: number): void {
    this.minRetained = Math.max(this.minRetained, minRv);
  }

  watch(prefix: string, fromRV: number, onEvent: WatchListener, onError?: WatchErrorListener): Watcher {
    if (this.closed) throw new StorageError('Unavailable', prefix, 'storage is closed');
    if (fromRV < this.minRetained - 1) {
      throw new StorageError('Expired', prefix, `resourceVersion ${fromRV} is too old (oldest retained ${this.minRetained})`);
    }
    const w: HubWatcher = { prefix, delivered: fromRV, onEvent, onError };
    this.watchers.add(w);
    this.kick();
    return { stop: () => { this.watchers.delete(w); } };
  }

  /** Asks the pump to read new changelog rows (coalesces while a pump is running). */
  kick(): void {
    if (this.closed || this.watchers.size === 0) return;
    if (this.pumping) { this.again = true; return; }
    this.pumping = true;
    void this.pump();
  }

  /** Stops everything; open watches end with StorageError('Unavailable'). */
  async close(): Promise<void> {
    this.closed = true;
    const open = [...this.watchers];
    this.watchers.clear();
    for (const w of open) w.onError?.(new StorageError('Unavailable', w.prefix, 'storage closed'));
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.retryTimer);
    const l = this.listener;
    this.listener = undefined;
    if (l) await l.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.deps.client, keepAlive: true });
    client.on('error', (err) => this.lost(client, err.message));
    client.on('end', () => this.lost(client, 'connection ended'));
    client.on('notification', () => this.kick());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) { await client.end().catch(() => undefined); return; }
    this.listener = client;
    this.reconnectBackoff.reset();
    this.deps.onConnection(true);
    this.kick(); // catch up on everything committed while we were not listening
  }

  private lost(client: pg.Client, reason: string): void {
    if (client !== this.listener) return;
    this.listener = undefined;
    client.end().catch(() => undefined);
    this.deps.onConnection(false, reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch(() => this.scheduleReconnect());
    }, this.reconnectBackoff.next());
    this.reconnectTimer.unref();
  }

  private async pump(): Promise<void> {
    for (;;) {
      this.again = false;
      try {
        await this.drain();
        this.pumpBackoff.reset();
      } catch {
        // Database unreachable: retry later (a LISTEN reconnect also kicks the pump).
        this.pumping = false;
        if (!this.closed) {
          clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => this.kick(), this.pumpBackoff.next());
          this.retryTimer.unref();
        }
        return;
      }
      // Checked and cleared in one synchronous step, so a kick() can never be lost.
      if (!this.again || this.closed) { this.pumping = false; return; }
    }
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed || this.watchers.size === 0) return;
      let low = Infinity;
      for (const w of this.watchers) low = Math.min(low, w.delivered);
      const batch = await this.deps.fetch(low, this.batchSize);
      if (this.closed) return;
      this.dispatch(low, batch);
      if (batch.rows.length < this.batchSize) return;
    }
  }

  /** Hands rows (all of rv > low, ascending) to each watcher covered by this read, once each. */
  private dispatch(low: number, { rows, minRv }: ChangeBatch): void {
    if (rows.length === 0) return;
    this.noteRetained(minRv);
    for (const w of [...this.watchers]) {
      if (w.delivered >= low && w.delivered < minRv - 1) {
        this.watchers.delete(w);
        w.onError?.(new StorageError('Expired', w.prefix, `resourceVersion ${w.delivered} is too old (oldest retained ${minRv})`));
      }
    }
    for (const row of rows) {
      for (const w of this.watchers) {
        // Watchers added while the read was in flight (delivered < low) are served by the next read.
        if (w.delivered < low || row.rv <= w.delivered) continue;
        w.delivered = row.rv;
        if (!row.key.startsWith(w.prefix)) continue;
        try {
          w.onEvent(this.deps.decode(row));
        } catch (err) {
          this.watchers.delete(w);
          w.onError?.(new StorageError('Unavailable', w.prefix, `watch listener failed: ${(err as Error).message}`));
        }
      }
    }
  }
}
