// The bootstrap admin's system:masters certificate (data/admin.kubeconfig, 0600): issued once and reused across starts
// while it is valid, signed by the current CA, unrevoked and not within its last third; short-lived (30 days by
// default); rotated on request (POST /platform/v1/admin/rotate-credentials, `portcullis admin rotate-credentials`),
// which revokes the previous certificate on every replica.
import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { parse } from 'yaml';
import type { Pki } from '../pki/ca.ts';
import { buildKubeconfig, buildKubeconfigYielding, writePrivateFile, writePrivateFileAsync, type KubeconfigOptions } from '../pki/kubeconfig.ts';
import { normalizeSerialHex } from '../pki/serial.ts';
import type { Route } from '../apiserver/extension.ts';
import { userFrom, type RequestContext } from '../apiserver/context.ts';
import { forbidden, methodNotSupported, StatusError } from '../apiserver/errors.ts';
import { writeJson } from '../apiserver/handlers/respond.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { SYSTEM_MASTERS } from '../apiserver/auth/types.ts';

export const ADMIN_CERT_DEFAULT_DAYS = 30;
export const ROTATE_PATH = '/platform/v1/admin/rotate-credentials';

interface Held { certPem: string; keyPem: string; serial: string; notAfter: Date }

export interface AdminCredentialDeps {
  pki: Pki;
  path: string;
  validityDays: number;
  isRevoked: (serialHex: string) => boolean;
  revoke?: (serialHex: string, notAfter: Date, reason: string) => Promise<void>;
  log: (m: string) => void;
}

/** Below this many logical clusters the admin kubeconfig is rewritten on every change. */
const IMMEDIATE_REWRITE_CLUSTERS = 200;
/** A held-back rewrite waits for this long a pause in the changes... */
const QUIET_MS = 1000;
/** ...but no longer than this (or 200 times the last rewrite took) from the first change it holds. */
const MAX_DELAY_MS = 15_000;

export class AdminCredential {
  private held?: Held;
  private baseUrl = '';
  private clusters: string[] = [ROOT_CLUSTER];
  /** A rewrite waiting for the throttle (clustersChanged), with the newest cluster names. */
  private pending?: { timer: NodeJS.Timeout; names: () => string[]; since: number };
  private lastWrite = 0;
  private writeMs = 0;
  /** Bumped by every write: a held-back rewrite still in progress replaces the file only if none came after it. */
  private generation = 0;
  /** The held-back rewrite in progress (built and written without blocking the event loop), with its names. */
  private inflight?: { done: Promise<void>; names: () => string[] };

  constructor(private readonly d: AdminCredentialDeps) {}

  /** The certificate in the kubeconfig file when it can still be used, else a new one (logged). */
  async load(): Promise<void> {
    const { usable, replaced } = this.readExisting();
    if (usable) { this.held = usable; return; }
    this.held = await this.issue();
    const { serial, notAfter } = this.held;
    this.d.log(`portcullis: issued a new admin certificate (serial ${serial}, valid until ${notAfter.toISOString()})`);
    if (replaced && this.d.revoke) {
      await this.d.revoke(replaced.serial, replaced.notAfter, 'admin certificate renewed at start');
    }
  }

  /** Writes the admin kubeconfig (0600) for `baseUrl` with a context per cluster. */
  write(baseUrl: string, clusters: string[]): void {
    this.baseUrl = baseUrl;
    this.setClusters(clusters);
    this.generation++;
    writePrivateFile(this.d.path, this.text());
  }

  /**
   * write() at start: the 12-20 MB text of 10,000 clusters built in slices and written off the event loop (requests
   * are served meanwhile). The file is in place (0600) when it resolves, this or a later write's (one that started
   * meanwhile, as a rotation, supersedes it).
   */
  async writeAtStart(baseUrl: string, clusters: string[]): Promise<void> {
    this.baseUrl = baseUrl;
    this.setClusters(clusters);
    const gen = ++this.generation;
    const current = () => gen === this.generation;
    const { text } = await buildKubeconfigYielding(this.options());
    if (current()) await writePrivateFileAsync(this.d.path, text, `start-${gen}`, current);
    else await this.settled(); // a held-back rewrite that superseded it
  }

  private setClusters(clusters: string[]): void {
    this.clusters = [ROOT_CLUSTER, ...clusters.filter((n) => n !== ROOT_CLUSTER).sort()];
  }

  /**
   * The logical clusters changed: rewrite the kubeconfig, at once while there are few. Beyond that a rewrite (a
   * 20 MB file at 10,000 clusters, ~0.3 s of blocked event loop) waits until the changes pause for a second, but
   * no longer than MAX_DELAY or 200 times the last rewrite took, and never sooner than twenty times it after the
   * previous one (at most 5% of a core); it is built and written without blocking the event loop. A mass creation of 10,000 tenant clusters then rewrites it about once a
   * minute, not every few seconds (each rewrite stalled the tenants created meanwhile), and a new cluster's context
   * appears a second after the last change.
   */
  clustersChanged(count: number, names: () => string[]): void {
    const now = Date.now();
    if (count < IMMEDIATE_REWRITE_CLUSTERS && !this.pending) {
      this.write(this.baseUrl, names());
      this.lastWrite = now;
      return;
    }
    const since = this.pending?.since ?? now;
    if (this.pending) clearTimeout(this.pending.timer);
    const latest = since + Math.max(MAX_DELAY_MS, 200 * this.writeMs);
    const due = Math.max(this.lastWrite + Math.max(1000, 20 * this.writeMs), Math.min(now + QUIET_MS, latest));
    const timer = setTimeout(() => this.rewrite(), Math.max(0, due - now));
    timer.unref();
    this.pending = { timer, names, since };
  }

  /** Writes at once, synchronously, a rewrite the throttle holds back or one in progress (at shutdown). */
  flush(): void {
    const names = this.pending?.names ?? this.inflight?.names;
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = undefined;
    if (names) this.write(this.baseUrl, names()); // a rewrite in progress finds itself superseded
  }

  /** The held-back rewrite in progress, if any, has finished (tests). */
  async settled(): Promise<void> { await this.inflight?.done; }

  /** The throttle's rewrite: built in slices and written off the event loop; a later write supersedes it. */
  private rewrite(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    const gen = ++this.generation;
    this.setClusters(p.names());
    const done = (async () => {
      const { text, busyMs } = await buildKubeconfigYielding(this.options());
      this.writeMs = busyMs; // the event loop's share of the work (the file is written off it)
      const current = () => gen === this.generation;
      if (current()) await writePrivateFileAsync(this.d.path, text, String(gen), current);
    })().catch((e: unknown) => this.d.log(`portcullis: could not rewrite ${this.d.path}: ${(e as Error).message}`))
      .finally(() => {
        if (this.inflight?.done === done) this.inflight = undefined;
        this.lastWrite = Date.now();
      });
    this.inflight = { done, names: p.names };
  }

  /** A new certificate; the previous one is revoked everywhere. Returns the new kubeconfig text. */
  async rotate(by: string): Promise<{ kubeconfig: string; serial: string; notAfter: string; revoked?: string }> {
    const old = this.held;
    this.held = await this.issue();
    this.generation++; // a rewrite in progress holds the old certificate: it must not land after this one
    writePrivateFile(this.d.path, this.text());
    if (old && this.d.revoke) await this.d.revoke(old.serial, old.notAfter, `admin certificate rotated by ${by}`);
    const { serial, notAfter } = this.held;
    const revoked = old ? `, revoked ${old.serial}` : '';
    this.d.log(`portcullis: admin certificate rotated by ${by}: new serial ${serial}${revoked}`);
    return { kubeconfig: this.text(), serial, notAfter: notAfter.toISOString(), revoked: old?.serial };
  }

  route(): Route {
    return {
      prefix: ROTATE_PATH,
      handle: async (ctx: RequestContext) => {
        if (ctx.cluster !== ROOT_CLUSTER || ctx.path !== ROTATE_PATH) {
          throw new StatusError(404, 'NotFound', 'the page you requested was not found');
        }
        if (ctx.req.method !== 'POST') {
          const verb = (ctx.req.method ?? '').toLowerCase();
          throw methodNotSupported({ group: 'management.portcullis.io', resource: 'admin' }, verb);
        }
        const user = userFrom(ctx);
        if (!user.groups.includes(SYSTEM_MASTERS)) {
          throw forbidden(null, '',
            `user "${user.username}" may not rotate the admin credentials (requires group ${SYSTEM_MASTERS})`);
        }
        const r = await this.rotate(user.username);
        writeJson(ctx, 200, {
          apiVersion: 'management.portcullis.io/v1', kind: 'AdminCredentials', status: { ...r, path: this.d.path },
        });
      },
    };
  }

  private text(): string { return buildKubeconfig(this.options()); }

  private options(): KubeconfigOptions {
    const h = this.held!;
    return {
      baseUrl: this.baseUrl, caPem: this.d.pki.caCertPem, clusters: this.clusters, current: ROOT_CLUSTER,
      user: { name: 'admin', user: {
        'client-certificate-data': Buffer.from(h.certPem).toString('base64'),
        'client-key-data': Buffer.from(h.keyPem).toString('base64'),
      } },
    };
  }

  private async issue(): Promise<Held> {
    const c = await this.d.pki.issueClientCert({
      commonName: 'admin', organizations: [SYSTEM_MASTERS], validitySeconds: this.d.validityDays * 86_400,
    });
    return { certPem: c.certPem, keyPem: c.keyPem, serial: normalizeSerialHex(c.serialHex), notAfter: c.notAfter };
  }

  private readExisting(): { usable?: Held; replaced?: Held } {
    if (!existsSync(this.d.path)) return {};
    try {
      type Doc = { users?: Array<{ name?: string; user?: Record<string, string> }> };
      const doc = parse(usersSection(readFileSync(this.d.path, 'utf8'))) as Doc;
      const u = doc.users?.find((x) => x.name === 'admin')?.user;
      if (!u?.['client-certificate-data'] || !u['client-key-data']) return {};
      const certPem = Buffer.from(u['client-certificate-data'], 'base64').toString('utf8');
      const keyPem = Buffer.from(u['client-key-data'], 'base64').toString('utf8');
      const cert = new X509Certificate(certPem);
      const ca = new X509Certificate(this.d.pki.caCertPem);
      const serial = normalizeSerialHex(cert.serialNumber);
      const from = Date.parse(cert.validFrom);
      const to = Date.parse(cert.validTo);
      const now = Date.now();
      const ours = cert.verify(ca.publicKey) && cert.subject.includes(`O=${SYSTEM_MASTERS}`);
      if (!ours || this.d.isRevoked(serial)) return {};
      const held = { certPem, keyPem, serial, notAfter: new Date(to) };
      // Renewed once two thirds of its life have passed (or when it outlives the configured lifetime); the old one
      // is revoked.
      const aged = now > from + ((to - from) * 2) / 3;
      if (aged || to - now > this.d.validityDays * 86_400_000 + 600_000) return { replaced: held };
      return { usable: held };
    } catch {
      return {};
    }
  }
}

/**
 * The top-level `users:` block of a kubeconfig as we write it (block YAML, one line per top-level key), so that a
 * start with 10,000 cluster contexts parses a few lines, not megabytes; the whole text when that block is not found.
 */
export function usersSection(text: string): string {
  const at = text.startsWith('users:') ? 0 : text.indexOf('\nusers:') + 1;
  if (at === 0 && !text.startsWith('users:')) return text;
  const next = text.slice(at).search(/\n[^\s#-]/); // the newline before the next top-level key
  return next < 0 ? text.slice(at) : text.slice(at, at + next + 1);
}
