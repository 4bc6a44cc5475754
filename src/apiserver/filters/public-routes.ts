// Serves routes that need no authentication (login, token exchange, JWKS) before the authentication filter.
import type { Filter } from '../context.ts';
import type { Route } from '../../server/module.ts';

export function withPublicRoutes(routes: Route[]): Filter {
  return async (ctx, next) => {
    const route = routes.find((r) => ctx.path === r.prefix || ctx.path.startsWith(`${r.prefix}/`));
    if (route) return route.handle(ctx);
    await next();
  };
}
