// Go-style durations ("720h", "1h30m", "90s", "500ms") as used in credential TTLs, idle timeouts and policies.
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration into milliseconds; throws an Error with a readable message when malformed. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
  let total = 0;
  let matched = 0;
  while (re.lastIndex < s.length) {
    const start = re.lastIndex;
    const m = re.exec(s);
    if (!m || m.index !== start) throw new Error(`invalid duration "${text}": expected e.g. 720h, 1h30m or 90s`);
    total += Number(m[1]) * UNITS[m[2]];
    matched++;
  }
  if (matched === 0) throw new Error(`invalid duration "${text}": expected e.g. 720h, 1h30m or 90s`);
  return Math.round(total);
}

/** Formats milliseconds as a compact Go duration (e.g. 30h0m0s → "30h", 90 s → "1m30s"). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms / 1000);
  const h = Math.floor(rest / 3600); rest -= h * 3600;
  const m = Math.floor(rest / 60); rest -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${rest ? `${rest}s` : ''}` || '0s';
}
