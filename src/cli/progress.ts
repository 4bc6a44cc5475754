// Progress of long work (migrate, restore): "label: done/total (pct) rate/s ETA" redrawn in place on a terminal,
// plain lines at every tenth of the way (and at the end) otherwise.
export interface Progress {
  /** `n` more items done. */
  tick(n?: number): void;
  /** Sets the total once known. */
  total(n: number): void;
  done(): void;
}

export function createProgress(label: string, unit: string, out: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
  now: () => number = Date.now): Progress {
  const start = now();
  let total = 0;
  let done = 0;
  let lastDraw = 0;
  let lastTenth = 0;
  const line = (): string => {
    const secs = Math.max((now() - start) / 1000, 0.001);
    const rate = done / secs;
    const pct = total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : '';
    const eta = total > 0 && rate > 0 && done < total ? `, ETA ${Math.ceil((total - done) / rate)}s` : '';
    return `${label}: ${done}/${total} ${unit}${pct}, ${Math.round(rate)} ${unit}/s${eta}`;
  };
  const draw = (final: boolean) => {
    if (out.isTTY) {
      const t = now();
      if (!final && t - lastDraw < 100) return;
      lastDraw = t;
      out.write(`\r\x1b[K${line()}${final ? '\n' : ''}`);
      return;
    }
    const tenth = total > 0 ? Math.floor((10 * done) / total) : 0;
    if (final || tenth > lastTenth) { lastTenth = tenth; out.write(`${line()}\n`); }
  };
  return {
    tick(n = 1) { done += n; if (done < total) draw(false); },
    total(n) { total = n; },
    done() { draw(true); },
  };
}
