// The connected clusters this server knows (fed by the informer from root): each one's spec and its upstream,
// built from the spec and the credential Secret portcullis-connected-clusters/<name>, rebuilt when either changes.
import type { Informer } from '../apiserver/controllers/informer.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { SelfAddress } from '../admission/index.ts';
import { CREDENTIALS_NAMESPACE, GROUP, RESOURCE, connectedSpec, type ConnectedClusterSpec } from './types.ts';
import { Upstream, type UpstreamCredential } from './upstream.ts';

export interface ConnectedRecord { name: string; spec: ConnectedClusterSpec; deleting: boolean }

export class ConnectedClusters {
  readonly records = new Map<string, ConnectedRecord>();
  private readonly credentials = new Map<string, UpstreamCredential>();
  private readonly upstreams = new Map<string, Upstream>();
  private readonly listeners: Array<(name: string) => void> = [];
  /** Bumped on every change (access caches key on it). */
  generation = 0;

  constructor(private readonly self: () => SelfAddress | undefined, private readonly connectTimeoutMs: number) {}

  register(informer: Informer): void {
    informer.on(GROUP, RESOURCE, (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      const before = this.records.get(ev.name);
      if (ev.type === 'DELETED') this.records.delete(ev.name);
      else this.records.set(ev.name, { name: ev.name, spec: connectedSpec(ev.object), deleting: Boolean(ev.object.metadata.deletionTimestamp) });
      // Status writes change nothing here: open connections (watches, exec sessions) stay up.
      const after = this.records.get(ev.name);
      if (JSON.stringify(before) !== JSON.stringify(after)) this.changed(ev.name);
    });
    informer.on('', 'secrets', (ev) => {
      if (ev.cluster !== ROOT_CLUSTER || ev.namespace !== CREDENTIALS_NAMESPACE) return;
      if (ev.type === 'DELETED') this.credentials.delete(ev.name); else this.credentials.set(ev.name, credentialOf(ev.object));
      this.changed(ev.name);
    });
  }

  onChange(f: (name: string) => void): void { this.listeners.push(f); }

  private changed(name: string): void {
    this.generation++;
    this.upstreams.get(name)?.close();
    this.upstreams.delete(name);
    for (const f of this.listeners) f(name);
  }

  has(name: string): boolean { return this.records.has(name); }
  get(name: string): ConnectedRecord | undefined { return this.records.get(name); }

  /** The upstream of a connected cluster, or why there is none yet. */
  upstream(name: string): Upstream | string {
    const hit = this.upstreams.get(name);
    if (hit) return hit;
    const rec = this.records.get(name);
    if (!rec) return `connected cluster "${name}" does not exist`;
    const credential = this.credentials.get(name);
    if (!credential || (!credential.token && !(credential.certPem && credential.keyPem))) {
      return `connected cluster "${name}" has no upstream credential (Secret ${CREDENTIALS_NAMESPACE}/${name} in root with `
        + 'key "token", or "tls.crt" and "tls.key")';
    }
    const caPem = rec.spec.caData ? Buffer.from(rec.spec.caData, 'base64').toString('utf8') : undefined;
    const up = new Upstream({ name, server: rec.spec.server, caPem, tlsServerName: rec.spec.tlsServerName, credential }, this.self(), this.connectTimeoutMs);
    this.upstreams.set(name, up);
    return up;
  }

  close(): void {
    for (const u of this.upstreams.values()) u.close();
    this.upstreams.clear();
  }
}

function credentialOf(o: KObject): UpstreamCredential {
  const data = (o.data ?? {}) as Record<string, string>;
  const text = (k: string) => (typeof data[k] === 'string' ? Buffer.from(data[k], 'base64').toString('utf8') : undefined);
  return { token: text('token')?.trim(), certPem: text('tls.crt'), keyPem: text('tls.key') };
}
