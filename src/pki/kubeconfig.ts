// Builds kubeconfig documents (one context per logical cluster) and writes the admin kubeconfig (0600).
import { writeFileSync, renameSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
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
  return [...kubeconfigChunks(opts)].join('');
}

type KubeconfigOptions = { baseUrl: string; caPem: string; clusters: string[]; user: KubeconfigUser; current?: string };

/**
 * buildKubeconfig's text in pieces of at most `per` clusters' lines each (joined, exactly its text), so that a
 * kubeconfig of 10,000 clusters (~20 MB) can be written without holding the event loop (writePrivateFileAsync).
 */
export function* kubeconfigChunks(opts: KubeconfigOptions, per = 500): Generator<string> {
  const ca = scalar(Buffer.from(opts.caPem).toString('base64'));
  const user = scalar(opts.user.name);
  let out: string[] = [stringify({ apiVersion: 'v1', kind: 'Config', preferences: {} })];
  const cut = function* (): Generator<string> { if (out.length >= per) { yield out.join(''); out = []; } };
  if (opts.clusters.length === 0) out.push('clusters: []\n');
  else {
    out.push('clusters:\n');
    for (const c of opts.clusters) {
      out.push(`  - name: ${scalar(c)}\n    cluster:\n      server: ${scalar(`${opts.baseUrl}/clusters/${c}`)}\n      certificate-authority-data: ${ca}\n`);
      yield* cut();
    }
  }
  out.push(stringify({ users: [opts.user] }));
  if (opts.clusters.length === 0) out.push('contexts: []\n');
  else {
    out.push('contexts:\n');
    for (const c of opts.clusters) {
      out.push(`  - name: ${scalar(c)}\n    context:\n      cluster: ${scalar(c)}\n      user: ${user}\n`);
      yield* cut();
    }
  }
  const current = opts.current ?? opts.clusters[0];
  if (current !== undefined) out.push(stringify({ 'current-context': current }));
  yield out.join('');
}

/** Characters of a plain scalar that needs no quoting (not starting with a digit, sign, dot or indicator). */
const PLAIN = /^[A-Za-z][A-Za-z0-9._/:+=-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n)$/i;

/** A string as the YAML library writes it as a block mapping value: plain when safe, else the library's rendering. */
function scalar(v: string): string {
  if (PLAIN.test(v) && !v.endsWith(':') && !RESERVED.test(v)) return v;
  return stringify(v).replace(/\n$/, '');
}

/**
 * writePrivateFile for text in pieces, yielding to the event loop between them; `current()` is asked just before
 * the rename: false (a newer write won meanwhile) leaves the file as it is. Whether it was renamed into place.
 */
export async function writePrivateFileAsync(path: string, chunks: Iterable<string>, current: () => boolean): Promise<boolean> {
  const tmp = `${path}.tmp-${process.pid}-async`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    for (const chunk of chunks) await fh.write(chunk);
  } finally {
    await fh.close();
  }
  if (!current()) { await unlink(tmp).catch(() => undefined); return false; }
  renameSync(tmp, path);
  return true;
}

export function writePrivateFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}
