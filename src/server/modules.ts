// The modules a default server runs, in setup order. Each capability registers itself through its slots.
import type { ServerModule } from './module.ts';

export function defaultModules(): ServerModule[] {
  return [];
}
