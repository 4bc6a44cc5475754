// Builds kubeconfig documents (one context per logical cluster) and writes the admin kubeconfig (0600).
import { writeFileSync, renameSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export interface KubeconfigUser {
  name: string;
  user: Record<string, unknown>;
}

/**
 * A kubeconfig with a cluster and a context per logical cluster, all using one user entry. The per-cluster entries
 * (10,000 for an admin of 10,000 tenant clusters) are written line by line rather than through the YAML library,
 * which is ~20 times slower at that size; the text is the library's (scalars it would quote are rendered by it).
 */
export function buildKubeconfig(opts: KubeconfigOptions): string {
  return [...kubeconfigParts(opts)].join('');
}

/**
 * buildKubeconfig yielding to the event loop every `every` parts: a rewrite for 10,000 clusters (12 MB, ~0.1 s of
 * work) then never holds up requests and controllers for its whole length. `busyMs`: the time spent building.
 */
export async function buildKubeconfigYielding(opts: KubeconfigOptions, every = 500): Promise<{ text: string; busyMs: number }> {
  const out: string[] = [];
  let n = 0;
  let busyMs = 0;
  let from = performance.now();
  for (const part of kubeconfigParts(opts)) {
    out.push(part);
    if (++n % every !== 0) continue;
    busyMs += performance.now() - from;
    await new Promise((r) => setImmediate(r));
    from = performance.now();
  }
  const text = out.join('');
  return { text, busyMs: busyMs + performance.now() - from };
}

export interface KubeconfigOptions { baseUrl: string; caPem: string; clusters: string[]; user: KubeconfigUser; current?: string }

function* kubeconfigParts(opts: KubeconfigOptions): Generator<string> {
  const ca = scalar(Buffer.from(opts.caPem).toString('base64'));
  const user = scalar(opts.user.name);
  yield stringify({ apiVersion: 'v1', kind: 'Config', preferences: {} });
  if (opts.clusters.length === 0) yield 'clusters: []\n';
  else {
    yield 'clusters:\n';
    for (const c of opts.clusters) {
      yield `  - name: ${scalar(c)}\n    cluster:\n      server: ${scalar(`${opts.baseUrl}/clusters/${c}`)}\n      certificate-authority-data: ${ca}\n`;
    }
  }
  yield stringify({ users: [opts.user] });
  if (opts.clusters.length === 0) yield 'contexts: []\n';
  else {
    yield 'contexts:\n';
    for (const c of opts.clusters) yield `  - name: ${scalar(c)}\n    context:\n      cluster: ${scalar(c)}\n      user: ${user}\n`;
  }
  const current = opts.current ?? opts.clusters[0];
  if (current !== undefined) yield stringify({ 'current-context': current });
}

/** Characters of a plain scalar that needs no quoting (not starting with a digit, sign, dot or indicator). */
const PLAIN = /^[A-Za-z][A-Za-z0-9._/:+=-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n)$/i;

/** A string as the YAML library writes it as a block mapping value: plain when safe, else the library's rendering. */
function scalar(v: string): string {
  if (PLAIN.test(v) && !v.endsWith(':') && !RESERVED.test(v)) return v;
  return stringify(v).replace(/\n$/, '');
}

export function writePrivateFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/**
 * writePrivateFile with the write off the event loop: the text goes to a temporary file (0600) asynchronously and
 * replaces `path` (synchronously, so no other write interleaves) only if `current()` still holds then.
 */
export async function writePrivateFileAsync(path: string, text: string, tag: string, current: () => boolean): Promise<boolean> {
  const tmp = `${path}.tmp-${process.pid}-${tag}`;
  await writeFile(tmp, text, { mode: 0o600 });
  if (!current()) { await unlink(tmp).catch(() => undefined); return false; }
  renameSync(tmp, path);
  return true;
}
