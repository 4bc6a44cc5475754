// The admission request of a write (AdmissionReview v1 request, and the `request` variable of policies).
import { randomUUID } from 'node:crypto';
import type { OpContext } from '../apiserver/registry/store.ts';
import { OPERATION, type Attrs } from './matching.ts';

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  requestKind: { group: string; version: string; kind: string };
  requestResource: { group: string; version: string; resource: string };
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: string;
  userInfo: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };
  object: unknown;
  oldObject: unknown;
  dryRun: boolean;
  options: Record<string, unknown>;
}

export function admissionRequest(a: Attrs, ctx: OpContext): AdmissionRequest {
  const kind = { group: a.t.group, version: a.t.version, kind: a.t.kind };
  const resource = { group: a.t.group, version: a.t.version, resource: a.t.resource };
  const optionsKind = a.op === 'create' ? 'CreateOptions' : a.op === 'update' ? 'UpdateOptions' : 'DeleteOptions';
  const options: Record<string, unknown> = { kind: optionsKind, apiVersion: 'meta.k8s.io/v1' };
  if (ctx.fieldManager && a.op !== 'delete') options.fieldManager = ctx.fieldManager;
  if (ctx.dryRun) options.dryRun = ['All'];
  if (a.op === 'delete' && ctx.propagationPolicy) options.propagationPolicy = ctx.propagationPolicy;
  const user = ctx.user ?? { username: '', groups: [] };
  return {
    uid: randomUUID(), kind, resource, requestKind: kind, requestResource: resource,
    ...(a.subresource ? { subResource: a.subresource, requestSubResource: a.subresource } : {}),
    ...(a.name ? { name: a.name } : {}),
    ...(a.namespace ? { namespace: a.namespace } : {}),
    operation: OPERATION[a.op],
    userInfo: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) },
    object: a.obj ?? null,
    oldObject: a.old ?? null,
    dryRun: Boolean(ctx.dryRun),
    options,
  };
}
