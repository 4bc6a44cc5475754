// GET /platform/v1/audit?cluster=C[&user=&verb=&resource=&decision=&before=&limit=]: recent audit events of one logical
// cluster, newest first. Readers: whoever may get tenantclusters/audit in root (global admins), or a `mayRead` hook
// (the platform lets the managers of a tenant cluster read its events).
import path from 'node:path';
import type { ModuleConfig, Route } from '../apiserver/extension.ts';
import { userFrom } from '../apiserver/context.ts';
import { badRequest, forbidden, methodNotSupported, notImplemented, routeNotFound } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { writeJson } from '../apiserver/handlers/respond.ts';
import type { Attributes, AuthorizerResult, UserInfo } from '../apiserver/auth/types.ts';
import type { AuditSink } from './sink.ts';
import { queryAuditLog, type AuditQuery } from './query.ts';

export const AUDIT_QUERY_PATH = '/platform/v1/audit';
export type AuditReadHook = (user: UserInfo, cluster: string) => Promise<boolean>;

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function auditQueryRoute(d: {
  cfg: ModuleConfig; logPath: string; sink: AuditSink; authorize: () => (a: Attributes) => Promise<AuthorizerResult>; mayRead?: AuditReadHook;
}): Route {
  return {
    prefix: AUDIT_QUERY_PATH,
    async handle(ctx) {
      if ((ctx.cluster && ctx.cluster !== ROOT_CLUSTER) || ctx.path.replace(/\/+$/, '') !== AUDIT_QUERY_PATH) throw routeNotFound(ctx.path);
      if ((ctx.req.method ?? 'GET') !== 'GET') throw methodNotSupported({ group: 'platform', resource: 'audit' }, (ctx.req.method ?? '').toLowerCase());
      const me = userFrom(ctx);
      const sp = ctx.url.searchParams;
      const cluster = sp.get('cluster') ?? '';
      if (!NAME.test(cluster)) throw badRequest('give the logical cluster to read: ?cluster=<name>');
      const allowed = (await d.authorize()({
        user: me, cluster: ROOT_CLUSTER, verb: 'get', isResourceRequest: true, path: '', apiGroup: 'management.portcullis.io', apiVersion: 'v1',
        resource: 'tenantclusters', subresource: 'audit', namespace: '', name: cluster,
      })).decision === 'allow' || (await d.mayRead?.(me, cluster)) === true;
      if (!allowed) {
        throw forbidden({ group: 'management.portcullis.io', resource: 'tenantclusters/audit' }, cluster,
          `User "${me.username}" may not read the audit events of cluster "${cluster}" (global admins and the managers of a tenant cluster may)`);
      }
      if (d.logPath === '-') throw notImplemented('the audit log is written to stdout (--audit-log-path -); recent events can only be read back from a file');
      const limit = Number(sp.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw badRequest('limit must be an integer from 1 to 500');
      const decision = sp.get('decision') || undefined;
      if (decision !== undefined && decision !== 'allow' && decision !== 'forbid') throw badRequest('decision must be allow or forbid');
      const q: AuditQuery = {
        cluster, limit, decision, user: sp.get('user') || undefined, verb: sp.get('verb') || undefined,
        resource: sp.get('resource') || undefined, before: sp.get('before') || undefined,
      };
      await d.sink.flush();
      const files = [d.logPath, ...Array.from({ length: d.cfg.auditLogMaxBackups }, (_, i) => `${d.logPath}.${i + 1}`)];
      const r = await queryAuditLog(files, q);
      writeJson(ctx, 200, { apiVersion: 'platform.portcullis.io/v1', kind: 'AuditEventList', cluster, ...r, logFile: path.basename(d.logPath) });
    },
  };
}
