// PUT: replace an object (optimistic concurrency via metadata.resourceVersion), its status, or a namespace's finalizers.
import type { RequestContext } from '../context.ts';
import { infoFrom } from '../context.ts';
import type { ResourceType } from '../registry/types.ts';
import { decodeObject, readBody } from '../codec/body.ts';
import type { HandlerDeps } from './deps.ts';
import { present, warningHeaders, writeJson } from './respond.ts';
import { opContext, validateFields } from './write-options.ts';

export async function handleUpdate(ctx: RequestContext, t: ResourceType, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const body = await decodeObject(await readBody(ctx.req), ctx.req.headers['content-type']);
  const warnings = validateFields(ctx, t, body);
  const op = opContext(ctx);
  const finalize = info.subresource === 'finalize' && t.group === '' && t.resource === 'namespaces';
  const { object, created } = await deps.store.update(op, t, info.namespace, info.name, (current) => {
    if (!finalize || !current) return body;
    const spec = (body.spec ?? {}) as { finalizers?: string[] };
    return { ...current, spec: { ...(current.spec as object), finalizers: spec.finalizers ?? [] }, metadata: { ...current.metadata, resourceVersion: body.metadata.resourceVersion } };
  }, { allowCreate: false });
  writeJson(ctx, created ? 201 : 200, present(t, object), warningHeaders(warnings));
}
