// Logical cluster naming: the built-in management cluster `root` and the rule every cluster name follows
// (a lowercase RFC 1123 label), shared by the request path and the LogicalCluster type.
import { dns1123Label } from './registry/validation.ts';

/** The management cluster: exists from the start, addressed by requests without /clusters/<name>. */
export const ROOT_CLUSTER = 'root';

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Whether `name` may name a logical cluster in a request path. */
export function isClusterName(name: string): boolean {
  return NAME.test(name);
}

/** Problems with `name` for a new LogicalCluster (root is built in and cannot be created). */
export function validateClusterName(name: string): string[] {
  return name === ROOT_CLUSTER ? ['"root" is the built-in management cluster and cannot be created'] : dns1123Label(name);
}
