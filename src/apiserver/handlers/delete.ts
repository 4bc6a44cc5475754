// DELETE of one object (finalizers and propagationPolicy honoured) and of a whole collection. DeleteOptions come from
// the body when there is one, else from the query — never a mix, as in Kubernetes — and are validated as it does.
import type { RequestContext } from '../context.ts';
import { clusterFrom, infoFrom } from '../context.ts';
import { badRequest, successStatus, type StatusCause } from '../errors.ts';
import type { ResourceType } from '../registry/types.ts';
import type { DeleteOptions } from '../registry/store.ts';
import { parseFieldSelector, parseLabelSelector } from '../registry/selectors.ts';
import { mediaType, parseJson, parseYamlBody, readBody } from '../codec/body.ts';
import { decodeProtobuf } from '../codec/protobuf.ts';
import { checkOptions, dryRunCauses, goQueryBool, listOptions, queryInt } from '../query.ts';
import type { HandlerDeps } from './deps.ts';
import { present, writeJson } from './respond.ts';
import { opContext } from './write-options.ts';

const POLICIES = ['Foreground', 'Background', 'Orphan'];

interface RequestDeleteOptions extends DeleteOptions { dryRun: boolean }

async function deleteOptions(ctx: RequestContext): Promise<RequestDeleteOptions> {
  const buf = await readBody(ctx.req);
  let policy: unknown, orphan: unknown, dryRun: unknown, preconditions: unknown;
  if (buf.length > 0) {
    const mt = mediaType(ctx.req.headers['content-type']);
    const v = mt === 'application/vnd.kubernetes.protobuf' ? decodeProtobuf(buf) : mt.includes('yaml') ? await parseYamlBody(buf) : parseJson(buf, 'DeleteOptions');
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest('DeleteOptions must be an object');
    ({ propagationPolicy: policy, orphanDependents: orphan, dryRun, preconditions } = v as Record<string, unknown>);
    if (dryRun !== undefined && dryRun !== null && (!Array.isArray(dryRun) || dryRun.some((d) => typeof d !== 'string'))) {
      throw badRequest('DeleteOptions.dryRun must be a list of strings');
    }
  } else {
    const q = ctx.url.searchParams;
    policy = q.get('propagationPolicy') ?? undefined;
    orphan = goQueryBool(q.get('orphanDependents'));
    dryRun = q.getAll('dryRun');
    queryInt(q, 'gracePeriodSeconds');
  }
  const dry = (dryRun as string[] | undefined | null) ?? [];
  const causes: StatusCause[] = [];
  if (orphan !== undefined && orphan !== null && policy !== undefined && policy !== null) {
    causes.push({ field: 'propagationPolicy', reason: 'FieldValueInvalid',
      message: `Invalid value: "${String(policy)}": orphanDependents and deletionPropagation cannot be both set` });
  }
  if (policy !== undefined && policy !== null && !POLICIES.includes(String(policy))) {
    causes.push({ field: 'propagationPolicy', reason: 'FieldValueNotSupported',
      message: `Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan", "nil"` });
  }
  causes.push(...dryRunCauses(dry));
  checkOptions('DeleteOptions', causes);
  const propagationPolicy = (policy ?? (orphan === true ? 'Orphan' : undefined)) as DeleteOptions['propagationPolicy'];
  return { propagationPolicy, preconditions: preconditions as DeleteOptions['preconditions'], dryRun: dry.length > 0 };
}

export async function handleDelete(ctx: RequestContext, t: ResourceType, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const opts = await deleteOptions(ctx);
  const { object, deleted } = await deps.store.delete(opContext(ctx, { dryRun: opts.dryRun }), t, info.namespace, info.name, opts);
  if (!deleted || (t.group === '' && t.resource === 'namespaces')) {
    writeJson(ctx, 200, present(t, object));
    return;
  }
  writeJson(ctx, 200, successStatus({ name: info.name, group: t.group, kind: t.resource, uid: object.metadata.uid }));
}

export async function handleDeleteCollection(ctx: RequestContext, t: ResourceType, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const opts = await deleteOptions(ctx);
  const lo = listOptions(ctx.url.searchParams);
  const list = await deps.store.list(clusterFrom(ctx), t, info.namespace, {
    labels: parseLabelSelector(lo.labelSelector ?? null),
    fields: parseFieldSelector(lo.fieldSelector ?? null, t.kind, Boolean(t.custom)),
  });
  const op = opContext(ctx, { dryRun: opts.dryRun });
  for (const o of list.items) {
    try {
      await deps.store.delete(op, t, o.metadata.namespace ?? '', o.metadata.name!, { propagationPolicy: opts.propagationPolicy });
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  writeJson(ctx, 200, successStatus());
}
