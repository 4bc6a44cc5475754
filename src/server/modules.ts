// The modules a default server runs, in setup order. Each capability registers itself through its slots.
import type { ServerModule } from '../apiserver/extension.ts';
import { auditModule } from '../audit/module.ts';
import { rbacModule } from '../auth/rbac-module/index.ts';
import { platformModule } from '../platform/index.ts';
import { credentialsModule } from '../credentials/index.ts';
import { admissionModule } from '../admission/index.ts';

export function defaultModules(): ServerModule[] {
  return [
    auditModule(),
    rbacModule(),
    platformModule(),
    credentialsModule(),
    admissionModule(),
  ];
}
