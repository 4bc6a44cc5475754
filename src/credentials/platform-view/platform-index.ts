// What credentials need to know about platform objects in root (fed by the informer): each TenantCluster's project
// and host cluster, and each Project's credentialPolicy {maxKeyTTL, maxTokenTTL, maxCertificateValidity, allowUnscopedKeys}.
import type { Informer } from '../../apiserver/controllers/informer.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { GROUP, parseDuration } from '../resources/index.ts';

export interface CredentialPolicy {
  maxKeyTTL?: string;
  maxTokenTTL?: string;
  maxCertificateValidity?: string;
  allowUnscopedKeys?: boolean;
}
export interface TenantInfo { project?: string; hostCluster?: string }

export class PlatformIndex {
  readonly tenants = new Map<string, TenantInfo>();
  readonly policies = new Map<string, CredentialPolicy>();

  register(informer: Informer): void {
    // Connected clusters (src/clusters) belong to a project the same way: a key scoped to it reaches them.
    for (const resource of ['tenantclusters', 'connectedclusters']) {
      informer.on(GROUP, resource, (ev) => {
        if (ev.cluster !== ROOT_CLUSTER) return;
        if (ev.type === 'DELETED') this.tenants.delete(ev.name); else this.setTenant(ev.name, ev.object);
      });
    }
    informer.on(GROUP, 'projects', (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      if (ev.type === 'DELETED') this.policies.delete(ev.name); else this.setProject(ev.name, ev.object);
    });
  }

  setTenant(name: string, o: KObject): void {
    const spec = (o.spec ?? {}) as { project?: unknown; hostCluster?: unknown; host?: { cluster?: unknown } };
    const host = typeof spec.hostCluster === 'string' ? spec.hostCluster : typeof spec.host?.cluster === 'string' ? spec.host.cluster : undefined;
    this.tenants.set(name, { project: typeof spec.project === 'string' ? spec.project : undefined, hostCluster: host });
  }

  setProject(name: string, o: KObject): void {
    const p = ((o.spec ?? {}) as { credentialPolicy?: CredentialPolicy }).credentialPolicy ?? {};
    this.policies.set(name, p);
  }

  projectOf(cluster: string): string | undefined { return this.tenants.get(cluster)?.project; }
}

export interface Limit { ms: number; project: string; text: string }

/** The strictest limit of `field` among `projects` (undefined when none sets one). */
export function strictest(idx: PlatformIndex, projects: Iterable<string>, field: 'maxKeyTTL' | 'maxTokenTTL' | 'maxCertificateValidity'): Limit | undefined {
  let best: Limit | undefined;
  for (const p of projects) {
    const text = idx.policies.get(p)?.[field];
    if (!text) continue;
    let ms: number;
    try { ms = parseDuration(text); } catch { continue; }
    if (!best || ms < best.ms) best = { ms, project: p, text };
  }
  return best;
}
