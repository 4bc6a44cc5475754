// The Pod printer (NAME READY STATUS RESTARTS AGE + wide IP NODE NOMINATED NODE READINESS GATES), following
// Kubernetes' printPod: init/sidecar containers, waiting/terminated reasons, restarts with "(Xm ago)".
import type { KObject } from '../storage/interface.ts';
import { ageColumn, column, nameColumn, wide, type Printer, type TableRowCondition } from './table-types.ts';
import { ageSince } from './duration.ts';
import { a, n, o, s, type J } from './format.ts';

const SUCCEEDED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

const isSidecar = (c: J | undefined): boolean => c?.restartPolicy === 'Always';
const hasCondition = (pod: KObject, type: string): boolean =>
  a(o(pod, 'status').conditions).some((c) => o(c).type === type && o(c).status === 'True');

/** Latest of the current value and a container's lastState.terminated.finishedAt (epoch ms; 0 = none). */
function laterRestart(current: number, status: J): number {
  const finished = Date.parse(s(o(status, 'lastState', 'terminated').finishedAt));
  return Number.isNaN(finished) ? current : Math.max(current, finished);
}

function terminatedReason(t: J, prefix: string): string {
  if (s(t.reason)) return prefix + s(t.reason);
  return n(t.signal) !== 0 ? `${prefix}Signal:${n(t.signal)}` : `${prefix}ExitCode:${n(t.exitCode)}`;
}

export const podPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', { description: 'The aggregate readiness state of this pod for accepting traffic.' }),
    column('Status', { description: 'The aggregate status of the containers in this pod.' }),
    column('Restarts', { description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.' }),
    ageColumn(),
    wide('IP', 'IP address allocated to the pod.'), wide('Node', 'NodeName of the node the pod is scheduled on.'),
    wide('Nominated Node', 'nominatedNodeName of the pod.'), wide('Readiness Gates', 'Readiness gates of the pod.'),
  ],
  row(pod, now) {
    const spec = o(pod, 'spec');
    const status = o(pod, 'status');
    const phase = s(status.phase);
    let reason = s(status.reason) || phase;
    for (const c of a(status.conditions)) {
      if (o(c).type === 'PodScheduled' && o(c).reason === 'SchedulingGated') reason = 'SchedulingGated';
    }
    const initSpecs = new Map(a(spec.initContainers).map((c) => [s(o(c).name), o(c)]));
    const total = a(spec.containers).length + [...initSpecs.values()].filter(isSidecar).length;
    let ready = 0;
    let restarts = 0;
    let sidecarRestarts = 0;
    let lastRestart = 0;
    let lastSidecarRestart = 0;
    let initializing = false;
    const initStatuses = a(status.initContainerStatuses).map((c) => o(c));
    for (let i = 0; i < initStatuses.length; i++) {
      const c = initStatuses[i];
      const sidecar = isSidecar(initSpecs.get(s(c.name)));
      restarts += n(c.restartCount);
      lastRestart = laterRestart(lastRestart, c);
      if (sidecar) { sidecarRestarts += n(c.restartCount); lastSidecarRestart = laterRestart(lastSidecarRestart, c); }
      const terminated = o(c, 'state', 'terminated');
      const hasTerminated = Object.keys(o(c, 'state')).includes('terminated');
      const waiting = o(c, 'state', 'waiting');
      if (hasTerminated && n(terminated.exitCode) === 0) continue;
      if (sidecar && c.started === true) { if (c.ready === true) ready++; continue; }
      if (hasTerminated) reason = terminatedReason(terminated, 'Init:');
      else if (s(waiting.reason) && waiting.reason !== 'PodInitializing') reason = `Init:${s(waiting.reason)}`;
      else reason = `Init:${i}/${initSpecs.size}`;
      initializing = true;
      break;
    }
    if (!initializing || hasCondition(pod, 'Initialized')) {
      restarts = sidecarRestarts;
      lastRestart = lastSidecarRestart;
      let hasRunning = false;
      const statuses = a(status.containerStatuses).map((c) => o(c));
      for (let i = statuses.length - 1; i >= 0; i--) {
        const c = statuses[i];
        const state = o(c, 'state');
        restarts += n(c.restartCount);
        lastRestart = laterRestart(lastRestart, c);
        if (s(o(state, 'waiting').reason)) reason = s(o(state, 'waiting').reason);
        else if ('terminated' in state) reason = terminatedReason(o(state, 'terminated'), '');
        else if (c.ready === true && 'running' in state) { hasRunning = true; ready++; }
      }
      if (reason === 'Completed' && hasRunning) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
    }
    if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
    else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

    const restartsCell = lastRestart > 0
      ? `${restarts} (${ageSince(new Date(lastRestart).toISOString(), now)} ago)` : String(restarts);
    const ip = s(o(a(status.podIPs)[0]).ip) || s(status.podIP) || '<none>';
    const gates = a(spec.readinessGates).map((g) => s(o(g).conditionType));
    const gatesCell = gates.length === 0 ? '<none>'
      : `${gates.filter((g) => hasCondition(pod, g)).length}/${gates.length}`;
    return {
      cells: [pod.metadata.name ?? '', `${ready}/${total}`, reason, restartsCell, ageSince(pod.metadata.creationTimestamp, now),
        ip, s(spec.nodeName) || '<none>', s(status.nominatedNodeName) || '<none>', gatesCell],
      ...(phase === 'Succeeded' ? { conditions: SUCCEEDED } : phase === 'Failed' ? { conditions: FAILED } : {}),
    };
  },
};
