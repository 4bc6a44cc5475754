// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that crosses its threshold
// (1,000 pages): that commit copies the WAL into the database and fsyncs it on the thread that committed — ~9 ms,
// every few hundred commits (446 commits, 4.0 s of the 12.8 s spent in transactions while 10,000 tenants were created
// at 100/s: bench/RESULTS.md, issue 17). The store's connection sets wal_autocheckpoint = 0 instead, and a worker
// thread with a connection of its own runs PRAGMA wal_checkpoint(PASSIVE) shortly after writes: a passive checkpoint
// never waits for the writer nor makes it wait, and the writer starts the WAL over once all of it is in the database.
// If the worker fails, the store's connection is told to checkpoint by itself again (onFailure).
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

/** The worker: one connection, one checkpoint per message (plain CommonJS: no loader needed in the thread). */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { timeout: 0 });
db.pragma('synchronous = NORMAL');
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return; }
  try { parentPort.postMessage(db.pragma('wal_checkpoint(PASSIVE)')[0]); }
  catch (e) { parentPort.postMessage({ error: String(e && e.message) }); }
});
`;

/** What one checkpoint did: WAL frames in the log, frames now in the database, and whether it was cut short. */
export interface CheckpointResult { busy: number; log: number; checkpointed: number }

export interface Checkpointer {
  /** A write committed: a checkpoint follows within DELAY_MS (one at a time; writes meanwhile join the next). */
  wrote(): void;
  /** Resolves when no checkpoint is running or due, with the last one's result (tests). */
  idle(): Promise<CheckpointResult | undefined>;
  /** Stops the worker (after the checkpoint it is running, if any). */
  close(): Promise<void>;
}

/** How long after a write the checkpoint starts: writes in a burst share one. */
const DELAY_MS = 50;

export interface CheckpointerOptions {
  /** better-sqlite3's entry module (tests give a wrong one to make the worker fail). */
  module?: string;
}

export function startCheckpointer(path: string, onFailure: (err: Error) => void, opts: CheckpointerOptions = {}): Checkpointer {
  const module = opts.module ?? createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { path, module } });
  worker.unref();
  let due = false;
  let running = false;
  let failed = false;
  let closing = false;
  let timer: NodeJS.Timeout | undefined;
  let last: CheckpointResult | undefined;
  let waiters: Array<(r: CheckpointResult | undefined) => void> = [];

  const settle = (): void => {
    if (running || timer || (due && !failed)) return;
    const w = waiters; waiters = [];
    for (const f of w) f(last);
  };
  const fail = (err: Error): void => {
    if (failed || closing) return;
    failed = true;
    running = false;
    clearTimeout(timer); timer = undefined;
    onFailure(err);
    settle();
  };
  const run = (): void => {
    timer = undefined;
    if (failed || closing || running || !due) { settle(); return; }
    due = false;
    running = true;
    worker.ref(); // a checkpoint under way (a few ms) finishes before the process may exit; an idle worker does not hold it
    worker.postMessage('checkpoint');
  };
  const schedule = (): void => {
    if (!failed && !closing && !running && !timer) timer = setTimeout(run, DELAY_MS);
  };

  worker.on('message', (r: CheckpointResult | { error: string }) => {
    running = false;
    if (!closing) worker.unref(); // closing: held until it exits
    if ('error' in r) { fail(new Error(`WAL checkpoint failed: ${r.error}`)); return; }
    last = r;
    if (due) schedule();
    settle();
  });
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => { if (!closing) fail(new Error(`the WAL checkpoint worker exited (${code})`)); });

  return {
    wrote(): void {
      due = true;
      schedule();
    },
    idle(): Promise<CheckpointResult | undefined> {
      return new Promise((resolve) => { waiters.push(resolve); settle(); });
    },
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      clearTimeout(timer); timer = undefined;
      if (failed) { await worker.terminate(); return; }
      const exited = new Promise<void>((r) => worker.once('exit', () => r()));
      worker.ref();
      worker.postMessage('close');
      await exited;
      const w = waiters; waiters = [];
      for (const f of w) f(last);
    },
  };
}
