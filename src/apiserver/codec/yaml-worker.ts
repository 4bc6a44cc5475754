// The YAML worker: one lazily started worker thread (yaml-parse.mjs) that decodes large YAML bodies, so that a slow
// or hostile document never holds the event loop. Requests queue in order; a crashed worker fails its requests
// with a 503 and is started again by the next one.
import { Worker } from 'node:worker_threads';
import { unavailable } from '../errors.ts';

interface Pending { resolve(v: unknown): void; reject(e: unknown): void }
interface Reply { id: number; value?: unknown; error?: string }

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

function start(): Worker {
  const w = new Worker(new URL('./yaml-parse.mjs', import.meta.url));
  w.unref();
  w.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) w.unref();
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m.value);
  });
  const fail = (why: string) => {
    if (worker === w) worker = undefined;
    for (const p of pending.values()) p.reject(unavailable(`the YAML decoder stopped: ${why}`));
    pending.clear();
  };
  w.on('error', (e) => fail(e.message));
  w.on('exit', (code) => fail(`exit code ${code}`));
  return w;
}

/** Decodes `text` in the worker; rejects with an Error (the YAML problem, one line) or a 503 StatusError. */
export function parseYamlInWorker(text: string, maxDepth: number): Promise<unknown> {
  worker ??= start();
  const w = worker;
  const id = ++nextId;
  // Referenced while it works for someone: a process must not exit with a body half decoded.
  w.ref();
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ id, text, maxDepth });
  });
}
