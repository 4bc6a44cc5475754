// Printers of batch (Job, CronJob), networking (Ingress, NetworkPolicy, IngressClass), policy, autoscaling,
// scheduling and storage kinds, with the columns Kubernetes 1.32's server-side printers give them.
import type { KObject } from '../storage/interface.ts';
import { ageColumn, column, nameColumn, wide, type Printer, type TableColumnDefinition } from './table-types.ts';
import { ageSince, humanDuration } from './duration.ts';
import { a, containerCells, formatLabelSelector, isObj, labelSelectorString, n, o, s, type J } from './format.ts';

const age = (obj: KObject, now: Date): string => ageSince(obj.metadata.creationTimestamp, now);
const name = (obj: KObject): string => obj.metadata.name ?? '';
const col = (title: string, type = 'string'): TableColumnDefinition => column(title, { type });
/** A printer whose first cell is the name; `cells` gives the rest. */
const printer = (columns: TableColumnDefinition[], cells: (obj: KObject, now: Date) => unknown[]): Printer =>
  ({ columns: [nameColumn(), ...columns], row: (obj, now) => ({ cells: [name(obj), ...cells(obj, now)] }) });
const templateCells = (template: J): [string, string] => containerCells(o(template, 'spec').containers);
const intOrString = (v: unknown, none: string): string => (v === undefined || v === null ? none : String(v));

function jobStatus(status: J, spec: J): string {
  const conditions = a(status.conditions).map((c) => o(c));
  const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (isTrue('Complete')) return 'Complete';
  if (isTrue('Failed')) return 'Failed';
  if (isTrue('FailureTarget')) return 'FailureTarget';
  if (isTrue('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (spec.suspend === true || isTrue('Suspended')) return 'Suspended';
  return 'Running';
}

function jobDuration(status: J, now: Date): string {
  const start = Date.parse(s(status.startTime));
  if (Number.isNaN(start)) return '';
  const end = Date.parse(s(status.completionTime));
  return humanDuration((Number.isNaN(end) ? now.getTime() : end) - start);
}

export const jobPrinter = printer([col('Status'), col('Completions'), col('Duration'), ageColumn(),
  wide('Containers'), wide('Images'), wide('Selector')], (obj, now) => {
  const spec = o(obj, 'spec');
  const status = o(obj, 'status');
  const completions = spec.completions === undefined || spec.completions === null
    ? `${n(status.succeeded)}/1 of ${n(spec.parallelism, 1)}` : `${n(status.succeeded)}/${n(spec.completions)}`;
  const [names, images] = templateCells(o(spec, 'template'));
  return [jobStatus(status, spec), completions, jobDuration(status, now), age(obj, now), names, images,
    formatLabelSelector(spec.selector)];
});

export const cronJobPrinter = printer([col('Schedule'), col('Timezone'), col('Suspend'), col('Active', 'integer'),
  col('Last Schedule'), ageColumn(), wide('Containers'), wide('Images'), wide('Selector')], (obj, now) => {
  const spec = o(obj, 'spec');
  const status = o(obj, 'status');
  const jobSpec = o(spec, 'jobTemplate', 'spec');
  const [names, images] = templateCells(o(jobSpec, 'template'));
  const last = status.lastScheduleTime ? ageSince(status.lastScheduleTime, now) : '<none>';
  return [s(spec.schedule), s(spec.timeZone) || '<none>', spec.suspend === true ? 'True' : 'False', a(status.active).length,
    last, age(obj, now), names, images, formatLabelSelector(jobSpec.selector)];
});

function loadBalancerAddresses(status: J): string {
  const list = a(o(status, 'loadBalancer').ingress).map((i) => o(i)).map((i) => s(i.ip) || s(i.hostname)).filter(Boolean);
  return list.join(',');
}

export const ingressPrinter = printer([col('Class'), col('Hosts'), col('Address'), col('Ports'), ageColumn()], (obj, now) => {
  const spec = o(obj, 'spec');
  const hosts = a(spec.rules).map((r) => s(o(r).host) || '*');
  return [s(spec.ingressClassName) || '<none>', hosts.length ? hosts.join(',') : '*', loadBalancerAddresses(o(obj, 'status')),
    a(spec.tls).length > 0 ? '80, 443' : '80', age(obj, now)];
});

export const ingressClassPrinter = printer([col('Controller'), col('Parameters'), ageColumn()], (obj, now) => {
  const spec = o(obj, 'spec');
  const p = isObj(spec.parameters) ? spec.parameters : undefined;
  const params = p ? `${s(p.apiGroup) ? `${s(p.kind)}.${s(p.apiGroup)}` : s(p.kind)}/${s(p.name)}` : '<none>';
  return [s(spec.controller), params, age(obj, now)];
});

export const networkPolicyPrinter = printer([col('Pod-Selector'), ageColumn()], (obj, now) =>
  [labelSelectorString(o(obj, 'spec').podSelector) || '<none>', age(obj, now)]);

export const pdbPrinter = printer([col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 'integer'),
  ageColumn()], (obj, now) => {
  const spec = o(obj, 'spec');
  return [intOrString(spec.minAvailable, 'N/A'), intOrString(spec.maxUnavailable, 'N/A'),
    n(o(obj, 'status').disruptionsAllowed), age(obj, now)];
});

/** The Targets cell: "cpu: <unknown>/80%" per metric (autoscaling/v2), or the v1 CPU target. */
function hpaTargets(obj: KObject): string {
  const spec = o(obj, 'spec');
  if (spec.targetCPUUtilizationPercentage !== undefined) return `cpu: <unknown>/${n(spec.targetCPUUtilizationPercentage)}%`;
  const parts = a(spec.metrics).map((m) => o(m)).map((m) => {
    const src = o(m, s(m.type).charAt(0).toLowerCase() + s(m.type).slice(1));
    const target = o(src, 'target');
    const what = s(src.name) || s(o(src, 'metric').name) || s(m.type).toLowerCase();
    const value = target.averageUtilization !== undefined ? `${n(target.averageUtilization)}%`
      : String(target.averageValue ?? target.value ?? '<unset>');
    return `${what}: <unknown>/${value}`;
  });
  return parts.length ? parts.join(', ') : '<none>';
}

export const hpaPrinter = printer([col('Reference'), col('Targets'), col('MinPods', 'integer'), col('MaxPods', 'integer'),
  col('Replicas', 'integer'), ageColumn()], (obj, now) => {
  const spec = o(obj, 'spec');
  const ref = o(spec, 'scaleTargetRef');
  return [`${s(ref.kind)}/${s(ref.name)}`, hpaTargets(obj), spec.minReplicas === undefined ? '<unset>' : n(spec.minReplicas),
    n(spec.maxReplicas), n(o(obj, 'status').currentReplicas), age(obj, now)];
});

export const priorityClassPrinter = printer([col('Value', 'integer'), col('Global-Default', 'boolean'), ageColumn(),
  col('PreemptionPolicy')], (obj, now) => [n(obj.value), obj.globalDefault === true, age(obj, now), s(obj.preemptionPolicy)]);

export const storageClassPrinter: Printer = {
  columns: [nameColumn(), col('Provisioner'), col('ReclaimPolicy'), col('VolumeBindingMode'), col('AllowVolumeExpansion', 'boolean'), ageColumn()],
  row(obj, now) {
    const isDefault = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class']
      .some((k) => obj.metadata.annotations?.[k] === 'true');
    return { cells: [`${name(obj)}${isDefault ? ' (default)' : ''}`, s(obj.provisioner), s(obj.reclaimPolicy) || 'Delete',
      s(obj.volumeBindingMode) || 'Immediate', obj.allowVolumeExpansion === true, age(obj, now)] };
  },
};

function quotaCells(status: J, prefix: (k: string) => boolean): string {
  const hard = o(status, 'hard');
  const used = o(status, 'used');
  return Object.keys(hard).filter(prefix).sort().map((k) => `${k}: ${String(used[k] ?? 0)}/${String(hard[k])}`).join(', ');
}

export const resourceQuotaPrinter = printer([ageColumn(), col('Request'), col('Limit')], (obj, now) => {
  const status = o(obj, 'status');
  return [age(obj, now), quotaCells(status, (k) => !k.startsWith('limits.')), quotaCells(status, (k) => k.startsWith('limits.'))];
});

export const replicationControllerPrinter = printer([col('Desired', 'integer'), col('Current', 'integer'),
  col('Ready', 'integer'), ageColumn(), wide('Containers'), wide('Images'), wide('Selector')], (obj, now) => {
  const spec = o(obj, 'spec');
  const status = o(obj, 'status');
  const [names, images] = templateCells(o(spec, 'template'));
  const selector = Object.entries(o(spec, 'selector')).map(([k, v]) => `${k}=${String(v)}`).sort().join(',');
  return [n(spec.replicas, 1), n(status.replicas), n(status.readyReplicas), age(obj, now), names, images, selector || '<none>'];
});

export const leasePrinter = printer([col('Holder'), ageColumn()], (obj, now) => [s(o(obj, 'spec').holderIdentity), age(obj, now)]);

export const endpointSlicePrinter = printer([col('AddressType'), col('Ports'), col('Endpoints'), ageColumn()], (obj, now) => {
  const ports = a(obj.ports).map((p) => o(p).port).filter((p) => p !== undefined).map(String);
  const addresses = a(obj.endpoints).flatMap((e) => a(o(e).addresses).map(String));
  const shown = addresses.length > 3 ? `${addresses.slice(0, 3).join(',')} + ${addresses.length - 3} more...` : addresses.join(',');
  return [s(obj.addressType), ports.length ? ports.join(',') : '<unset>', shown || '<unset>', age(obj, now)];
});

export const runtimeClassPrinter = printer([col('Handler'), ageColumn()], (obj, now) => [s(obj.handler), age(obj, now)]);

export const csrPrinter = printer([ageColumn(), col('SignerName'), col('Requestor'), col('RequestedDuration'), col('Condition')],
  (obj, now) => {
    const spec = o(obj, 'spec');
    const conditions = a(o(obj, 'status').conditions).map((c) => s(o(c).type)).filter(Boolean);
    const seconds = spec.expirationSeconds;
    return [age(obj, now), s(spec.signerName), s(spec.username),
      typeof seconds === 'number' ? humanDuration(seconds * 1000) : '<none>', conditions.length ? conditions.join(',') : 'Pending'];
  });

export const webhookConfigurationPrinter = printer([col('Webhooks', 'integer'), ageColumn()], (obj, now) => [a(obj.webhooks).length, age(obj, now)]);

export const controllerRevisionPrinter = printer([col('Controller'), col('Revision', 'integer'), ageColumn()], (obj, now) => {
  const owner = a(obj.metadata.ownerReferences).map((r) => o(r)).find((r) => r.controller === true);
  const controller = owner ? `${s(owner.kind).toLowerCase()}.${s(owner.apiVersion).split('/')[0]}/${s(owner.name)}` : '<none>';
  return [controller, n(obj.revision), age(obj, now)];
});
