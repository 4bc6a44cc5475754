// Bounded label values for request metrics: kube-apiserver's verb and scope rules; a group/version/resource that
// the catalog does not serve becomes "other" (custom resources of tenant clusters "custom"), so no client can
// create series at will (random paths, subresources, methods). Cluster names only with metricsPerCluster.
import type { RequestContext } from '../apiserver/context.ts';
import type { Catalog } from '../apiserver/registry/catalog.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';

export interface RequestLabels {
  verb: string; dry_run: string; group: string; version: string; resource: string; subresource: string; scope: string;
  component: string; cluster?: string;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const VERBS: Record<string, string> = {
  get: 'GET', list: 'LIST', watch: 'WATCH', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE',
  deletecollection: 'DELETE',
};

function method(ctx: RequestContext): string {
  const m = ctx.req.method ?? '';
  return METHODS.has(m) ? m : 'OTHER';
}

/** The verb as kube-apiserver reports it (LIST, WATCH, APPLY for server-side apply, the HTTP method otherwise). */
export function reportedVerb(ctx: RequestContext): string {
  const info = ctx.info;
  if (!info?.isResourceRequest) return method(ctx);
  const v = VERBS[info.verb] ?? method(ctx);
  if (v === 'PATCH' && String(ctx.req.headers['content-type'] ?? '').startsWith('application/apply-patch')) return 'APPLY';
  return v;
}

export function createLabeler(catalog: Catalog, perCluster: boolean): (ctx: RequestContext) => RequestLabels {
  return (ctx) => {
    const info = ctx.info;
    const verb = reportedVerb(ctx);
    const raw = ctx.req.url ?? '';
    const dryRun = raw.includes('dryRun') && ctx.url.searchParams.get('dryRun') === 'All' ? 'All' : '';
    const out: RequestLabels = { verb, dry_run: dryRun, group: '', version: '', resource: '', subresource: '', scope: '', component: 'apiserver' };
    if (perCluster) out.cluster = ctx.cluster ?? '';
    if (!info?.isResourceRequest) return out;
    const cluster = perCluster ? ctx.cluster ?? ROOT_CLUSTER : ROOT_CLUSTER;
    const t = catalog.lookup(cluster, info.apiGroup, info.apiVersion, info.resource);
    if (t && (!t.custom || perCluster)) {
      out.group = info.apiGroup; out.version = info.apiVersion; out.resource = info.resource;
      out.subresource = !info.subresource || t.subresources.some((s) => s.name === info.subresource) ? info.subresource : 'other';
    } else {
      const custom = ctx.cluster !== undefined && catalog.lookup(ctx.cluster, info.apiGroup, info.apiVersion, info.resource)?.custom;
      out.group = out.version = out.resource = custom ? 'custom' : 'other';
      out.subresource = info.subresource ? 'other' : '';
    }
    out.scope = info.name || verb === 'POST' ? 'resource' : info.namespace ? 'namespace' : 'cluster';
    return out;
  };
}

/** The kind a watch is for (apiserver_registered_watchers), bounded as the resource label is. */
export function createKindOf(catalog: Catalog, perCluster: boolean): (ctx: RequestContext) => string {
  return (ctx) => {
    const info = ctx.info;
    if (!info) return '';
    const t = catalog.lookup(perCluster ? ctx.cluster ?? ROOT_CLUSTER : ROOT_CLUSTER, info.apiGroup, info.apiVersion, info.resource);
    return t && (!t.custom || perCluster) ? t.kind : 'other';
  };
}

/** One string per label combination (the cache key of prom-client children). */
export function labelKey(l: RequestLabels): string {
  return `${l.verb}|${l.dry_run}|${l.group}|${l.version}|${l.resource}|${l.subresource}|${l.scope}|${l.cluster ?? ''}`;
}

/** Credential kind of a successful authentication, from the authenticator's reason (a fixed set). */
export function credentialKindOf(reason: string | undefined): string {
  if (!reason) return 'other';
  if (reason.startsWith('x509:')) return 'certificate';
  if (reason.startsWith('serviceaccount token')) return 'serviceaccount-token';
  if (reason.startsWith('platform token')) return 'token';
  if (reason.startsWith('ID token')) return 'id-token';
  if (reason.startsWith('console session')) return 'session';
  if (reason.startsWith('access key')) return 'access-key';
  return 'other';
}

/** Credential kind a failed request presented, from its shape only (never its value). */
export function presentedKindOf(ctx: RequestContext): string {
  const auth = ctx.req.headers.authorization;
  if (typeof auth === 'string' && /^bearer /i.test(auth)) {
    const token = auth.slice(7).trim();
    if (token.startsWith('pcak_')) return 'access-key';
    return token.split('.').length === 3 ? 'token' : 'other';
  }
  if (auth) return 'other';
  return String(ctx.req.headers.cookie ?? '').includes('portcullis-session') ? 'session' : 'certificate';
}
