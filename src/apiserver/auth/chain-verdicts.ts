// The credential-chain check's memory: per credential, that its whole chain stood at a given generation of the link
// indexes and until when, so that a request with the same credential is answered with a few comparisons. Bounded.
import type { IncomingMessage } from 'node:http';

/** What a link does to every request it is walked for (e.g. lend its scope); kept with the verdict and replayed. */
export type LinkEffect = (req: IncomingMessage) => void;

/** That a credential's chain stood: valid while the generation is unchanged and the clock is before expiresMs. */
export interface Verdict {
  /** The link indexes' generation the chain was walked at (CredentialChains.changed() bumps it). */
  generation: number;
  /** The earliest end along the chain (Infinity: none), compared with the clock on every request. */
  expiresMs: number;
  /** The carried chain and the user the walk was for: a later request must present exactly these. */
  chain: readonly string[] | undefined;
  username: string;
  groups: readonly string[];
  effects: readonly LinkEffect[];
}

/**
 * Verdicts by the credential's own link, in two halves: new entries go to `young`; when it is full it becomes `old`
 * (the previous `old` is dropped) and a hit in `old` moves back to `young` — recently used credentials stay, and at
 * most 2 × half entries are held whatever the number of distinct credentials presented.
 */
export class VerdictCache {
  private young = new Map<string, Verdict>();
  private old = new Map<string, Verdict>();

  constructor(private readonly half = 8192) {}

  get(key: string): Verdict | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) { this.old.delete(key); this.set(key, o); }
    return o;
  }

  set(key: string, v: Verdict): void {
    if (this.young.size >= this.half && !this.young.has(key)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, v);
  }

  delete(key: string): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  get size(): number { return this.young.size + this.old.size; }
}

/** Whether a request presents the carried chain and user a verdict was reached for (no allocation). */
export function sameSubject(v: Verdict, chain: readonly string[] | undefined, username: string, groups: readonly string[]): boolean {
  return v.username === username && sameList(v.chain, chain) && sameList(v.groups, groups);
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
