// Routes a resource request to the generic verb handler for its type (or to a subresource handler).
import type { RequestContext } from '../context.ts';
import { clusterFrom, infoFrom } from '../context.ts';
import { methodNotSupported, routeNotFound } from '../errors.ts';
import type { ResourceType } from '../registry/types.ts';
import type { HandlerDeps } from './deps.ts';
import { handleGet } from './get.ts';
import { handleList } from './list.ts';
import { handleWatch } from './watch.ts';
import { handleCreate } from './create.ts';
import { handleUpdate } from './update.ts';
import { handlePatch } from './patch.ts';
import { handleDelete, handleDeleteCollection } from './delete.ts';
import { decodeObject, readBody } from '../codec/body.ts';
import { writeJson } from './respond.ts';

type VerbHandler = (ctx: RequestContext, t: ResourceType, deps: HandlerDeps) => Promise<void>;
const VERBS: Record<string, VerbHandler> = {
  get: handleGet, list: handleList, watch: handleWatch, create: handleCreate, update: handleUpdate,
  patch: handlePatch, delete: handleDelete, deletecollection: handleDeleteCollection,
};

/** Finds the served type for a request, or throws the 404 kubectl expects. */
export function resolveType(ctx: RequestContext, deps: HandlerDeps): ResourceType {
  const info = infoFrom(ctx);
  const t = deps.catalog.lookup(clusterFrom(ctx), info.apiGroup, info.apiVersion, info.resource);
  if (!t) throw routeNotFound(ctx.path);
  if (t.namespaced === false && info.namespace) throw routeNotFound(ctx.path);
  return t;
}

export async function handleResource(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const t = resolveType(ctx, deps);
  if (t.warning) ctx.warnings.push(t.warning);
  if (info.subresource) {
    const sub = t.subresources.find((s) => s.name === info.subresource)
      ?? (info.subresource === 'finalize' && t.resource === 'namespaces' ? { name: 'finalize', verbs: ['update'] } : undefined);
    if (!sub) throw routeNotFound(ctx.path);
    if (!sub.verbs.includes(info.verb)) throw methodNotSupported({ group: t.group, resource: `${t.resource}/${info.subresource}` }, info.verb);
    if ('handle' in sub && sub.handle) {
      const parent = await deps.store.get(clusterFrom(ctx), t, info.namespace, info.name);
      const body = info.verb === 'get' || sub.readsBody ? undefined : await decodeObject(await readBody(ctx.req), ctx.req.headers['content-type']);
      const out = await sub.handle(ctx, parent, body);
      writeJson(ctx, out.code, out.object);
      return;
    }
    if (info.verb === 'get') return handleGet(ctx, t, deps);
  }
  const verbs = t.virtualCreate ? ['create'] : t.verbs;
  if (!verbs.includes(info.verb) && !(info.verb === 'watch' && verbs.includes('list'))) {
    throw methodNotSupported({ group: t.group, resource: t.resource }, info.verb);
  }
  if (t.namespaced && !info.namespace && ['create', 'get', 'update', 'patch', 'delete'].includes(info.verb) && !t.virtualCreate) {
    throw routeNotFound(ctx.path);
  }
  return VERBS[info.verb](ctx, t, deps);
}
