// Printers of core/v1 kinds other than Pod (Namespace, Service, ConfigMap, Secret, ServiceAccount, Event,
// Node, PVC, PV, Endpoints) and events.k8s.io/v1 Event, with Kubernetes' columns and cell formats.
import type { KObject } from '../storage/interface.ts';
import { ageColumn, column, nameColumn, wide, type Printer } from './table-types.ts';
import { ageSince } from './duration.ts';
import { a, accessModes, formatLabels, isObj, n, o, s, type J } from './format.ts';

const age = (obj: KObject, now: Date): string => ageSince(obj.metadata.creationTimestamp, now);
const name = (obj: KObject): string => obj.metadata.name ?? '';

export const namespacePrinter: Printer = {
  columns: [nameColumn(), column('Status', { description: 'The status of the namespace' }), ageColumn()],
  row: (obj, now) => ({ cells: [name(obj), s(o(obj, 'status').phase), age(obj, now)] }),
};

export const configMapPrinter: Printer = {
  columns: [nameColumn(), column('Data', { description: 'Data contains the configuration data.' }), ageColumn()],
  row: (obj, now) => ({
    cells: [name(obj), Object.keys(o(obj, 'data')).length + Object.keys(o(obj, 'binaryData')).length, age(obj, now)],
  }),
};

export const secretPrinter: Printer = {
  columns: [nameColumn(), column('Type', { description: 'Used to facilitate programmatic handling of secret data.' }),
    column('Data', { description: 'Data contains the secret data.' }), ageColumn()],
  row: (obj, now) => ({ cells: [name(obj), s(obj.type), Object.keys(o(obj, 'data')).length, age(obj, now)] }),
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn(), column('Secrets', { description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.' }), ageColumn()],
  row: (obj, now) => ({ cells: [name(obj), a(obj.secrets).length, age(obj, now)] }),
};

function externalIP(spec: J, status: J): string {
  const external = a(spec.externalIPs).map(String);
  switch (s(spec.type) || 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set(a(o(status, 'loadBalancer').ingress).map((i) => s(o(i).ip) || s(o(i).hostname)).filter(Boolean))].sort();
      let lbText = lb.join(',');
      if (external.length > 0) return [...(lbText ? lbText.split(',') : []), ...external].join(',');
      if (lbText.length > 16) lbText = `${lbText.slice(0, 13)}...`;
      return lbText || '<pending>';
    }
    case 'ExternalName':
      return s(spec.externalName);
    default:
      return '<unknown>';
  }
}

export const servicePrinter: Printer = {
  columns: [nameColumn(), column('Type', { description: 'type determines how the Service is exposed.' }),
    column('Cluster-IP', { description: 'clusterIP is the IP address of the service.' }),
    column('External-IP', { description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.' }),
    column('Port(s)', { description: 'The list of ports that are exposed by this service.' }), ageColumn(),
    wide('Selector', 'Route service traffic to pods with label keys and values matching this selector.')],
  row(obj, now) {
    const spec = o(obj, 'spec');
    const ports = a(spec.ports).map((p) => {
      const port = o(p);
      const proto = s(port.protocol) || 'TCP';
      return n(port.nodePort) > 0 ? `${n(port.port)}:${n(port.nodePort)}/${proto}` : `${n(port.port)}/${proto}`;
    }).join(',');
    const clusterIP = s(a(spec.clusterIPs)[0]) || s(spec.clusterIP) || '<none>';
    return { cells: [name(obj), s(spec.type) || 'ClusterIP', clusterIP, externalIP(spec, o(obj, 'status')),
      ports || '<none>', age(obj, now), formatLabels(spec.selector)] };
  },
};

/** Core Event columns; events.k8s.io Events are mapped onto the core fields first. */
const eventColumns = [
  column('Last Seen', { description: 'The time at which the most recent occurrence of this event was recorded.' }),
  column('Type', { description: 'Type of this event (Normal, Warning).' }),
  column('Reason', { description: 'This should be a short, machine understandable string.' }),
  column('Object', { description: 'The object that this event is about.' }),
  wide('Subobject', 'The field of the involved object this event is about.'),
  wide('Source', 'The component reporting this event.'),
  column('Message', { description: 'A human-readable description of the status of this operation.' }),
  wide('First Seen', 'The time at which the event was first recorded.'),
  wide('Count', 'The number of times this event has occurred.'),
  column('Name', { priority: 1, format: 'name', description: 'Name of the event.' }),
];

function eventRow(obj: KObject, now: Date): { cells: unknown[] } {
  const since = (t: unknown): string | undefined => (s(t) ? ageSince(t, now) : undefined);
  const first = since(obj.firstTimestamp) ?? since(obj.eventTime) ?? '<unknown>';
  let last = since(obj.lastTimestamp) ?? first;
  let count = n(obj.count);
  if (isObj(obj.series)) { last = since(obj.series.lastObservedTime) ?? '<unknown>'; count = n(obj.series.count); }
  else if (count === 0) count = 1;
  const involved = o(obj, 'involvedObject');
  const kind = s(involved.kind).toLowerCase();
  const target = s(involved.name) ? `${kind}/${s(involved.name)}` : kind;
  const component = s(o(obj, 'source').component) || s(obj.reportingComponent);
  const host = s(o(obj, 'source').host) || s(obj.reportingInstance);
  const source = host ? `${component}, ${host}` : component;
  return { cells: [last, s(obj.type), s(obj.reason), target, s(involved.fieldPath), source, s(obj.message).trim(),
    first, count, name(obj)] };
}

export const eventPrinter: Printer = { columns: eventColumns, row: eventRow };

/** events.k8s.io/v1 Event printed like the core Event it converts to. */
export const eventsV1Printer: Printer = {
  columns: eventColumns,
  row(obj, now) {
    const core: KObject = {
      metadata: obj.metadata, involvedObject: obj.regarding, reason: obj.reason, message: obj.note, type: obj.type,
      firstTimestamp: obj.deprecatedFirstTimestamp, lastTimestamp: obj.deprecatedLastTimestamp,
      count: obj.deprecatedCount, eventTime: obj.eventTime, series: obj.series, source: obj.deprecatedSource,
      reportingComponent: obj.reportingController, reportingInstance: obj.reportingInstance,
    };
    return eventRow(core, now);
  },
};

function nodeRoles(labels: Record<string, string> | undefined): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) {
      roles.add(k.slice('node-role.kubernetes.io/'.length));
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort().join(',') || '<none>';
}

export const nodePrinter: Printer = {
  columns: [nameColumn(), column('Status', { description: 'The status of the node' }),
    column('Roles', { description: 'The roles of the node' }), ageColumn(),
    column('Version', { description: 'Kubelet Version reported by the node.' }),
    wide('Internal-IP'), wide('External-IP'), wide('OS-Image'), wide('Kernel-Version'), wide('Container-Runtime')],
  row(obj, now) {
    const status = o(obj, 'status');
    const ready = a(status.conditions).map((c) => o(c)).filter((c) => c.type === 'Ready').pop();
    const states = ready ? [ready.status === 'True' ? 'Ready' : 'NotReady'] : ['Unknown'];
    if (o(obj, 'spec').unschedulable === true) states.push('SchedulingDisabled');
    const address = (type: string): string =>
      s(a(status.addresses).map((x) => o(x)).find((x) => x.type === type)?.address) || '<none>';
    const info = o(status, 'nodeInfo');
    return { cells: [name(obj), states.join(','), nodeRoles(obj.metadata.labels), age(obj, now), s(info.kubeletVersion),
      address('InternalIP'), address('ExternalIP'), s(info.osImage) || '<unknown>', s(info.kernelVersion) || '<unknown>',
      s(info.containerRuntimeVersion) || '<unknown>'] };
  },
};

const annotation = (obj: KObject, key: string): string | undefined => obj.metadata.annotations?.[key];

export const pvcPrinter: Printer = {
  columns: [nameColumn(), column('Status'), column('Volume'), column('Capacity'), column('Access Modes'),
    column('StorageClass'), column('VolumeAttributesClass'), ageColumn(), wide('VolumeMode')],
  row(obj, now) {
    const spec = o(obj, 'spec');
    const status = o(obj, 'status');
    const bound = s(spec.volumeName) !== '';
    const phase = obj.metadata.deletionTimestamp ? 'Terminating' : s(status.phase);
    const storageClass = annotation(obj, 'volume.beta.kubernetes.io/storage-class')
      ?? (typeof spec.storageClassName === 'string' ? spec.storageClassName : '<unset>');
    const vac = s(status.currentVolumeAttributesClassName) || '<unset>';
    return { cells: [name(obj), phase, s(spec.volumeName), bound ? String(o(status, 'capacity').storage ?? '') : '',
      bound ? accessModes(status.accessModes) : '', storageClass, vac, age(obj, now), s(spec.volumeMode) || '<unset>'] };
  },
};

export const pvPrinter: Printer = {
  columns: [nameColumn(), column('Capacity'), column('Access Modes'), column('Reclaim Policy'), column('Status'),
    column('Claim'), column('StorageClass'), column('VolumeAttributesClass'), column('Reason'), ageColumn(),
    wide('VolumeMode')],
  row(obj, now) {
    const spec = o(obj, 'spec');
    const claim = isObj(spec.claimRef) ? `${s(spec.claimRef.namespace)}/${s(spec.claimRef.name)}` : '';
    const phase = obj.metadata.deletionTimestamp ? 'Terminating' : s(o(obj, 'status').phase);
    const storageClass = annotation(obj, 'volume.beta.kubernetes.io/storage-class') ?? s(spec.storageClassName);
    return { cells: [name(obj), String(o(spec, 'capacity').storage ?? ''), accessModes(spec.accessModes),
      s(spec.persistentVolumeReclaimPolicy), phase, claim, storageClass, s(spec.volumeAttributesClassName) || '<unset>',
      s(o(obj, 'status').reason), age(obj, now), s(spec.volumeMode) || '<unset>'] };
  },
};

export const endpointsPrinter: Printer = {
  columns: [nameColumn(), column('Endpoints', { description: 'The set of all endpoints is the union of all subsets.' }), ageColumn()],
  row(obj, now) {
    const list: string[] = [];
    let count = 0;
    for (const subset of a(obj.subsets).map((x) => o(x))) {
      const addrs = a(subset.addresses).map((x) => s(o(x).ip));
      const ports = a(subset.ports).map((x) => n(o(x).port));
      const entries = ports.length === 0 ? addrs
        : ports.flatMap((p) => addrs.map((ip) => (ip.includes(':') ? `[${ip}]:${p}` : `${ip}:${p}`)));
      for (const e of entries) { if (list.length < 3) list.push(e); count++; }
    }
    const text = list.length === 0 ? '<none>' : count > 3 ? `${list.join(',')} + ${count - 3} more...` : list.join(',');
    return { cells: [name(obj), text, age(obj, now)] };
  },
};
