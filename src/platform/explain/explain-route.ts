// POST /platform/v1/explain (root only): runs explain() for global admins and for callers allowed to
// create subjectaccessreviews in root (both may already learn any user's permissions).
import { z } from 'zod';
import type { Route } from '../../apiserver/extension.ts';
import type { AuthorizerResult, Attributes } from '../../apiserver/auth/types.ts';
import { userFrom } from '../../apiserver/context.ts';
import { badRequest, forbidden, routeNotFound } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { parseJson, readBody } from '../../apiserver/codec/body.ts';
import { writeJson } from '../../apiserver/handlers/respond.ts';
import { explain, explainCaller, type ExplainDeps } from './explain.ts';

export const EXPLAIN_PATH = '/platform/v1/explain';

const body = z.object({
  user: z.string().min(1),
  groups: z.array(z.string().min(1)).optional(),
  cluster: z.string().min(1),
  verb: z.string().min(1),
  resource: z.string().min(1).optional(),
  group: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  subresource: z.string().optional(),
  path: z.string().optional(),
  impersonate: z.object({ user: z.string().min(1), groups: z.array(z.string().min(1)).optional() }).strict().optional(),
  credential: z.string().min(1).optional(),
}).strict().refine((b) => (b.resource === undefined) !== (b.path === undefined), 'give exactly one of resource or path');

export function explainRoute(d: ExplainDeps & { authorize: () => (a: Attributes) => Promise<AuthorizerResult> }): Route {
  return {
    prefix: EXPLAIN_PATH,
    async handle(ctx) {
      if (ctx.cluster !== ROOT_CLUSTER) throw routeNotFound(ctx.path);
      if (ctx.path.replace(/\/+$/, '') !== EXPLAIN_PATH) throw routeNotFound(ctx.path);
      if ((ctx.req.method ?? 'GET') !== 'POST') throw badRequest('use POST with a JSON body {user, cluster, verb, resource | path, ...}');
      const u = userFrom(ctx);
      const allowed = d.state.globalAdmins().has(u.username) || (await d.authorize()(explainCaller(u))).decision === 'allow';
      if (!allowed) {
        throw forbidden({ group: 'authorization.k8s.io', resource: 'subjectaccessreviews' }, '',
          `User "${u.username}" may not explain other users' access (global admins and users allowed to create subjectaccessreviews in root may)`);
      }
      const parsed = body.safeParse(parseJson(await readBody(ctx.req)));
      if (!parsed.success) throw badRequest(`invalid explain request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
      writeJson(ctx, 200, await explain(d, parsed.data));
    },
  };
}
