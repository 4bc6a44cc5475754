// autoscaling/v1 HorizontalPodAutoscalers are a view of the stored autoscaling/v2 objects, converted as Kubernetes
// converts them: the CPU utilization target maps to a Resource metric; what v1 cannot express (other metrics,
// behavior, conditions) travels in the autoscaling.alpha.kubernetes.io annotations.
import type { KObject } from '../storage/interface.ts';

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const A = 'autoscaling.alpha.kubernetes.io/';
const METRICS = `${A}metrics`, BEHAVIOR = `${A}behavior`, CONDITIONS = `${A}conditions`, CURRENT = `${A}current-metrics`;

const isCpuUtilization = (m: unknown): boolean => isObj(m) && m.type === 'Resource' && isObj(m.resource)
  && m.resource.name === 'cpu' && isObj(m.resource.target) && m.resource.target.type === 'Utilization';
const isCpuCurrent = (m: unknown): boolean => isObj(m) && m.type === 'Resource' && isObj(m.resource) && m.resource.name === 'cpu';
const parse = (s: string | undefined): unknown => { try { return s ? JSON.parse(s) : undefined; } catch { return undefined; } };

function withAnnotations(meta: KObject['metadata'], set: Record<string, unknown>, drop: string[]): KObject['metadata'] {
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}) };
  for (const k of drop) delete annotations[k];
  for (const [k, v] of Object.entries(set)) if (v !== undefined) annotations[k] = JSON.stringify(v);
  const { annotations: _old, ...rest } = meta;
  return Object.keys(annotations).length ? { ...rest, annotations } : rest;
}

/** A stored autoscaling/v2 HPA as autoscaling/v1. */
export function hpaToV1(obj: KObject): KObject {
  const spec = (isObj(obj.spec) ? obj.spec : {}) as J;
  const status = (isObj(obj.status) ? obj.status : undefined) as J | undefined;
  const metrics = Array.isArray(spec.metrics) ? spec.metrics : [];
  const cpu = metrics.find(isCpuUtilization) as { resource: { target: { averageUtilization?: number } } } | undefined;
  const others = metrics.filter((m) => !isCpuUtilization(m));
  const current = Array.isArray(status?.currentMetrics) ? status!.currentMetrics as unknown[] : [];
  const currentCpu = current.find(isCpuCurrent) as { resource: { current?: { averageUtilization?: number } } } | undefined;
  const { metrics: _m, behavior, ...v1spec } = spec;
  if (cpu?.resource.target.averageUtilization !== undefined) v1spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const out: KObject = {
    ...obj, apiVersion: 'autoscaling/v1',
    metadata: withAnnotations(obj.metadata, {
      [METRICS]: others.length ? others : undefined, [BEHAVIOR]: behavior,
      [CONDITIONS]: Array.isArray(status?.conditions) && status!.conditions.length ? status!.conditions : undefined,
      [CURRENT]: current.filter((m) => !isCpuCurrent(m)).length ? current.filter((m) => !isCpuCurrent(m)) : undefined,
    }, []),
    spec: v1spec,
  };
  if (status) {
    const { currentMetrics: _c, conditions: _d, ...v1status } = status;
    const util = currentCpu?.resource.current?.averageUtilization;
    if (util !== undefined) v1status.currentCPUUtilizationPercentage = util;
    out.status = v1status;
  }
  return out;
}

/** An autoscaling/v1 HPA (as a client sends it) in its stored autoscaling/v2 form. */
export function hpaToV2(obj: KObject): KObject {
  const annotations = obj.metadata.annotations ?? {};
  const spec = (isObj(obj.spec) ? obj.spec : {}) as J;
  const { targetCPUUtilizationPercentage: target, ...rest } = spec;
  const metrics = [...(Array.isArray(parse(annotations[METRICS])) ? parse(annotations[METRICS]) as unknown[] : [])];
  if (typeof target === 'number') {
    metrics.unshift({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } });
  }
  const v2spec: J = { ...rest };
  if (metrics.length) v2spec.metrics = metrics;
  const behavior = parse(annotations[BEHAVIOR]);
  if (isObj(behavior)) v2spec.behavior = behavior;
  const out: KObject = {
    ...obj, apiVersion: 'autoscaling/v2',
    metadata: withAnnotations(obj.metadata, {}, [METRICS, BEHAVIOR, CONDITIONS, CURRENT]),
    spec: v2spec,
  };
  if (isObj(obj.status)) {
    const { currentCPUUtilizationPercentage: util, ...status } = obj.status;
    const current = Array.isArray(parse(annotations[CURRENT])) ? parse(annotations[CURRENT]) as unknown[] : [];
    if (typeof util === 'number') current.unshift({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: util } } });
    const v2status: J = { ...status };
    if (current.length) v2status.currentMetrics = current;
    const conditions = parse(annotations[CONDITIONS]);
    if (Array.isArray(conditions)) v2status.conditions = conditions;
    out.status = v2status;
  }
  return out;
}
