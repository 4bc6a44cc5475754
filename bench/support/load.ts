// Load generation and table printing shared by the benchmarks (autocannon over loopback HTTPS).
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadResult { name: string; rps: number; p50: number; p99: number; errors: number; non2xx: number; total: number }

export async function load(name: string, url: string, tls: { cert?: Buffer; key?: Buffer }, opts: { connections?: number; seconds?: number; method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<LoadResult> {
  const r = await autocannon({
    url, connections: opts.connections ?? 10, duration: opts.seconds ?? 8, pipelining: 1,
    method: (opts.method ?? 'GET') as 'GET', body: opts.body, headers: opts.headers,
    tlsOptions: tls,
  } as autocannon.Options);
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx, total: r.requests.total };
}

export function printTable(title: string, rows: Array<Record<string, string | number>>): void {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(width[i])).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(cols));
  console.log(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
}

export function machine(): string {
  return `${process.platform}/${process.arch}, node ${process.version}`;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. Taken before and
 * after a load run, it gives the server's CPU time per request, which other work on a shared machine disturbs far
 * less than req/s.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** USER_HZ: the unit of /proc/<pid>/stat times, 100 on every mainstream Linux build. */
const CLOCK_TICKS = 100;
