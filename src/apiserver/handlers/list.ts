// LIST of a collection with label/field selectors, limit/continue, as a typed List or a Table.
import type { RequestContext } from '../context.ts';
import { clusterFrom, infoFrom } from '../context.ts';
import type { ResourceType } from '../registry/types.ts';
import { groupVersion } from '../registry/types.ts';
import { parseFieldSelector, parseLabelSelector } from '../registry/selectors.ts';
import type { HandlerDeps } from './deps.ts';
import { negotiate, present, toJson, writeJson, writeRaw } from './respond.ts';
import { toTable } from '../table/index.ts';
import { listOptions, wantsPretty } from '../query.ts';

export async function handleList(ctx: RequestContext, t: ResourceType, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const lo = listOptions(ctx.url.searchParams);
  const { labelSelector, fieldSelector } = lo;
  const out = await deps.store.list(clusterFrom(ctx), t, info.namespace, {
    labels: parseLabelSelector(labelSelector ?? null),
    fields: parseFieldSelector(fieldSelector ?? null, t.kind, Boolean(t.custom)),
    limit: lo.limit,
    continueToken: lo.continue,
    selectorKey: labelSelector || fieldSelector ? `${labelSelector ?? ''}\n${fieldSelector ?? ''}` : '',
  });
  const items = t.strategy.present || t.versionView ? out.items.map((o) => present(t, o)) : out.items;
  const metadata: Record<string, unknown> = { resourceVersion: out.resourceVersion };
  if (out.continueToken) metadata.continue = out.continueToken;
  if (out.remaining !== undefined) metadata.remainingItemCount = out.remaining;
  const { as, includeObject } = negotiate(ctx);
  if (as === 'table') {
    const table = toTable(t, [...items], { includeObject, now: new Date() });
    table.metadata = metadata;
    writeJson(ctx, 200, table);
    return;
  }
  if (wantsPretty(ctx)) {
    writeJson(ctx, 200, { kind: t.listKind, apiVersion: groupVersion(t), metadata, items });
    return;
  }
  // Serialise items once, without re-encoding them inside a wrapper object.
  const head = `{"kind":${JSON.stringify(t.listKind)},"apiVersion":${JSON.stringify(groupVersion(t))},"metadata":${JSON.stringify(metadata)},"items":[`;
  writeRaw(ctx, 200, head + items.map((o) => toJson(o)).join(',') + ']}');
}
