// Feeds the platform state from the shared informer (the five platform kinds, in root only). Registered before
// any feature's handlers, so every handler sees the state with the event applied.
import type { Informer, InformerEvent, InformerHandler } from '../../apiserver/controllers/informer.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import type { PlatformState } from './state.ts';
import { GROUP } from './types.ts';

const KINDS = ['users', 'teams', 'projects', 'tenantclusters', 'tenantclustertemplates'] as const;

/** The handler, called only for events in root. */
export const inRoot = (f: InformerHandler): InformerHandler => (ev: InformerEvent) => { if (ev.cluster === ROOT_CLUSTER) f(ev); };

export function watchPlatformObjects(informer: Informer, state: PlatformState): void {
  for (const kind of KINDS) informer.on(GROUP, kind, inRoot((ev) => state.apply(kind, ev)));
}

/**
 * A live MODIFIED event of an object whose spec the controller has seen and that is not being deleted: its status
 * caught up with its generation (`status.observedGeneration`), so the change is a status write (or metadata
 * without meaning to the controllers). Spec edits bump the generation and deletions set deletionTimestamp, so
 * those always pass; so do ADDED, DELETED and replayed events.
 */
export function statusWrite(ev: InformerEvent): boolean {
  if (ev.type !== 'MODIFIED' || ev.replay) return false;
  const o = ev.object;
  const observed = (o.status as { observedGeneration?: number } | undefined)?.observedGeneration;
  return !o.metadata.deletionTimestamp && observed !== undefined && observed === o.metadata.generation;
}
