// The modules a default server runs, in setup order. Each capability registers itself through its slots.
import type { ServerModule } from '../apiserver/extension.ts';
import { auditModule } from '../audit/index.ts';
import { rbacModule } from '../auth/rbac-module/index.ts';
import { platformModule, type PlatformModule } from '../platform/index.ts';
import { credentialsModule } from '../credentials/index.ts';
import { identityModule } from '../identity/index.ts';
import { admissionModule } from '../admission/index.ts';
import { consoleModule } from '../console/index.ts';
import { clustersModule } from '../clusters/index.ts';
import { observabilityModule } from '../observability/index.ts';

/** The default modules; `replace` swaps one by name (tests pass a credentials module on a movable clock). */
export function defaultModules(replace: Record<string, ServerModule> = {}): ServerModule[] {
  const platform = (replace.platform ?? platformModule()) as PlatformModule;
  const modules: ServerModule[] = [
    // the managers of a tenant cluster (its project's admins, its owner) may read its audit events
    auditModule({ mayRead: async (u, c) => (await platform.api?.mayManage(u, c)) ?? false }),
    rbacModule(),
    platform,
    credentialsModule(),
    identityModule(),
    admissionModule(),
    consoleModule(),
    clustersModule(),
    observabilityModule(),
  ];
  return modules.map((m) => replace[m.name] ?? m);
}
