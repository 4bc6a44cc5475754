// DELETE of one object (finalizers and propagationPolicy honoured) and of a whole collection.
import type { RequestContext } from '../context.ts';
import { clusterFrom, infoFrom } from '../context.ts';
import { badRequest, successStatus } from '../errors.ts';
import type { ResourceType } from '../registry/types.ts';
import type { DeleteOptions } from '../registry/store.ts';
import { parseFieldSelector, parseLabelSelector } from '../registry/selectors.ts';
import { mediaType, parseJson, parseYamlBody, readBody } from '../codec/body.ts';
import { decodeProtobuf } from '../codec/protobuf.ts';
import type { HandlerDeps } from './deps.ts';
import { present, writeJson } from './respond.ts';
import { opContext } from './write-options.ts';

const POLICIES = ['Foreground', 'Background', 'Orphan'];

async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const buf = await readBody(ctx.req);
  let body: Record<string, unknown> = {};
  if (buf.length > 0) {
    const mt = mediaType(ctx.req.headers['content-type']);
    const v = mt === 'application/vnd.kubernetes.protobuf' ? decodeProtobuf(buf) : mt.includes('yaml') ? parseYamlBody(buf) : parseJson(buf, 'DeleteOptions');
    if (!v || typeof v !== 'object') throw badRequest('DeleteOptions must be an object');
    body = v as Record<string, unknown>;
  }
  const q = ctx.url.searchParams;
  let policy = (body.propagationPolicy as string | undefined) ?? q.get('propagationPolicy') ?? undefined;
  if (body.orphanDependents === true || q.get('orphanDependents') === 'true') policy ??= 'Orphan';
  if (policy !== undefined && !POLICIES.includes(policy)) {
    throw badRequest(`propagationPolicy must be one of ${POLICIES.join(', ')} (got "${policy}")`);
  }
  return {
    propagationPolicy: policy as DeleteOptions['propagationPolicy'],
    preconditions: body.preconditions as DeleteOptions['preconditions'],
  };
}

export async function handleDelete(ctx: RequestContext, t: ResourceType, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const opts = await deleteOptions(ctx);
  const { object, deleted } = await deps.store.delete(opContext(ctx), t, info.namespace, info.name, opts);
  if (!deleted || (t.group === '' && t.resource === 'namespaces')) {
    writeJson(ctx, 200, present(t, object));
    return;
  }
  writeJson(ctx, 200, successStatus({ name: info.name, group: t.group, kind: t.resource, uid: object.metadata.uid }));
}

export async function handleDeleteCollection(ctx: RequestContext, t: ResourceType, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const opts = await deleteOptions(ctx);
  const q = ctx.url.searchParams;
  const list = await deps.store.list(clusterFrom(ctx), t, info.namespace, {
    labels: parseLabelSelector(q.get('labelSelector')),
    fields: parseFieldSelector(q.get('fieldSelector'), t.kind, Boolean(t.custom)),
  });
  const op = opContext(ctx);
  for (const o of list.items) {
    try {
      await deps.store.delete(op, t, o.metadata.namespace ?? '', o.metadata.name!, { propagationPolicy: opts.propagationPolicy });
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  writeJson(ctx, 200, successStatus());
}
