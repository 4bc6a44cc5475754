// Resolves the logical cluster from /clusters/<name>/..., validates it, and strips the prefix.
// Requests without the prefix address the root cluster. An unknown (well-formed) cluster is not refused here: it is
// marked and answered exactly as an existing cluster the caller may not access (withClusterExists gives its 404 to
// those authorized), so that nobody learns tenant names by probing.
import type { Filter } from '../context.ts';
import { StatusError } from '../errors.ts';
import { ROOT_CLUSTER, isClusterName } from '../cluster-name.ts';
import { decodePathSegment } from './request-info.ts';
import type { ClusterHandle } from '../cluster-handle.ts';

export interface ClusterDirectory {
  /** 'active', 'deleting', or undefined when no such cluster exists. */
  state(name: string): 'active' | 'deleting' | undefined;
  /** Pending while an existing cluster's stored objects are still being replayed at start-up (then awaited). */
  replaying?(name: string): Promise<void> | undefined;
  /** The cluster's handle (cluster-handle.ts), holding its state: one lookup for the whole request path. */
  handle?(name: string): ClusterHandle | undefined;
}

export function withLogicalCluster(clusters: ClusterDirectory): Filter {
  return (ctx, next) => {
    const p = ctx.path;
    let name = ROOT_CLUSTER;
    let rest = p;
    if (p === '/clusters' || p.startsWith('/clusters/')) {
      const end = p.indexOf('/', '/clusters/'.length);
      name = decodePathSegment(end < 0 ? p.slice('/clusters/'.length) : p.slice('/clusters/'.length, end));
      rest = end < 0 ? '/' : p.slice(end);
      if (!isClusterName(name)) {
        throw new StatusError(400, 'BadRequest', `invalid logical cluster name "${name}": must be a lowercase RFC 1123 label (e.g. "team-a")`);
      }
    }
    const h = clusters.handle?.(name);
    if (h !== undefined) {
      // the handle's name is the same text: later lookups by it compare pointers
      name = h.name;
      ctx.handle = h;
    }
    if (!(h !== undefined ? h.state : clusters.state(name))) ctx.clusterMissing = true;
    ctx.cluster = name;
    ctx.path = rest;
    ctx.annotations['portcullis.io/cluster'] = name;
    const replaying = ctx.clusterMissing ? undefined : clusters.replaying?.(name);
    return replaying ? replaying.then(next) : next();
  };
}

/** The 404 for an unknown logical cluster. */
export function clusterNotFound(name: string): StatusError {
  return new StatusError(404, 'NotFound', `logical cluster "${name}" not found`,
    { name, group: 'tenancy.portcullis.io', kind: 'logicalclusters' });
}
