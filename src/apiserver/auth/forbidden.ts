// Builds Kubernetes' 403 wording: `pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "y"`.
import type { Attributes } from './types.ts';
import type { StatusDetails } from '../errors.ts';

export function forbiddenMessage(a: Attributes, reason: string): { message: string; details?: StatusDetails } {
  const who = `User "${a.user.username}"`;
  const why = reason ? `: ${reason}` : '';
  if (!a.isResourceRequest) {
    return { message: `forbidden: ${who} cannot ${a.verb} path "${a.path}"${why}` };
  }
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.apiGroup ? `${resource}.${a.apiGroup}` : resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  let msg = `${subject} is forbidden: ${who} cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}"`;
  msg += a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return { message: msg + why, details: { name: a.name || undefined, group: a.apiGroup, kind: a.resource } };
}
