// Preload for a server under a benchmark (NODE_OPTIONS=--import=<this file>, CPU_PROFILE_OUT=<file>): the first
// SIGUSR2 starts sampling the CPU, the second stops and writes a .cpuprofile (Chrome DevTools format) to
// CPU_PROFILE_OUT, so the profile covers the load alone, not start-up. Without CPU_PROFILE_OUT it does nothing.
import inspector from 'node:inspector';
import { renameSync, writeFileSync } from 'node:fs';

const out = process.env.CPU_PROFILE_OUT;
if (out) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 250 });
  let sampling = false;
  process.on('SIGUSR2', () => {
    if (!sampling) { sampling = true; session.post('Profiler.start'); return; }
    sampling = false;
    session.post('Profiler.stop', (err, r) => {
      if (err) return;
      writeFileSync(`${out}.part`, JSON.stringify(r.profile));
      renameSync(`${out}.part`, out); // whole or absent for the reader
    });
  });
}
