// THE decision order after authentication, as data: the gates (a deny stops the request; allow or pass goes on),
// then the authorizers (the first allow or deny decides; none: deny). The request chain (chain.ts, the authorizer
// union) and explain (walkDecision) are both built from it, so a step added here appears in both.
import type { IncomingMessage } from 'node:http';
import type { Filter, RequestContext, RequestInfo } from '../context.ts';
import { clusterFrom, infoFrom, restrictionsFrom, userFrom } from '../context.ts';
import { StatusError, forbiddenStatus } from '../errors.ts';
import type { Attributes, Authorizer, CredentialRestrictions, UserInfo } from './types.ts';
import { createUnionAuthorizer, mastersAuthorizer } from './authorizer-union.ts';
import type { ClusterHandle } from '../cluster-handle.ts';

/** Gates, in request order. Modules fill them (ModuleContext.gates). */
export const GATES = ['impersonation', 'management-access', 'credential-scope'] as const;
/** Authorizers, in the order the union consults them: system:masters (the core's), then the modules'. */
export const AUTHORIZERS = ['system:masters', 'delegation', 'rbac'] as const;
export const DECISION_ORDER = [...GATES, ...AUTHORIZERS] as const;

export type GateName = (typeof GATES)[number];
export type AuthorizerName = (typeof AUTHORIZERS)[number];
export type StepName = (typeof DECISION_ORDER)[number];

/** What a gate looks at: the same for a request in the chain and for a request explain describes. */
export interface GateQuery {
  cluster: string;
  info: RequestInfo;
  /** The user so far: the authenticated one, or the impersonated one after the impersonation gate. */
  user: UserInfo;
  /** What the credential restricts (authentication established it). */
  restrictions: CredentialRestrictions;
  /** The request's raw headers, name and value alternating (the impersonation gate reads Impersonate-*). */
  rawHeaders: readonly string[];
  /** The cluster does not exist (it is answered as one the caller may not access, see filters/logical-cluster.ts). */
  clusterMissing?: boolean;
  /** The HTTP request being decided (absent when explain describes one). */
  request?: IncomingMessage;
  /** The cluster's handle (cluster-handle.ts), when the request came through the chain. */
  handle?: ClusterHandle;
}

export interface GateVerdict {
  verdict: 'allow' | 'deny' | 'pass';
  reason: string;
  /** A denial's Status (default: 403 Forbidden with the reason). */
  error?: StatusError;
  /** The user the later steps see (impersonation). */
  user?: UserInfo;
  details?: Record<string, unknown>;
  /** What the chain records on the request (annotations, the effective user); explain does not call it. */
  apply?: (ctx: RequestContext) => void;
}

/** One gate: decides without side effects; its verdict's `apply` holds what the chain must record. */
export interface Gate {
  check(q: GateQuery): GateVerdict | Promise<GateVerdict>;
  /** The restrictions a credential named by its id carries (explain asks; undefined: unknown to this gate). */
  restrictionsOf?(credentialId: string): CredentialRestrictions | undefined;
}

export type GateSlots = Partial<Record<GateName, Gate>>;
export type AuthorizerSlots = Partial<Record<Exclude<AuthorizerName, 'system:masters'>, Authorizer>>;

const PASS: GateVerdict = Object.freeze({ verdict: 'pass', reason: '' });
const gatesInOrder = (slots: GateSlots): Array<[GateName, Gate]> =>
  GATES.flatMap((n) => (slots[n] ? [[n, slots[n]] as [GateName, Gate]] : []));

/** The authorizers in order, with system:masters first. */
export function authorizersInOrder(slots: AuthorizerSlots): Array<[AuthorizerName, Authorizer]> {
  return AUTHORIZERS.flatMap((n) => {
    const a = n === 'system:masters' ? mastersAuthorizer : slots[n];
    return a ? [[n, a] as [AuthorizerName, Authorizer]] : [];
  });
}

export function createOrderedAuthorizer(slots: AuthorizerSlots): Authorizer {
  return createUnionAuthorizer(authorizersInOrder(slots).map(([, a]) => a));
}

const denial = (v: GateVerdict): StatusError => v.error ?? forbiddenStatus(v.reason);

/** The gates as one filter of the chain. Synchronous while the gates answer synchronously. */
export function withGates(slots: GateSlots): Filter | undefined {
  const gates = gatesInOrder(slots).map(([, g]) => g);
  if (gates.length === 0) return undefined;
  return (ctx, next) => {
    const q: GateQuery = {
      cluster: clusterFrom(ctx), info: infoFrom(ctx), user: userFrom(ctx), restrictions: restrictionsFrom(ctx),
      rawHeaders: ctx.req.rawHeaders, request: ctx.req, clusterMissing: ctx.clusterMissing === true, handle: ctx.handle,
    };
    return runGates(gates, 0, q, ctx, next);
  };
}

// Module-level functions, not closures made per request (the tsx loader names every named closure it makes).
function runGates(gates: readonly Gate[], from: number, q: GateQuery, ctx: RequestContext, next: () => Promise<void>): Promise<void> {
  for (let i = from; i < gates.length; i++) {
    const v = gates[i].check(q);
    if (v instanceof Promise) return v.then((r) => { settle(r, q, ctx); return runGates(gates, i + 1, q, ctx, next); });
    settle(v, q, ctx);
  }
  return next();
}

function settle(v: GateVerdict, q: GateQuery, ctx: RequestContext): void {
  v.apply?.(ctx);
  if (v.verdict === 'deny') throw denial(v);
  if (v.user) q.user = v.user;
}

export interface StepOutcome {
  step: StepName;
  verdict: 'allow' | 'deny' | 'pass';
  reason: string;
  /** False when an earlier step already decided (evaluated for information). */
  reached: boolean;
  details?: Record<string, unknown>;
}

export interface DecisionWalk {
  steps: StepOutcome[];
  decision: 'allow' | 'deny';
  decidedBy: StepName;
  reason: string;
  /** The user the authorizers saw (the impersonated one, if any). */
  user: UserInfo;
}

/**
 * Walks a request through every step in DECISION_ORDER, as the chain would, recording each verdict; steps after the
 * deciding one are still evaluated (reached: false). `toAttributes` builds the authorizers' attributes for a user.
 */
export async function walkDecision(gateSlots: GateSlots, authorizerSlots: AuthorizerSlots, q: GateQuery,
  toAttributes: (user: UserInfo) => Attributes): Promise<DecisionWalk> {
  const steps: StepOutcome[] = [];
  let decided: StepOutcome | undefined;
  const query = { ...q };
  for (const [step, gate] of gatesInOrder(gateSlots)) {
    const v = (await gate.check(query)) ?? PASS;
    const out: StepOutcome = { step, verdict: v.verdict, reason: v.reason, reached: !decided, details: v.details };
    steps.push(out);
    if (v.verdict === 'deny') decided ??= out;
    else if (v.user && !decided) query.user = v.user;
  }
  const reasons: string[] = [];
  for (const [step, authz] of authorizersInOrder(authorizerSlots)) {
    const r = await authz.authorize(toAttributes(query.user));
    const verdict = r.decision === 'noopinion' ? 'pass' : r.decision;
    const out: StepOutcome = { step, verdict, reason: r.reason, reached: !decided };
    steps.push(out);
    if (verdict === 'pass') { if (r.reason && !decided) reasons.push(r.reason); } else decided ??= out;
  }
  if (!decided) return { steps, decision: 'deny', decidedBy: 'rbac', reason: reasons.join('; '), user: query.user };
  const decision = decided.verdict === 'allow' ? 'allow' : 'deny';
  return { steps, decision, decidedBy: decided.step, reason: decided.reason, user: query.user };
}
