// Start-up tests' gate: an admission plugin that holds every status write of a stored tenant (t-*) until opened, so
// the start-up resync cannot finish; with `holdReplay`, the background replay of clusters' stored objects waits too
// (a cluster is then replayed only when a request needs it).
import type { ServerModule } from '../../src/apiserver/extension.ts';

export function gateModule(opts: { holdReplay?: boolean } = {}): { module: ServerModule; open(): void; held: () => number } {
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  let held = 0;
  const module: ServerModule = {
    name: 'test-gate',
    setup(m) {
      if (opts.holdReplay) m.informer.holdReplay(gate);
      m.admission.push({
        name: 'test-gate',
        async admit(op, t, o, _old, ctx) {
          if (op !== 'update' || t.resource !== 'tenantclusters' || ctx.subresource !== 'status' || !o?.metadata.name?.startsWith('t-')) return;
          held++;
          await gate;
        },
      });
    },
  };
  return { module, open, held: () => held };
}

/** Polls `f` until it yields a value (bounded by the calling test's timeout). */
export async function until<T>(f: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}
