// The platform directory for the console and the CLI: users and teams (searchable, paginated; for whoever may list
// them in root), one user's teams and projects, the users and teams with access to a project (the Permissions tab's
// picker) and one tenant cluster's settings for those who may manage it.
import type { Route } from '../../apiserver/extension.ts';
import { type RequestContext, userFrom } from '../../apiserver/context.ts';
import { forbidden, methodNotSupported, notFound, routeNotFound } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { writeJson } from '../../apiserver/handlers/respond.ts';
import { type Attributes, type AuthorizerResult, type UserInfo, SYSTEM_MASTERS } from '../../apiserver/auth/types.ts';
import type { AccessIndex } from './access-index.ts';
import { templateControls } from './access.ts';
import {
  type PlatformState, type UserRec, parseObjects, GROUP, VERSION, projectType, teamType, tenantClusterType, userType, page, pageQuery,
} from '../resources/index.ts';

export interface DirectoryDeps {
  state: PlatformState;
  index: AccessIndex;
  authorize: () => (a: Attributes) => Promise<AuthorizerResult>;
}

const P = '/platform/v1';
const LIST = { apiVersion: 'platform.portcullis.io/v1' };
/** The ClusterRoles the Permissions tab offers besides the custom ones a tenant's `objects` inject (seed 002). */
export const BUILTIN_CLUSTER_ROLES = ['cluster-admin', 'admin', 'edit', 'view'];

function getOnly(ctx: RequestContext): void {
  if (ctx.cluster && ctx.cluster !== ROOT_CLUSTER) throw routeNotFound(ctx.path);
  if ((ctx.req.method ?? 'GET') !== 'GET') throw methodNotSupported({ group: 'platform', resource: ctx.path }, (ctx.req.method ?? '').toLowerCase());
}

export function directoryRoutes(d: DirectoryDeps): Route[] {
  const { state, index } = d;
  const allowed = async (u: UserInfo, verb: string, resource: string, name = '') => (await d.authorize()({
    user: u, cluster: ROOT_CLUSTER, verb, isResourceRequest: true, path: '', apiGroup: GROUP, apiVersion: VERSION,
    resource, subresource: '', namespace: '', name,
  })).decision === 'allow';
  const teamsOf = (user: string) => index.teamsOf(user).sort();
  const userItem = (r: UserRec) => ({
    name: r.name, displayName: r.displayName, email: r.email, globalAdmin: r.globalAdmin, disabled: r.disabled === true, groups: r.groups, teams: teamsOf(r.name),
  });

  return [
    { prefix: `${P}/users`, async handle(ctx) {
      getOnly(ctx);
      const me = userFrom(ctx);
      const rest = ctx.path.slice(`${P}/users`.length).split('/').filter(Boolean).map(decodeURIComponent);
      if (rest.length === 0) {
        if (!(await allowed(me, 'list', 'users'))) throw forbidden(userType, '', `User "${me.username}" cannot list users in the platform (requires list on users in root)`);
        const p = page(state.users.values(), (r) => r.name, (r) => [r.name, r.displayName, r.email], pageQuery(ctx.url));
        return writeJson(ctx, 200, { ...LIST, kind: 'UserList', ...p, items: p.items.map(userItem) });
      }
      if (rest.length !== 1) throw routeNotFound(ctx.path);
      const name = rest[0];
      if (name !== me.username && !(await allowed(me, 'get', 'users', name))) throw forbidden(userType, name, `User "${me.username}" cannot get user "${name}"`);
      const r = state.users.get(name);
      if (!r) throw notFound(userType, name);
      const projects = [...state.projects.values()].flatMap((p) => {
        const role = state.projectRole(p.name, name);
        return role ? [{ name: p.name, displayName: p.displayName, role }] : [];
      }).sort((a, b) => a.name.localeCompare(b.name));
      return writeJson(ctx, 200, { ...LIST, kind: 'UserSummary', ...userItem(r), projects });
    } },
    { prefix: `${P}/teams`, async handle(ctx) {
      getOnly(ctx);
      const me = userFrom(ctx);
      if (ctx.path.replace(/\/+$/, '') !== `${P}/teams`) throw routeNotFound(ctx.path);
      if (!(await allowed(me, 'list', 'teams'))) throw forbidden(teamType, '', `User "${me.username}" cannot list teams in the platform (requires list on teams in root)`);
      const p = page(state.teams.values(), (t) => t.name, (t) => [t.name, t.displayName], pageQuery(ctx.url));
      return writeJson(ctx, 200, { ...LIST, kind: 'TeamList', ...p, items: p.items.map((t) => ({
        name: t.name, displayName: t.displayName, members: t.members, groups: t.groups, memberCount: state.teamMembers(t.name).size,
      })) });
    } },
  ];
}

/** GET /platform/v1/projects/<p>/subjects: users and teams with access to the project (members, member teams and their users). */
export async function projectSubjects(ctx: RequestContext, d: DirectoryDeps, project: string): Promise<void> {
  getOnly(ctx);
  const { state, index } = d;
  const me = userFrom(ctx);
  const p = state.projects.get(project);
  if (!p) throw notFound(projectType, project);
  const inProject = state.tenantsInProject(project);
  const may = me.groups.includes(SYSTEM_MASTERS) || state.globalAdmins().has(me.username) || state.projectRole(project, me.username) === 'admin'
    || (await d.authorize()({ user: me, cluster: ROOT_CLUSTER, verb: 'list', isResourceRequest: true, path: '', apiGroup: GROUP, apiVersion: VERSION,
      resource: 'users', subresource: '', namespace: '', name: '' })).decision === 'allow'
    || (await someAsync(inProject, (t) => index.mayManage(me, t)));
  if (!may) throw forbidden(projectType, project, `User "${me.username}" may not list who has access to project "${project}" (its admins and the managers of its tenant clusters may)`);
  const subjects = new Map<string, { kind: 'User' | 'Team'; name: string; displayName?: string; role: string; via?: string }>();
  for (const m of p.members) {
    if (m.user) subjects.set(`User/${m.user}`, { kind: 'User', name: m.user, displayName: state.users.get(m.user)?.displayName, role: m.role });
    if (m.team) {
      subjects.set(`Team/${m.team}`, { kind: 'Team', name: m.team, displayName: state.teams.get(m.team)?.displayName, role: m.role });
      for (const u of state.teamMembers(m.team)) {
        if (!subjects.has(`User/${u}`)) subjects.set(`User/${u}`, { kind: 'User', name: u, displayName: state.users.get(u)?.displayName, role: m.role, via: m.team });
      }
    }
  }
  const pg = page(subjects.values(), (s) => `${s.kind}/${s.name}`, (s) => [s.name, s.displayName], pageQuery(ctx.url));
  writeJson(ctx, 200, { ...LIST, kind: 'ProjectSubjectList', project, ...pg });
}

/** GET /platform/v1/tenantclusters/<name>: the settings the Edit view shows, for those who may manage it (or get it in root). */
export async function tenantDetail(ctx: RequestContext, d: DirectoryDeps, name: string): Promise<void> {
  getOnly(ctx);
  const { state, index } = d;
  const me = userFrom(ctx);
  const rec = state.tenants.get(name);
  if (!rec) throw notFound(tenantClusterType, name);
  const canManage = await index.mayManage(me, name);
  const authz = d.authorize();
  const inRoot = (verb: string) => authz({ user: me, cluster: ROOT_CLUSTER, verb, isResourceRequest: true, path: '', apiGroup: GROUP, apiVersion: VERSION,
    resource: 'tenantclusters', subresource: '', namespace: '', name }).then((r) => r.decision === 'allow');
  const [canGet, canUpdate] = await Promise.all([inRoot('get'), inRoot('update')]);
  if (!canManage && !canGet) throw forbidden(tenantClusterType, name, `User "${me.username}" may not view the settings of tenant cluster "${name}"`);
  const tpl = rec.spec.templateRef ? state.templates.get(rec.spec.templateRef.name) : undefined;
  const effective = index.effective(name) ?? rec.spec;
  const custom = parseObjects(effective.objects).objects
    .filter((o) => o.apiVersion === 'rbac.authorization.k8s.io/v1' && o.kind === 'ClusterRole')
    .map((o) => (o.metadata as { name: string }).name);
  writeJson(ctx, 200, {
    ...LIST, kind: 'TenantClusterSettings', name, spec: rec.spec, effective, status: rec.status, deleting: rec.deleting,
    template: rec.spec.templateRef?.name,
    templateControls: {
      accessRules: templateControls(tpl, ['access', 'rules']),
      defaultClusterRole: templateControls(tpl, ['access', 'defaultClusterRole']),
      objects: templateControls(tpl, ['objects']),
    },
    clusterRoles: { builtin: BUILTIN_CLUSTER_ROLES, custom: [...new Set(custom)].filter((r) => !BUILTIN_CLUSTER_ROLES.includes(r)).sort() },
    permissions: { manage: canManage, update: canUpdate },
  });
}

async function someAsync<T>(items: T[], f: (t: T) => Promise<boolean>): Promise<boolean> {
  for (const it of items) if (await f(it)) return true;
  return false;
}
