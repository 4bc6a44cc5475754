// Outermost filter: turns any thrown error into a Status response (the one place errors are written) and logs 500s.
import type { Filter } from '../context.ts';
import { toStatusError, writeStatus } from '../errors.ts';

export function withRecovery(log: (msg: string) => void): Filter {
  return async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      const err = toStatusError(e, log);
      ctx.responseCode = err.code;
      writeStatus(ctx.res, err);
    }
  };
}
