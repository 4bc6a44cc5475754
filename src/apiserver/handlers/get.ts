// GET of one object (and of a status subresource), as JSON or as a one-row Table.
import type { RequestContext } from '../context.ts';
import { clusterFrom, infoFrom } from '../context.ts';
import type { ResourceType } from '../registry/types.ts';
import type { HandlerDeps } from './deps.ts';
import { negotiate, present, writeJson } from './respond.ts';
import { toTable } from '../table/index.ts';

export async function handleGet(ctx: RequestContext, t: ResourceType, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const obj = present(t, await deps.store.read(clusterFrom(ctx), t, info.namespace, info.name));
  const { as, includeObject } = negotiate(ctx);
  if (as === 'table') {
    const table = toTable(t, [obj], { includeObject, now: new Date() });
    table.metadata = { resourceVersion: obj.metadata.resourceVersion };
    writeJson(ctx, 200, table);
    return;
  }
  writeJson(ctx, 200, obj);
}
