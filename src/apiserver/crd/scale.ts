// The scale subresource of custom resources (autoscaling/v1 Scale): replicas read from and written to the
// CRD's specReplicasPath, status replicas and selector from statusReplicasPath / labelSelectorPath.
import type { RequestContext } from '../context.ts';
import { clusterFrom, infoFrom } from '../context.ts';
import { badRequest, invalid, unsupportedMediaType } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import type { ResourceType, SubresourceHandler } from '../registry/types.ts';
import type { Store } from '../registry/store.ts';
import { mediaType, parseJson, readBody } from '../codec/body.ts';
import { applyJsonPatch } from '../patch/json-patch.ts';
import { applyMergePatch } from '../patch/merge-patch.ts';
import { opContext } from '../handlers/write-options.ts';
import { isObject } from './json-schema.ts';

export interface ScaleSpec { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string }

const segments = (p: string): string[] => p.replace(/^\./, '').split('.').filter(Boolean);

function getPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const s of segments(path)) { if (!isObject(v)) return undefined; v = v[s]; }
  return v;
}
function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = segments(path);
  let v = obj;
  for (const s of parts.slice(0, -1)) {
    if (!isObject(v[s])) v[s] = {};
    v = v[s] as Record<string, unknown>;
  }
  v[parts[parts.length - 1]] = value;
}

function toScale(obj: KObject, spec: ScaleSpec): KObject {
  const replicas = getPath(obj, spec.specReplicasPath);
  const statusReplicas = getPath(obj, spec.statusReplicasPath);
  const selector = spec.labelSelectorPath ? getPath(obj, spec.labelSelectorPath) : undefined;
  const m = obj.metadata;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, ...(typeof selector === 'string' ? { selector } : {}) },
  };
}

/** The /scale subresource handler for a custom resource type (it reads its own body: PUT or PATCH). */
export function scaleSubresource(spec: ScaleSpec, store: () => Store | undefined, typeOf: () => ResourceType): SubresourceHandler {
  return {
    name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'], readsBody: true,
    async handle(ctx: RequestContext, parent: KObject) {
      const t = typeOf();
      const info = infoFrom(ctx);
      if (info.verb === 'get') return { code: 200, object: toScale(parent, spec) };
      const s = store();
      if (!s) throw badRequest('scale is not available');
      const buf = await readBody(ctx.req);
      const mt = mediaType(ctx.req.headers['content-type']);
      const body = parseJson(buf, info.verb === 'patch' ? 'patch body' : 'Scale');
      const { object } = await s.update({ ...opContext(ctx), subresource: 'scale' }, t, info.namespace, info.name, (current) => {
        if (!current) throw badRequest('the object to scale does not exist');
        let scale: KObject;
        if (info.verb === 'update') scale = body as KObject;
        else if (mt === 'application/json-patch+json') scale = applyJsonPatch(toScale(current, spec), body as unknown[]);
        else if (mt === 'application/merge-patch+json' || mt === 'application/strategic-merge-patch+json') {
          scale = applyMergePatch(toScale(current, spec), body as Record<string, unknown>);
        } else throw unsupportedMediaType(mt);
        const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
        if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
          throw invalid('Scale', 'autoscaling', info.name, [{ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` }]);
        }
        const next = structuredClone(current);
        setPath(next as unknown as Record<string, unknown>, spec.specReplicasPath, replicas);
        const rv = scale.metadata?.resourceVersion;
        next.metadata.resourceVersion = rv || undefined;
        return next;
      });
      void clusterFrom(ctx);
      return { code: 200, object: toScale(object, spec) };
    },
  };
}
