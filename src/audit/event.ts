// The audit.k8s.io/v1 Event shape, microsecond timestamps, and the request-derived parts of an event
// (user, objectRef, source IPs) as Kubernetes fills them.
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../apiserver/context.ts';
import type { UserInfo } from '../apiserver/auth/types.ts';
import type { Level, Stage } from './policy.ts';

export interface AuditUser { username: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> }
export interface ObjectReference {
  resource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string; subresource?: string;
}
export interface ResponseStatus { metadata: Record<string, never>; code: number; status?: string; reason?: string; message?: string }

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: Exclude<Level, 'None'>;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: ResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** Epoch microseconds, from the high-resolution clock. */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

let cachedSecond = -1;
let cachedPrefix = '';
/** RFC 3339 with six fractional digits, as Kubernetes' metav1.MicroTime: 2024-05-01T10:00:00.123456Z. */
export function formatMicros(us: number): string {
  const sec = Math.floor(us / 1e6);
  if (sec !== cachedSecond) { // one Date formatting per second, not per event
    cachedSecond = sec;
    cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  return `${cachedPrefix}${String(us - sec * 1e6).padStart(6, '0')}Z`;
}

export function auditUser(u: UserInfo): AuditUser {
  const out: AuditUser = { username: u.username };
  if (u.uid) out.uid = u.uid;
  if (u.groups.length > 0) out.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length > 0) out.extra = u.extra;
  return out;
}

export function objectRefOf(ctx: RequestContext): ObjectReference | undefined {
  const i = ctx.info;
  if (!i?.isResourceRequest) return undefined;
  const ref: ObjectReference = {};
  if (i.resource) ref.resource = i.resource;
  if (i.namespace) ref.namespace = i.namespace;
  if (i.name) ref.name = i.name;
  if (i.apiGroup) ref.apiGroup = i.apiGroup;
  if (i.apiVersion) ref.apiVersion = i.apiVersion;
  if (i.subresource) ref.subresource = i.subresource;
  return ref;
}

/** X-Forwarded-For entries, then X-Real-Ip, then the connection's peer (as k8s utilnet.SourceIPs). */
export function sourceIPs(ctx: RequestContext): string[] {
  const ips: string[] = [];
  const xff = ctx.req.headers['x-forwarded-for'];
  if (typeof xff === 'string') for (const p of xff.split(',')) { const ip = p.trim(); if (ip) ips.push(ip); }
  const real = ctx.req.headers['x-real-ip'];
  if (typeof real === 'string' && real.trim() && !ips.includes(real.trim())) ips.push(real.trim());
  const remote = ctx.req.socket?.remoteAddress;
  if (remote && !ips.includes(remote)) ips.push(remote);
  return ips;
}

const AUDIT_ID = /^[\x21-\x7e]{1,128}$/;
/** The client's Audit-ID header when it is sane, otherwise a fresh UUID. */
export function auditIdOf(ctx: RequestContext): string {
  const h = ctx.req.headers['audit-id'];
  return typeof h === 'string' && AUDIT_ID.test(h) ? h : randomUUID();
}
