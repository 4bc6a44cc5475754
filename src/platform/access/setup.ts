// Wires management access into the server: the access index (platform objects plus the `use` verb in root),
// the management-access gate at the tenant's door, and the /platform/v1 reachability and permissions routes.
import type { ModuleContext } from '../../apiserver/extension.ts';
import type { PlatformState } from '../resources/index.ts';
import { AccessIndex, type BoundInRoot, type RootAuthorizer } from './access-index.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { managementAccessGate } from './management-access-gate.ts';
import { platformRoutes } from './routes.ts';

export interface AccessWiring {
  index: AccessIndex;
  /** Who answers for the `use` verb in root, read at call time (undefined: nobody holds `use`). */
  authorizeInRoot: () => RootAuthorizer | undefined;
}

/** `authorizeInRoot` overrides the default: the server's `rbac` authorizer slot, read at call time. */
export function setupAccess(m: ModuleContext, state: PlatformState, authorizeInRoot?: RootAuthorizer): AccessWiring {
  const slots = m.authorizers;
  const inRoot = (): RootAuthorizer | undefined => authorizeInRoot
    ?? (slots.rbac ? async (a) => (await slots.rbac!.authorize(a)).decision === 'allow' : undefined);
  type Bound = { boundAtClusterScope?: (c: string) => BoundInRoot | undefined };
  const bound = (): BoundInRoot | undefined => (authorizeInRoot ? undefined : (slots.rbac as Bound | undefined)?.boundAtClusterScope?.(ROOT_CLUSTER));
  // who root bindings name changes only with a binding in root: the users' grouping by bound names is kept till then
  let rootBindings = 0;
  for (const resource of ['clusterrolebindings', 'rolebindings']) {
    m.informer.on('rbac.authorization.k8s.io', resource, (ev) => { if (ev.cluster === ROOT_CLUSTER) rootBindings++; });
  }
  const index = new AccessIndex(state, inRoot, bound, () => rootBindings);
  m.gates['management-access'] = managementAccessGate(state, index);
  m.routes.push(...platformRoutes({ store: m.store, state, index, authorize: () => m.runtime.authorize }));
  return { index, authorizeInRoot: inRoot };
}
