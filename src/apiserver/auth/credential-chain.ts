// Derived credentials die with their source: every credential names the credentials it was minted from (its chain of
// links, e.g. "accesskey:ci#fp", "x509:1f2e", "user:alice#uid"); modules register one resolver per link kind saying
// whether that link still stands. One authentication check walks the chain, or reuses the verdict of the last walk
// for the same credential while no link index has changed and no link has reached its end; minting reads it.
import type { IncomingMessage } from 'node:http';
import { unauthorized } from '../errors.ts';
import type { AuthnRequest, AuthnResult } from './types.ts';
import { sameSubject, VerdictCache, type LinkEffect } from './chain-verdicts.ts';

/** What a resolver knows about one link now. */
export interface ChainLink {
  /** Why the link no longer stands (deleted, expired, disabled, rotated, revoked); undefined: it stands. */
  problem?: string;
  /** Further links this one depends on (its owner User, the object that issued it), walked too. */
  parents?: readonly string[];
  /** When the link ends by itself (derived credentials are clamped to it at mint). */
  expiresMs?: number;
  /** What the link does to every request it is walked for (e.g. lend a scope); replayed when the verdict is reused. */
  effect?: LinkEffect;
}

export interface LinkContext {
  req: IncomingMessage;
  nowMs: number;
  /** True for the credential that authenticated the request itself (not one it was minted from). */
  self: boolean;
  /** The authentication result (for the request's own credential). */
  result?: AuthnResult;
}

/**
 * Answers for links of one kind (the text before the first ':'); `ref` is the whole link. O(1), synchronous. The
 * answer may depend only on `ref`, `at` (its clock through `at.nowMs` only) and indexes that call
 * CredentialChains.changed() on every change, since verdicts are reused until then or until the earliest expiresMs.
 */
export type LinkResolver = (ref: string, at: LinkContext) => ChainLink;

/** A credential's resolved lineage: itself and everything up its chain, and the earliest end along it. */
export interface Lineage { refs: string[]; expiresMs?: number }

/** Links walked per credential at most (a chain is a handful; more means a loop or an attack). */
const MAX_LINKS = 32;

export class CredentialChains {
  /** Off only in the benchmark's comparison server (PORTCULLIS_BENCH_NO_CHAIN_CHECK); never in production. */
  enabled = true;
  private readonly resolvers = new Map<string, LinkResolver>();
  private readonly verdicts: VerdictCache;
  private generation = 0;

  constructor(private readonly now: () => number = Date.now, cacheHalf?: number) {
    this.verdicts = new VerdictCache(cacheHalf);
  }

  register(kind: string, resolver: LinkResolver): void {
    if (this.resolvers.has(kind)) throw new Error(`credential chain: "${kind}" links already have a resolver`);
    this.resolvers.set(kind, resolver);
    this.changed();
  }

  /**
   * Every index a resolver reads calls this synchronously with each change that could alter an answer, whether the
   * change was made here or arrived from the store's change feed (another replica): reused verdicts are walked again.
   */
  changed(): void { this.generation++; }

  /** Verdicts held (bounded). */
  get cachedVerdicts(): number { return this.verdicts.size; }

  /**
   * Walks the credential and its chain; throws a 401 naming the first link that no longer stands. Links of a kind
   * nobody resolves are refused when carried by a credential (fail closed) and ignored for the credential itself.
   */
  walk(
    start: string | undefined, carried: readonly string[] | undefined, req: IncomingMessage, result?: AuthnResult,
  ): Lineage {
    return this.walkAt(start, carried, req, result, this.now());
  }

  private walkAt(
    start: string | undefined, carried: readonly string[] | undefined, req: IncomingMessage, result: AuthnResult | undefined,
    nowMs: number, effects?: LinkEffect[],
  ): Lineage {
    const refs: string[] = [];
    let expiresMs: number | undefined;
    const queue: string[] = [];
    if (start) queue.push(start);
    if (carried) for (const c of carried) queue.push(c);
    for (let i = 0; i < queue.length; i++) {
      const ref = queue[i];
      if (refs.includes(ref)) continue;
      if (refs.length >= MAX_LINKS) throw unauthorized('credential chain is too long');
      const self = i === 0 && start !== undefined;
      const colon = ref.indexOf(':');
      const resolver = colon > 0 ? this.resolvers.get(ref.slice(0, colon)) : undefined;
      if (!resolver) {
        if (self) continue;
        throw unauthorized(`credential is not valid: it was minted from ${ref}, which this server cannot check`);
      }
      const link = resolver(ref, { req, nowMs, self, result: self ? result : undefined });
      if (!link.problem && link.expiresMs !== undefined && link.expiresMs <= nowMs) {
        throw unauthorized(self ? 'credential has expired'
          : `credential is not valid: it was minted from ${describeLink(ref)}, which has expired`);
      }
      if (link.problem) {
        throw unauthorized(self ? link.problem
          : `credential is not valid: it was minted from ${describeLink(ref)}, and ${link.problem}`);
      }
      refs.push(ref);
      expiresMs = earliest(expiresMs, link.expiresMs);
      if (link.effect) { link.effect(req); effects?.push(link.effect); }
      if (link.parents) for (const p of link.parents) queue.push(p);
    }
    return { refs, expiresMs };
  }

  /** The authentication check (first in ModuleContext.authenticationChecks). */
  readonly check = (res: AuthnResult, r: AuthnRequest): void => {
    if (!this.enabled) return;
    const nowMs = this.now();
    // A derived credential ends with its source, to the second (its expiry was clamped to the source's at mint; no
    // clock-skew leeway beyond it).
    if (res.chain && res.expiresMs !== undefined && res.expiresMs <= nowMs) {
      throw unauthorized('credential has expired');
    }
    const start = res.link ?? res.credentialId;
    if (start === undefined) {
      if (res.chain) this.walkAt(undefined, res.chain, r.req, res, nowMs);
      return;
    }
    const v = this.verdicts.get(start);
    if (v !== undefined && v.generation === this.generation && nowMs < v.expiresMs
      && sameSubject(v, res.chain, res.user.username, res.user.groups)) {
      for (let i = 0; i < v.effects.length; i++) v.effects[i](r.req);
      return;
    }
    const generation = this.generation;
    const effects: LinkEffect[] = [];
    let l: Lineage;
    try {
      l = this.walkAt(start, res.chain, r.req, res, nowMs, effects);
    } catch (e) {
      this.verdicts.delete(start);
      throw e;
    }
    this.verdicts.set(start, {
      generation, expiresMs: l.expiresMs ?? Infinity, chain: res.chain && [...res.chain], username: res.user.username,
      groups: [...res.user.groups], effects,
    });
  };

  /**
   * What a credential minted by this request records: the request's credential and its whole chain, and the end its
   * lifetime is clamped to (the earliest of the credential's own expiry and every link's).
   */
  lineage(ctx: { authn?: AuthnResult; req: IncomingMessage }): Lineage {
    const a = ctx.authn;
    if (!a) return { refs: [] };
    const l = this.walk(a.link ?? a.credentialId, a.chain, ctx.req);
    l.expiresMs = earliest(l.expiresMs, a.expiresMs);
    return l;
  }
}

const earliest = (a: number | undefined, b: number | undefined): number | undefined =>
  (a === undefined ? b : b === undefined ? a : Math.min(a, b));

/** A link for messages: "accesskey:ci#3f..." → "accesskey:ci" (fingerprints and uids are not for people). */
export function describeLink(ref: string): string {
  const hash = ref.indexOf('#');
  return hash < 0 ? ref : ref.slice(0, hash);
}

/** The credential id of a link (what the inventory and revocation use). */
export const linkId = describeLink;
