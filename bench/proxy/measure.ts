// Measuring tools for bench/proxy: CPU time of a process (from /proc), sequential request latency with sub-millisecond
// resolution (autocannon's percentiles are whole milliseconds), pinning processes to cores, percentiles, and starting
// a helper server script that prints `listening <port>`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User and system (kernel) CPU milliseconds a process has used so far. */
export function cpuMs(pid: number): { user: number; sys: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return { user: (Number(fields[11]) * 1000) / TICKS_PER_SECOND, sys: (Number(fields[12]) * 1000) / TICKS_PER_SECOND };
}

/** Pins every thread of `pid` to `cpus` (e.g. "1"); false if taskset is missing or refuses. */
export function pin(pid: number, cpus: string): boolean {
  try { execFileSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { stdio: 'ignore' }); return true; } catch { return false; }
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** `n` GETs one after another on one keep-alive connection; latencies in ms (after `warm` unrecorded ones). */
export async function sequentialLatency(url: string, tls: { cert: Buffer; key: Buffer }, n: number, warm = 200): Promise<number[]> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ...tls, rejectUnauthorized: false });
  const one = () => new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    https.get(url, { agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${url}: ${res.statusCode}`))));
    }).on('error', reject);
  });
  const out: number[] = [];
  try {
    for (let i = 0; i < warm + n; i++) { const ms = await one(); if (i >= warm) out.push(ms); }
  } finally { agent.destroy(); }
  return out;
}

/** Runs a TypeScript server script that prints `listening <port>` once it serves HTTPS on 127.0.0.1. */
export async function startScript(file: string, args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${file} exited (${code})`)));
    proc.stdout!.on('data', (d: Buffer) => { const m = /listening (\d+)/.exec(d.toString()); if (m) resolve(Number(m[1])); });
  });
  proc.removeAllListeners('exit');
  return { url: `https://127.0.0.1:${port}`, proc };
}
