// bench/platform --restart-only DIR: restarts a server on a store kept by `--keep-data DIR`, several times, and prints
// restart-to-ready (/readyz 200) p50 / max, the first requests served (a member allowed, an outsider refused, over
// HTTPS with client certificates), the time until background resync has nothing left (last run only: it takes
// minutes at 10,000 tenants), what start-up spent per phase (RunningServer.startup, mean over the runs), and the
// event loop's stalls from startServer until `observe` seconds after ready (the longest, and each one over 100 ms).
import https from 'node:https';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { defaultModules } from '../../src/server/modules.ts';
import { machine, printTable } from '../support/load.ts';

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const gc = () => { for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.(); };

function get(url: string, ca: string, cert?: { certPem: string; keyPem: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca, ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

/** Stalls of the event loop: a 10 ms timer that fires late by more than `over` ms, when (since t0) and by how much. */
function stallMonitor(t0: number, over = 100) {
  const hist = monitorEventLoopDelay({ resolution: 10 });
  hist.enable();
  const stalls: Array<{ at: number; ms: number }> = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last - 10 > over) stalls.push({ at: last - t0, ms: now - last - 10 });
    last = now;
  }, 10);
  return {
    /** The longest delay, and the stalls' parts after `listening` (ms since t0: requests wait from then on). */
    stop(listening: number): Record<string, string> {
      clearInterval(timer);
      hist.disable();
      const after = stalls.filter((s) => s.at + s.ms > listening)
        .map((s) => ({ at: Math.max(s.at, listening), ms: s.at + s.ms - Math.max(s.at, listening) }))
        .filter((s) => s.ms > over);
      const list = after.map((s) => `${(s.at / 1000).toFixed(2)}s:${s.ms.toFixed(0)}`).join(' ');
      return {
        'max delay (whole window)': `${(hist.max / 1e6).toFixed(0)} ms`,
        'max stall after listening': `${Math.max(0, ...after.map((s) => s.ms)).toFixed(0)} ms`,
        [`stalls > ${over} ms after listening (at s: ms)`]: `${after.length}${list ? ` (${list})` : ''}`,
      };
    },
  };
}

async function untilReady(server: RunningServer): Promise<number> {
  for (;;) {
    const code = await get(`${server.url}/readyz`, server.pki.caCertPem);
    if (code === 200) return performance.now();
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function restartOnly(dir: string, runs: number, resync = true, observeSeconds = 0): Promise<void> {
  const cfg = loadConfig({ dataDir: path.join(dir, 'data'), listen: '127.0.0.1:0' });
  const rows: Array<Record<string, string>> = [];
  const phases = new Map<string, number>();
  const ready: number[] = [];
  const stallRows: Array<Record<string, string>> = [];
  for (let run = 1; run <= runs; run++) {
    gc();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const monitor = stallMonitor(t0);
    const server = await startServer(cfg, () => undefined, defaultModules());
    const returned = performance.now();
    // MARK=1: the monotonic time (µs) of the return, to find a stall in a --cpu-prof profile
    if (process.env.MARK) process.stderr.write(`returned-hr ${process.hrtime.bigint() / 1000n}\n`);
    const readyAt = await untilReady(server);
    const cpuReady = process.cpuUsage(cpu0);
    // the first requests after /readyz: tenant 50's rule 0 names user u0050 (view); o000 is in no tenant
    const member = await server.pki.issueClientCert({ commonName: 'u0050', organizations: [], validitySeconds: 600 });
    const outsider = await server.pki.issueClientCert({ commonName: 'o000', organizations: [], validitySeconds: 600 });
    const pods = `${server.url}/clusters/tc-00050/api/v1/namespaces/default/pods`;
    const r0 = performance.now();
    const allowed = await get(pods, server.pki.caCertPem, member);
    const refused = await get(pods, server.pki.caCertPem, outsider);
    const firstMs = performance.now() - r0;
    const observeMs = observeSeconds * 1000 - (performance.now() - readyAt);
    if (observeMs > 0) await new Promise((r) => setTimeout(r, observeMs));
    const stalls = monitor.stop(returned - t0);
    const last = resync && run === runs;
    if (last) await server.settle();
    const settled = last ? performance.now() : undefined;
    for (const p of server.startup) phases.set(p.phase, (phases.get(p.phase) ?? 0) + p.ms / runs);
    ready.push(readyAt - t0);
    rows.push({
      run: String(run), 'startServer returned': secs(returned - t0), '/readyz 200': secs(readyAt - t0),
      'CPU to ready': secs((cpuReady.user + cpuReady.system) / 1000),
      'first requests (member, outsider)': `${allowed}, ${refused} in ${firstMs.toFixed(0)} ms`,
      'background resync done': settled === undefined ? '(not waited for)' : secs(settled - t0), 'RSS': `${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`,
      load: os.loadavg()[0]!.toFixed(1),
    });
    stallRows.push({ run: String(run), window: `startServer → ready + ${observeSeconds} s`, ...stalls });
    process.stderr.write(`run ${run}: ready in ${secs(readyAt - t0)}\n`);
    await server.close();
  }
  ready.sort((a, b) => a - b);
  printTable(`bench/platform --restart-only — ${new Date().toISOString().slice(0, 10)} — ${machine()} — ${os.cpus().length} cores — ${dir}`, rows);
  console.log(`restart to ready: p50 ${secs(ready[Math.floor(ready.length / 2)]!)}, max ${secs(ready.at(-1)!)}`);
  const legend = '10 ms timer; listening = startServer returned; at = seconds since startServer';
  printTable(`event-loop delay (${legend})`, stallRows);
  printTable('start-up phases until startServer returned (mean ms)', [...phases].map(([phase, ms]) => ({ phase, ms: ms.toFixed(0) })));
}
