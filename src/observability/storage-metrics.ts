// Times the store's backend operations (below the watch cache): the latency operators see from SQLite or PostgreSQL.
import type { Storage } from '../apiserver/storage/interface.ts';

export type StorageObserver = (operation: string, seconds: number, ok: boolean) => void;

/** Wraps a backend; `observer()` is read on every call, so it can be attached after the store is open. */
export function instrumentStorage(backend: Storage, observer: () => StorageObserver | undefined): Storage {
  const timed = <A extends unknown[], R>(op: string, f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    const o = observer();
    if (!o) return f(...a);
    const start = performance.now();
    let ok = false;
    try {
      const r = await f(...a);
      ok = true;
      return r;
    } finally {
      o(op, (performance.now() - start) / 1000, ok);
    }
  };
  return {
    get: timed('get', (k: string) => backend.get(k)),
    list: timed('list', (p: string, o?: Parameters<Storage['list']>[1]) => backend.list(p, o)),
    listRaw: timed('list', (p: string, onRow: Parameters<Storage['listRaw']>[1]) => backend.listRaw(p, onRow)),
    create: timed('create', (k: string, o: Parameters<Storage['create']>[1]) => backend.create(k, o)),
    update: timed('update', (k: string, o: Parameters<Storage['update']>[1], rv?: number) => backend.update(k, o, rv)),
    delete: timed('delete', (k: string, rv?: number) => backend.delete(k, rv)),
    batch: timed('batch', (ops: Parameters<Storage['batch']>[0]) => backend.batch(ops)),
    watch: (prefix, fromRV, onEvent, onError) => backend.watch(prefix, fromRV, onEvent, onError),
    close: () => backend.close(),
  };
}
