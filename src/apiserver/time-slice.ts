// Cooperative scheduling for long synchronous work inside one request: yield to the event loop when a slice of
// a few milliseconds is used up, so other requests (and signals) are served between slices.
import { setImmediate as immediate } from 'node:timers/promises';

/** The longest a request's loop of steps runs before it yields. */
export const SLICE_MS = 4;

export class TimeSlice {
  private start = performance.now();
  constructor(private readonly sliceMs = SLICE_MS) {}

  /** Yields when the slice is used up; call between steps of bounded size. */
  async pause(): Promise<void> {
    if (performance.now() - this.start < this.sliceMs) return;
    await immediate();
    this.start = performance.now();
  }
}

/** Yields to the event loop once: between the phases of a large request (parse, patch, validate, store). */
export function yieldToLoop(): Promise<void> {
  return immediate();
}
