// Identity and decision types shared by authenticators, authorizers, filters and the review APIs.
import type { IncomingMessage } from 'node:http';
import type { ClusterHandle } from '../cluster-handle.ts';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Everything an authorizer may look at, as in k8s.io/apiserver authorizer.Attributes. */
export interface Attributes {
  user: UserInfo;
  /** Logical cluster the request targets. */
  cluster: string;
  /**
   * The request's handle of `cluster` (cluster-handle.ts), when it came through the chain: authorizers read their
   * per-cluster record from it (ClusterSlot.read checks it is this cluster's: a copy with another cluster misses).
   */
  handle?: ClusterHandle;
  /** Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection, impersonate, use, bind, escalate, ...) or lower-case HTTP method for non-resource requests. */
  verb: string;
  isResourceRequest: boolean;
  /** Request path without the /clusters/<name> prefix (non-resource requests). */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export type Decision = 'allow' | 'deny' | 'noopinion';
export interface AuthorizerResult { decision: Decision; reason: string }

export interface Authorizer {
  authorize(a: Attributes): AuthorizerResult | Promise<AuthorizerResult>;
}

export interface AuthnRequest {
  req: IncomingMessage;
  /** Logical cluster the request targets (token audiences are bound to it). */
  cluster: string;
}
/**
 * Limits a credential carries beyond its user's permissions (an access key's scope, ...), one entry per module that
 * sets and enforces them. The core only carries them from authentication to the request context; each module
 * declares its entry by augmenting this interface (`declare module '.../apiserver/auth/types.ts'`).
 */
export interface CredentialRestrictions {}

/** The outcome of one authenticator that applied. */
export interface AuthnResult {
  user: UserInfo;
  reason: string;
  credentialId?: string;
  /** What the credential itself restricts (absent: nothing beyond the user's permissions). */
  restrictions?: CredentialRestrictions;
  /** The credential's own link in credential chains when more precise than credentialId (an access key's secret). */
  link?: string;
  /** The links of the credentials this one was minted from (carried, e.g. in a token's claims); see credential-chain.ts. */
  chain?: readonly string[];
  /** When the credential itself expires (what it mints is clamped to it). */
  expiresMs?: number;
}

/**
 * Returns null when the request carries no credential of this kind (the next authenticator is tried);
 * throws a StatusError (401) when it carries one that is invalid.
 */
export interface Authenticator {
  readonly name: string;
  authenticate(r: AuthnRequest): AuthnResult | null | Promise<AuthnResult | null>;
}

export const SYSTEM_MASTERS = 'system:masters';
export const SYSTEM_AUTHENTICATED = 'system:authenticated';
export const SYSTEM_UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS = 'system:anonymous';
export const serviceAccountUsername = (ns: string, name: string): string => `system:serviceaccount:${ns}:${name}`;
