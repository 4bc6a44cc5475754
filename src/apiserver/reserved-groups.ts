// API groups no tenant may define: Kubernetes' own (k8s.io, kubernetes.io and their subdomains) and Portcullis'
// (portcullis.io and its subdomains). Platform kinds live in root only; controllers honour their events only there.
import { ROOT_CLUSTER } from './cluster-name.ts';

const RESERVED_DOMAINS = ['k8s.io', 'kubernetes.io', 'portcullis.io'];

const within = (group: string, domain: string): boolean => group === domain || group.endsWith(`.${domain}`);

/** Whether `group` belongs to Kubernetes or Portcullis (the bare domains and every subdomain). */
export function isReservedGroup(group: string): boolean {
  return RESERVED_DOMAINS.some((d) => within(group, d));
}

/** Whether `group` is a Portcullis platform group (portcullis.io and its subdomains). */
export function isPlatformGroup(group: string): boolean {
  return within(group, 'portcullis.io');
}

/**
 * Why `cluster` may not define custom resources in `group`, or undefined when it may. Tenant clusters may use no
 * reserved group; root may define *.k8s.io / *.kubernetes.io APIs (e.g. Gateway API) but never platform groups,
 * whose objects the platform's controllers would read as its own.
 */
export function reservedGroupProblem(cluster: string, group: string): string | undefined {
  if (isPlatformGroup(group)) {
    return `group "${group}" is reserved for Portcullis' platform APIs: custom resources cannot use portcullis.io or its subdomains`;
  }
  if (cluster !== ROOT_CLUSTER && isReservedGroup(group)) {
    return `group "${group}" is reserved for Kubernetes APIs: tenant clusters cannot define custom resources in k8s.io, `
      + 'kubernetes.io or their subdomains (use a domain of your own, e.g. widgets.example.com)';
  }
  return undefined;
}
