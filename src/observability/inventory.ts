// Gauges fed by the shared informer: stored objects per resource, tenant clusters by phase, credentials by kind
// (and their time to expiry), revocations in force. Values are kept as counts and set when Prometheus scrapes.
import type { Informer, InformerEvent } from '../apiserver/controllers/informer.ts';
import type { Catalog } from '../apiserver/registry/catalog.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { Metrics } from './metrics.ts';

const MGMT = 'management.portcullis.io';
const PHASES = new Set(['Pending', 'Ready', 'Terminating', 'Failed']);

interface Credential { kind: string; expires?: number }

export function trackInventory(informer: Informer, catalog: Catalog, mx: Metrics): { refresh(): void } {
  const objects = new Map<string, number>();
  const phases = new Map<string, string>();
  const credentials = new Map<string, Credential>();
  const revocations = new Map<string, string>();
  const labels = new Map<string, string>();
  const resourceLabel = (ev: InformerEvent): string => {
    const group = ev.group === 'core' ? '' : ev.group;
    const k = `${group}/${ev.resource}`;
    let l = labels.get(k);
    if (l === undefined) {
      const known = catalog.storedResources(ROOT_CLUSTER).some((t) => t.group === group && t.resource === ev.resource && !t.custom);
      l = !known ? 'custom' : group === '' ? ev.resource : `${ev.resource}.${group}`;
      if (known) labels.set(k, l); // custom resources may be defined in root later: asked again
    }
    return l;
  };
  informer.onAny((ev) => {
    // shared objects (one set served to many clusters) are not stored objects
    if (ev.type === 'MODIFIED' || ev.shared) return;
    const r = resourceLabel(ev);
    objects.set(r, (objects.get(r) ?? 0) + (ev.type === 'ADDED' ? 1 : -1));
  });
  informer.on(MGMT, 'tenantclusters', (ev) => {
    if (ev.type === 'DELETED') { phases.delete(ev.key); return; }
    const phase = (ev.object.status as { phase?: string } | undefined)?.phase ?? 'Pending';
    phases.set(ev.key, PHASES.has(phase) ? phase : 'Other');
  });
  const credential = (resource: string, kindOf: (o: InformerEvent['object']) => Credential) => informer.on(MGMT, resource, (ev) => {
    if (ev.cluster !== ROOT_CLUSTER) return;
    if (ev.type === 'DELETED') credentials.delete(ev.key); else credentials.set(ev.key, kindOf(ev.object));
  });
  const time = (s: unknown) => (typeof s === 'string' ? Date.parse(s) : undefined);
  credential('accesskeys', (o) => ({
    kind: o.metadata.labels?.['credentials.portcullis.io/session'] ? 'session' : 'access-key',
    expires: time((o.spec as { expirationTimestamp?: string } | undefined)?.expirationTimestamp),
  }));
  credential('kubeconfigs', () => ({ kind: 'certificate-kubeconfig' }));
  credential('issuedtokens', (o) => {
    const spec = o.spec as { kind?: string; expiresAt?: string } | undefined;
    return { kind: spec?.kind === 'ServiceAccountToken' ? 'serviceaccount-token' : 'token', expires: time(spec?.expiresAt) };
  });
  informer.on(MGMT, 'credentialrevocations', (ev) => {
    if (ev.type === 'DELETED') revocations.delete(ev.key);
    else revocations.set(ev.key, (ev.object.spec as { type?: string } | undefined)?.type === 'serial' ? 'serial' : 'jti');
  });

  return {
    refresh() {
      mx.storageObjects.reset();
      for (const [r, n] of objects) if (n > 0) mx.storageObjects.labels(r).set(n);
      mx.tenantClusters.reset();
      for (const p of PHASES) mx.tenantClusters.labels(p).set(0);
      for (const p of phases.values()) mx.tenantClusters.labels(p).inc();
      mx.credentials.reset();
      mx.credentialExpiry.reset();
      const now = Date.now();
      for (const c of credentials.values()) {
        mx.credentials.labels(c.kind).inc();
        if (c.expires !== undefined && c.expires > now) mx.credentialExpiry.labels(c.kind).observe((c.expires - now) / 1000);
      }
      mx.revocations.reset();
      mx.revocations.labels('serial').set(0);
      mx.revocations.labels('jti').set(0);
      for (const t of revocations.values()) mx.revocations.labels(t).inc();
    },
  };
}
