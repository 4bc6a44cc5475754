// PATCH: JSON patch, merge patch, strategic merge patch (built-in kinds) and server-side apply.
import type { RequestContext } from '../context.ts';
import { infoFrom } from '../context.ts';
import { badRequest, unsupportedMediaType } from '../errors.ts';
import type { ResourceType } from '../registry/types.ts';
import type { KObject } from '../storage/interface.ts';
import { mediaType, parseJson, parseYamlBody, readBody } from '../codec/body.ts';
import { applyJsonPatchSliced } from '../patch/json-patch.ts';
import { applyMergePatch } from '../patch/merge-patch.ts';
import { applyStrategicMergePatch, strategicMergeNotSupported, supportsStrategicMerge } from '../patch/strategic-merge.ts';
import { serverSideApply } from '../patch/apply.ts';
import { patchSchemaForType } from '../patch/patch-schema.ts';
import { nowTimestamp } from '../registry/object-meta.ts';
import type { HandlerDeps } from './deps.ts';
import { present, warningHeaders, writeJson } from './respond.ts';
import { opContext, requestWriteOptions, validateFields } from './write-options.ts';
import { checkOptions } from '../query.ts';

type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';
const PATCH_TYPES: Record<string, PatchKind> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export async function handlePatch(ctx: RequestContext, t: ResourceType, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const mt = mediaType(ctx.req.headers['content-type']);
  const kind = PATCH_TYPES[mt];
  if (!kind) throw unsupportedMediaType(mt);
  if (kind === 'strategic' && (t.custom || !supportsStrategicMerge(t.group, t.kind))) {
    throw strategicMergeNotSupported();
  }
  const buf = await readBody(ctx.req);
  const patch = kind === 'apply' ? await parseYamlBody(buf) : parseJson(buf, 'patch body');
  const op = opContext(ctx);
  let warnings: string[] = [];
  const options = requestWriteOptions(ctx);
  const force = options.force;
  if (kind === 'apply') {
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('apply patch must be an object');
    const applied = patch as KObject;
    if (options.fieldManager === undefined) {
      checkOptions('PatchOptions', [{ field: 'fieldManager', message: 'Required value: is required for apply patch', reason: 'FieldValueRequired' }]);
    }
    warnings = validateFields(ctx, t, applied, 'Strict');
  } else if (kind === 'json' ? !Array.isArray(patch) : (!patch || typeof patch !== 'object' || Array.isArray(patch))) {
    throw badRequest(kind === 'json' ? 'JSON patch must be an array of operations' : 'patch must be a JSON object');
  }
  const manager = op.fieldManager!;
  const { object, created } = await deps.store.update({ ...op, fieldManager: kind === 'apply' ? undefined : manager }, t, info.namespace, info.name, async (current) => {
    if (kind === 'apply') {
      const applied = structuredClone(patch as KObject);
      applied.metadata ??= {};
      applied.metadata.name ??= info.name;
      if (info.namespace) applied.metadata.namespace ??= info.namespace;
      return serverSideApply(current, applied, manager, { force, now: nowTimestamp(), schema: patchSchemaForType(t) }).object;
    }
    if (!current) throw new Error('unreachable: patch of a missing object');
    let next: KObject;
    if (kind === 'json') next = await applyJsonPatchSliced(current, patch as unknown[]);
    else if (kind === 'merge') next = applyMergePatch(current, patch as Record<string, unknown>);
    else next = applyStrategicMergePatch(current, patch as Record<string, unknown>, { group: t.group, kind: t.kind });
    warnings = validateFields(ctx, t, next);
    return next;
  }, { allowCreate: kind === 'apply' });
  writeJson(ctx, created ? 201 : 200, present(t, object), warningHeaders(warnings));
}
