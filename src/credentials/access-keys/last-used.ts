// Batched last-used bookkeeping for access keys: authentication only records (name → time, address) in memory;
// a timer writes the latest use of each key to its status every few seconds, off the request path.
import type { Store } from '../../apiserver/registry/store.ts';
import { isNotFound, notFoundMessage } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { accessKeyType, type AccessKeyStatus } from '../resources/index.ts';

export class LastUsedWriter {
  private pending = new Map<string, { ms: number; address: string }>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly log: (m: string) => void, private readonly intervalMs = 5000) {}

  start(): void {
    this.timer = setInterval(() => { void this.flush(); }, this.intervalMs);
    this.timer.unref();
  }

  record(name: string, ms: number, address: string): void {
    const cur = this.pending.get(name);
    if (!cur || cur.ms < ms) this.pending.set(name, { ms, address });
  }

  /** Writes everything recorded so far (serialised: one flush at a time). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeAll());
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    for (const [name, use] of batch) {
      const time = new Date(use.ms).toISOString().replace(/\.\d+Z$/, 'Z');
      try {
        await this.store.update({ cluster: ROOT_CLUSTER, subresource: 'status' }, accessKeyType, '', name, (cur) => {
          if (!cur) throw notFoundMessage('gone');
          const status = (cur.status ?? {}) as AccessKeyStatus;
          if (status.lastUsedTime && Date.parse(status.lastUsedTime) >= Math.floor(use.ms / 1000) * 1000) return cur;
          cur.status = { ...status, lastUsedTime: time, lastUsedAddress: use.address };
          return cur;
        });
      } catch (e) {
        if (!isNotFound(e)) this.log(`access key ${name}: recording last use failed: ${(e as Error).message}`);
      }
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
