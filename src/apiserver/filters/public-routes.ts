// Serves routes that need no authentication (login, token exchange, JWKS) before the authentication filter.
import type { Filter } from '../context.ts';
import type { Route } from '../extension.ts';

/** The route with the longest prefix matching the path (so /platform/v1/login wins over /platform/v1). */
export function matchRoute(routes: readonly Route[], path: string): Route | undefined {
  let best: Route | undefined;
  for (const r of routes) {
    if ((path === r.prefix || path.startsWith(`${r.prefix}/`)) && (!best || r.prefix.length > best.prefix.length)) best = r;
  }
  return best;
}

export function withPublicRoutes(routes: Route[]): Filter {
  return (ctx, next) => {
    const route = matchRoute(routes, ctx.path);
    return route ? route.handle(ctx) : next();
  };
}
