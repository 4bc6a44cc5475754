// The last filter: a request to an unknown logical cluster that got this far (authorized there, which only
// system:masters and root-wide authorizers can be) learns that the cluster does not exist.
import type { Filter } from '../context.ts';
import { clusterNotFound } from './logical-cluster.ts';

export function withClusterExists(): Filter {
  return (ctx, next) => {
    if (ctx.clusterMissing) throw clusterNotFound(ctx.cluster ?? '');
    return next();
  };
}
