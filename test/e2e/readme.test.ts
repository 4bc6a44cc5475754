// The README is tested: `npm start` prints what the README says, and every ```sh block under a
// "Quick start" heading runs, in order, in bash against that fresh server, as a user would type it:
// in a folder with ./data and ./examples, `portcullis` on the PATH (as `npm link` does), its own HOME.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The ```sh blocks of the sections whose heading starts with "Quick start", in README order. */
export function quickStartBlocks(readme: string): Array<{ section: string; code: string }> {
  const blocks: Array<{ section: string; code: string }> = [];
  let section = '';
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heading = /^## (.*)$/.exec(lines[i]!);
    if (heading) { section = heading[1]!; continue; }
    if (lines[i] !== '```sh' || !section.startsWith('Quick start')) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    blocks.push({ section, code: body.join('\n') });
  }
  return blocks;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, out }); });
  });
}

describe('README', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'portcullis-readme-'));
  let server: ChildProcess | undefined;
  let banner = '';
  let port = 0;
  const env: NodeJS.ProcessEnv = {
    ...process.env, HOME: path.join(work, 'home'), PATH: `${path.join(work, 'bin')}:${process.env.PATH}`,
    PORTCULLIS_CONFIG: '', KUBECONFIG: '',
  };

  before(async () => {
    mkdirSync(path.join(work, 'bin'));
    mkdirSync(path.join(work, 'home'));
    symlinkSync(path.join(ROOT, 'examples'), path.join(work, 'examples'));
    // What `npm link` gives: a portcullis command on the PATH.
    const shim = path.join(work, 'bin', 'portcullis');
    writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'portcullis.mjs')}" "$@"\n`);
    chmodSync(shim, 0o755);
    port = await freePort();
    // The README's start command, with this test's data dir and port.
    server = spawn('npm', ['start', '--', '--data-dir', path.join(work, 'data'), '--listen', `127.0.0.1:${port}`],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    server.stderr!.on('data', (d: Buffer) => { banner += d.toString(); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${banner}`)), 120_000);
      server!.stdout!.on('data', (d: Buffer) => {
        banner += d.toString();
        if (/Log in with the CLI/.test(banner) && /npx portcullis login .*\n/.test(banner)) { clearTimeout(timer); resolve(); }
      });
      server!.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${banner}`)));
    });
  });
  after(async () => {
    // the whole process group: npm does not always pass SIGTERM on to the server it started
    const exited = new Promise((r) => server?.once('exit', r) ?? r(undefined));
    try { if (server?.pid) process.kill(-server.pid, 'SIGTERM'); } catch { server?.kill('SIGTERM'); }
    await exited;
    rmSync(work, { recursive: true, force: true });
  });

  it('npm start serves and prints the admin kubeconfig, the CA and a login line', () => {
    const data = path.join(work, 'data');
    assert.match(banner, new RegExp(`Portcullis is serving on https://127.0.0.1:${port}`));
    assert.match(banner, new RegExp(`Admin kubeconfig: ${data}/admin.kubeconfig`));
    assert.match(banner, new RegExp(`CA certificate: ${data}/pki/ca.crt`));
    assert.match(banner, /SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    assert.match(banner, new RegExp(`npx portcullis login https://127.0.0.1:${port} --username admin --ca-file`));
    assert.match(banner, new RegExp(`Web console: https://127.0.0.1:${port}/ `));
  });

  const blocks = quickStartBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  it('has quick-start blocks to run', () => assert.ok(blocks.length >= 3, `found ${blocks.length}`));
  const state = path.join(work, 'env.sh');
  for (const [i, b] of blocks.entries()) {
    it(`quick start block ${i + 1} (${b.section}) runs`, async () => {
      // The README's server address is the default listen address; this server has its own port.
      const code = b.code.replaceAll('127.0.0.1:8443', `127.0.0.1:${port}`);
      // One terminal session across blocks: exported variables carry over.
      const script = `set -eo pipefail\n[ -f ${state} ] && . ${state}\nset -x\n${code}\nset +x\nexport -p > ${state}\n`;
      const r = await run('bash', ['-c', script], { cwd: work, env, timeoutMs: 180_000 });
      assert.equal(r.code, 0, `block ${i + 1} failed:\n${r.out}`);
    });
  }
});
