// The platform's own HTTP routes in root (used by the CLI): what the caller can reach with their role in
// each tenant cluster, the projects they can see, and managing a tenant cluster's permissions (access rules).
import { z } from 'zod';
import type { Route } from '../../apiserver/extension.ts';
import { type RequestContext, userFrom } from '../../apiserver/context.ts';
import type { Store } from '../../apiserver/registry/store.ts';
import {
  badRequest, conflict, forbidden, invalid, notFound, routeNotFound, isNotFound, notFoundMessage,
} from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { parseJson, readBody } from '../../apiserver/codec/body.ts';
import { writeJson } from '../../apiserver/handlers/respond.ts';
import { SYSTEM_MASTERS, type UserInfo } from '../../apiserver/auth/types.ts';
import { templateControls } from './access.ts';
import type { AccessIndex } from './access-index.ts';
import {
  type AccessRule, type TenantClusterSpec, type PlatformState, GROUP, HOST_CLUSTER, teamType, tenantClusterType, userType, page, pageQuery,
} from '../resources/index.ts';
import { directoryRoutes, projectSubjects, tenantDetail, type DirectoryDeps } from './directory-routes.ts';

export const ROUTE_PREFIX = '/platform/v1';

export interface ReachableTenant {
  name: string; displayName?: string; project: string; phase?: string; apiURL?: string;
  /** ClusterRoles the caller gets inside. */
  roles: string[];
  /** Why the caller has management access (global-admin, project-admin, owner, access-rule, use-verb, system:masters). */
  reasons: string[];
  /** The host cluster it runs in (access-key scopes can name host clusters). */
  hostCluster?: string;
}

const permissionBody = z.object({
  action: z.enum(['add', 'remove']),
  user: z.string().min(1).optional(),
  team: z.string().min(1).optional(),
  role: z.string().min(1).optional(),
}).strict().refine((b) => (b.user === undefined) !== (b.team === undefined), 'set exactly one of user or team')
  .refine((b) => b.action === 'remove' || b.role !== undefined, 'role is required to add a permission');
export type PermissionChange = z.infer<typeof permissionBody>;
/** One change, or several applied together in one update (the console's "Save changes"). */
const permissionRequest = z.union([permissionBody, z.object({ changes: z.array(permissionBody).min(1).max(100) }).strict()]);

/** Applies one permission change to a spec's access rules (pure; exported for tests). */
export function changeRules(rules: readonly AccessRule[], c: PermissionChange): AccessRule[] {
  const key = c.user !== undefined ? 'users' : 'teams';
  const who = (c.user ?? c.team)!;
  const out: AccessRule[] = rules.map((r) => ({ ...r, users: r.users ? [...r.users] : undefined, teams: r.teams ? [...r.teams] : undefined }));
  if (c.action === 'add') {
    const rule = out.find((r) => r.clusterRole === c.role);
    if (rule) rule[key] = [...new Set([...(rule[key] ?? []), who])];
    else out.push({ [key]: [who], clusterRole: c.role! } as AccessRule);
  } else {
    for (const r of out) if (c.role === undefined || r.clusterRole === c.role) r[key] = r[key]?.filter((x) => x !== who);
  }
  return out
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as AccessRule)
    .filter((r) => (r.users?.length ?? 0) + (r.teams?.length ?? 0) > 0);
}

const isMaster = (u: UserInfo) => u.groups.includes(SYSTEM_MASTERS);

/** The tenant clusters `u` can reach (optionally only those of one project), with its roles there and why. */
export async function reachableTenants(state: PlatformState, index: AccessIndex, u: UserInfo,
  project?: string): Promise<ReachableTenant[]> {
  const out: ReachableTenant[] = [];
  for (const t of [...state.tenants.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (project !== undefined && t.spec.project !== project) continue;
    const { roles, reasons } = await index.rolesOf(u.username, u.groups, t.name);
    if (!reasons.length && !isMaster(u)) continue;
    out.push({
      name: t.name, displayName: t.spec.displayName, project: t.spec.project, phase: t.deleting ? 'Terminating' : t.status?.phase,
      apiURL: t.status?.apiURL, roles, reasons: reasons.length ? [...reasons] : ['system:masters'],
      hostCluster: t.status?.effective?.hostCluster ?? t.spec.hostCluster ?? HOST_CLUSTER,
    });
  }
  return out;
}

export function platformRoutes(d: DirectoryDeps & { store: Store }): Route[] {
  const { state, index } = d;
  const reachable = (u: UserInfo, project?: string) => reachableTenants(state, index, u, project);

  async function projects(u: UserInfo): Promise<Array<{ name: string; displayName?: string; role?: string }>> {
    const tenants = await reachable(u);
    const admin = isMaster(u) || state.globalAdmins().has(u.username);
    const out = [];
    for (const p of [...state.projects.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const role = state.projectRole(p.name, u.username);
      if (admin || role || tenants.some((t) => t.project === p.name)) out.push({ name: p.name, displayName: p.displayName, role: role ?? (admin ? 'global-admin' : undefined) });
    }
    return out;
  }

  const mayManage = (u: UserInfo, tenant: string) => index.mayManage(u, tenant);

  /**
   * Whose view to list: the caller, or with ?user=X another platform user (what X can reach, e.g. for the scope of
   * a key an admin creates for X) — for callers allowed to impersonate X in root.
   */
  async function subjectOf(ctx: RequestContext, u: UserInfo): Promise<UserInfo> {
    const name = ctx.url.searchParams.get('user');
    if (!name || name === u.username) return u;
    const allowed = (await d.authorize()({ user: u, cluster: ROOT_CLUSTER, verb: 'impersonate', isResourceRequest: true, path: '', apiGroup: '',
      apiVersion: 'v1', resource: 'users', subresource: '', namespace: '', name })).decision === 'allow';
    if (!allowed) throw forbidden(userType, name, `User "${u.username}" may not list what user "${name}" can reach (requires impersonate on users/${name} in root)`);
    const rec = state.users.get(name);
    if (!rec) throw notFound(userType, name);
    return { username: name, groups: [...rec.groups] };
  }

  async function changePermissions(ctx: RequestContext, tenant: string): Promise<void> {
    const u = userFrom(ctx);
    const rec = state.tenants.get(tenant);
    if (!rec) throw notFoundMessage(`tenantclusters.${GROUP} "${tenant}" not found`, { name: tenant, group: GROUP, kind: 'tenantclusters' });
    if (!(await mayManage(u, tenant))) {
      throw forbidden(tenantClusterType, tenant, `User "${u.username}" may not change the permissions of tenant cluster "${tenant}" (global admins, admins of project "${rec.spec.project}" and the owner may)`);
    }
    const parsed = permissionRequest.safeParse(parseJson(await readBody(ctx.req)));
    if (!parsed.success) throw badRequest(`invalid permission change: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const changes = 'changes' in parsed.data ? parsed.data.changes : [parsed.data];
    const tpl = rec.spec.templateRef ? state.templates.get(rec.spec.templateRef.name) : undefined;
    if (templateControls(tpl, ['access', 'rules'])) {
      throw conflict(tenantClusterType, tenant, `access.rules is set by template "${rec.spec.templateRef!.name}", which overrides the tenant cluster's rules; change the template instead`);
    }
    for (const c of changes) {
      if (c.action !== 'add') continue;
      const t = c.user !== undefined ? userType : teamType;
      const name = (c.user ?? c.team)!;
      try { await d.store.get(ROOT_CLUSTER, t, '', name); } catch (e) {
        if (isNotFound(e)) throw invalid('PermissionChange', GROUP, tenant, [{ field: c.user ? 'user' : 'team', message: `${t.kind} "${name}" does not exist` }]);
        throw e;
      }
    }
    const { object } = await d.store.update({ cluster: ROOT_CLUSTER, user: u, fieldManager: 'portcullis-permissions' }, tenantClusterType, '', tenant, (cur) => {
      if (!cur) throw notFoundMessage(`tenant cluster "${tenant}" not found`);
      const spec = cur.spec as TenantClusterSpec;
      spec.access = { ...(spec.access ?? {}), rules: changes.reduce((rules, c) => changeRules(rules, c), spec.access?.rules ?? []) };
      return cur;
    });
    writeJson(ctx, 200, { name: tenant, access: (object.spec as TenantClusterSpec).access });
  }

  return [...directoryRoutes(d), {
    prefix: ROUTE_PREFIX,
    async handle(ctx) {
      if (ctx.cluster !== ROOT_CLUSTER) throw routeNotFound(ctx.path);
      const rest = ctx.path.slice(ROUTE_PREFIX.length).replace(/\/+$/, '');
      const method = ctx.req.method ?? 'GET';
      const u = userFrom(ctx);
      if (method === 'GET' && rest === '/tenantclusters') {
        const who = await subjectOf(ctx, u);
        const p = page(await reachable(who, ctx.url.searchParams.get('project') ?? undefined), (t) => t.name, (t) => [t.name, t.displayName], pageQuery(ctx.url));
        return writeJson(ctx, 200, { apiVersion: 'platform.portcullis.io/v1', kind: 'ReachableTenantClusterList', user: who.username, ...p });
      }
      if (method === 'GET' && rest === '/projects') {
        const who = await subjectOf(ctx, u);
        const p = page(await projects(who), (x) => x.name, (x) => [x.name, x.displayName], pageQuery(ctx.url));
        return writeJson(ctx, 200, { apiVersion: 'platform.portcullis.io/v1', kind: 'VisibleProjectList', user: who.username, ...p });
      }
      const subj = /^\/projects\/([a-z0-9.-]+)\/subjects$/.exec(rest);
      if (subj) return projectSubjects(ctx, d, subj[1]);
      const detail = /^\/tenantclusters\/([a-z0-9-]+)$/.exec(rest);
      if (detail) return tenantDetail(ctx, d, detail[1]);
      const m = /^\/tenantclusters\/([a-z0-9-]+)\/permissions$/.exec(rest);
      if (method === 'POST' && m) return changePermissions(ctx, m[1]);
      throw routeNotFound(ctx.path);
    },
  }];
}
