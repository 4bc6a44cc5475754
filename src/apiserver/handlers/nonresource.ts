// Non-resource endpoints: /version, health probes, discovery and /openapi/v3.
import type { RequestContext } from '../context.ts';
import { clusterFrom } from '../context.ts';
import { routeNotFound } from '../errors.ts';
import type { HandlerDeps } from './deps.ts';
import { handleDiscovery } from './discovery.ts';
import { writeJson, writeRaw } from './respond.ts';
import { groupVersion } from '../registry/types.ts';
import { openapiV3Document, openapiV3Index, type OpenAPIKind } from '../schema/openapi.ts';
import { schemaForType } from '../schema/index.ts';
import { openapiV2, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ACCEPT } from '../schema/openapi-v2.ts';

export const VERSION_INFO = {
  major: '1', minor: '32', gitVersion: 'v1.32.4-portcullis', gitCommit: 'portcullis', gitTreeState: 'clean',
  buildDate: '2026-11-23T00:00:00Z', goVersion: 'go1.23.0', compiler: 'gc', platform: `${process.platform}/${process.arch}`,
};

export type ReadinessCheck = () => string | undefined;

export async function handleNonResource(ctx: RequestContext, deps: HandlerDeps, ready: ReadinessCheck): Promise<void> {
  const path = ctx.path.replace(/\/+$/, '') || '/';
  if (path === '/version') return writeJson(ctx, 200, VERSION_INFO);
  if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    const problem = path === '/readyz' ? ready() : undefined;
    if (problem) return writeRaw(ctx, 500, `[-]${problem} failed\nreadyz check failed\n`, 'text/plain; charset=utf-8');
    return writeRaw(ctx, 200, 'ok', 'text/plain; charset=utf-8');
  }
  if (handleDiscovery(ctx, deps)) return;
  if (path === '/openapi/v3' || path.startsWith('/openapi/v3/')) return openapi(ctx, deps, path);
  if (path === '/openapi/v2') {
    const doc = openapiV2();
    const accept = String(ctx.req.headers.accept ?? '');
    if (OPENAPI_V2_PROTOBUF_ACCEPT.some((t) => accept.includes(t))) {
      ctx.responseCode = 200;
      ctx.res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF, 'Content-Length': doc.protobuf.length });
      ctx.res.end(doc.protobuf);
      return;
    }
    return writeRaw(ctx, 200, doc.json);
  }
  throw routeNotFound(ctx.path);
}

function openapi(ctx: RequestContext, deps: HandlerDeps, path: string): void {
  const types = deps.catalog.typesFor(clusterFrom(ctx)).filter((t) => !t.virtualCreate);
  const byGv = new Map<string, { group: string; version: string; kinds: OpenAPIKind[] }>();
  for (const t of types) {
    const key = groupVersion(t);
    let e = byGv.get(key);
    if (!e) { e = { group: t.group, version: t.version, kinds: [] }; byGv.set(key, e); }
    e.kinds.push({
      kind: t.kind, resource: t.resource, namespaced: t.namespaced, verbs: t.verbs,
      schema: schemaForType(t) ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    });
  }
  if (path === '/openapi/v3') return writeJson(ctx, 200, openapiV3Index([...byGv.values()]));
  const rest = path.slice('/openapi/v3/'.length);
  const gvKey = rest.startsWith('api/') ? rest.slice(4) : rest.startsWith('apis/') ? rest.slice(5) : '';
  const gv = byGv.get(gvKey);
  if (!gv) throw routeNotFound(ctx.path);
  writeJson(ctx, 200, openapiV3Document(gv, gv.kinds));
}
