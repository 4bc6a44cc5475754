// Wires users, teams and projects into the server: password hashing in admission, the Project controller
// (cascading deletion, the global-admins binding) and, once serving, the first-start bootstrap.
import type { ModuleContext } from '../../apiserver/extension.ts';
import { GROUP, inRoot, tenantSpec, type PlatformState } from '../resources/index.ts';
import { userPasswordAdmission } from './passwords.ts';
import { ProjectController } from './project-controller.ts';
import { ensureBootstrapAdmin, ensurePlatformUserRbac } from './bootstrap.ts';

export function setupUsersTeamsProjects(m: ModuleContext, state: PlatformState, opts: { bootstrapAdmin?: boolean }): void {
  const projects = new ProjectController({ store: m.store, catalog: m.catalog, state, log: m.logFor('project-controller'), leadership: m.leadership });
  m.admission.push(userPasswordAdmission);
  m.informer.on(GROUP, 'users', inRoot(() => projects.enqueueGlobalAdmins()));
  m.informer.on(GROUP, 'projects', inRoot((ev) => projects.enqueue(ev.name)));
  m.informer.on(GROUP, 'tenantclusters', inRoot((ev) => { if (ev.type === 'DELETED') projects.enqueue(tenantSpec(ev.object).project); }));
  m.idlers.push(() => projects.idle());
  m.queues.register(projects.queue);
  m.onStarted.push(async () => {
    await ensurePlatformUserRbac(m.store, m.catalog);
    if (opts.bootstrapAdmin !== false) await ensureBootstrapAdmin(m.store, m.cfg.dataDir, m.log);
    projects.enqueueGlobalAdmins();
  });
  m.onClose.push(() => projects.stop());
}
