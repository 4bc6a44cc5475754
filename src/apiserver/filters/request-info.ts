// Parses the (cluster-relative) path and method into a RequestInfo, as k8s.io/apiserver's RequestInfoFactory does.
import type { Filter, RequestInfo } from '../context.ts';
import { badRequest } from '../errors.ts';
import { goQueryBool } from '../query.ts';

/** One %-encoded path segment, decoded; a malformed escape ("%zz", a cut UTF-8 sequence) is a 400. */
export function decodePathSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL escape in path segment ${JSON.stringify(segment.slice(0, 256))}`);
  }
}

const methodVerbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', GET: 'get', HEAD: 'get', DELETE: 'delete' };

/** `query` may be a function: it is only consulted for collection GETs (watch=true makes them watches). */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams | (() => URLSearchParams)): RequestInfo {
  const parts = path.split('/').filter((p) => p !== '').map(decodePathSegment);
  const nonResource: RequestInfo = {
    isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', apiGroup: '', apiVersion: '',
    namespace: '', resource: '', subresource: '', name: '', parts,
  };
  let rest: string[];
  let apiGroup = '';
  let apiVersion: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    apiVersion = parts[1]; rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiGroup = parts[1]; apiVersion = parts[2]; rest = parts.slice(3);
  } else {
    return nonResource;
  }
  const info: RequestInfo = { ...nonResource, isResourceRequest: true, apiPrefix: parts[0], apiGroup, apiVersion };
  if (rest[0] === 'namespaces') {
    if (rest.length >= 2) {
      info.namespace = rest[1];
      // namespaces/<name> and namespaces/<name>/<subresource> address the namespace itself
      if (rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) rest = rest.slice(2);
      else { info.resource = 'namespaces'; info.name = rest[1]; info.subresource = rest[2] ?? ''; info.namespace = ''; rest = []; }
    }
  }
  if (rest.length > 0) {
    info.resource = rest[0];
    info.name = rest[1] ?? '';
    info.subresource = rest[2] ?? '';
    if (rest.length > 3) info.subresource = rest.slice(2).join('/');
  }
  let verb = methodVerbs[method] ?? method.toLowerCase();
  if (!info.name) {
    if (verb === 'get') verb = goQueryBool((typeof query === 'function' ? query() : query).get('watch')) ? 'watch' : 'list';
    else if (verb === 'delete') verb = 'deletecollection';
  }
  info.verb = verb;
  return info;
}

export function withRequestInfo(): Filter {
  return (ctx, next) => {
    ctx.info = parseRequestInfo(ctx.req.method ?? 'GET', ctx.path, () => ctx.url.searchParams);
    return next();
  };
}
