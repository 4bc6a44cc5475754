// POST: create an object (201), or run a create-only virtual API such as SubjectAccessReview.
import type { RequestContext } from '../context.ts';
import { infoFrom } from '../context.ts';
import type { ResourceType } from '../registry/types.ts';
import { decodeObject, readBody } from '../codec/body.ts';
import type { HandlerDeps } from './deps.ts';
import { present, warningHeaders, writeJson } from './respond.ts';
import { opContext, validateFields } from './write-options.ts';

export async function handleCreate(ctx: RequestContext, t: ResourceType, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const body = await decodeObject(await readBody(ctx.req), ctx.req.headers['content-type']);
  if (t.virtualCreate) {
    writeJson(ctx, 201, await t.virtualCreate(ctx, body, info.namespace));
    return;
  }
  const warnings = validateFields(ctx, t, body);
  const created = await deps.store.create(opContext(ctx), t, info.namespace, body);
  writeJson(ctx, 201, present(t, created), warningHeaders(warnings));
}
