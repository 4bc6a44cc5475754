// Audit events that no request filter records (logins on public routes, background refreshes and revocations by the
// identity module): one audit.k8s.io/v1 Event at Metadata level, stage ResponseComplete, written to the same sink.
import { randomUUID } from 'node:crypto';
import type { PlatformAuditEvent } from '../apiserver/extension.ts';
import { formatMicros, nowMicros, type AuditEvent } from './event.ts';
import type { AuditSink } from './sink.ts';

export function platformAuditEvent(e: PlatformAuditEvent): AuditEvent {
  const at = formatMicros(nowMicros());
  const out: AuditEvent = {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: randomUUID(), stage: 'ResponseComplete',
    requestURI: e.requestURI.split('?')[0], verb: e.verb,
    user: { username: e.user.username, ...(e.user.groups?.length ? { groups: e.user.groups } : {}) },
    sourceIPs: e.sourceIPs ?? [],
    responseStatus: { metadata: {}, code: e.code, ...(e.code >= 400 ? { status: 'Failure' } : {}), ...(e.message ? { message: e.message } : {}) },
    requestReceivedTimestamp: at, stageTimestamp: at,
  };
  if (e.userAgent) out.userAgent = e.userAgent;
  if (e.annotations && Object.keys(e.annotations).length) out.annotations = e.annotations;
  return out;
}

export function writePlatformAuditEvent(sink: AuditSink, e: PlatformAuditEvent): void {
  sink.write(JSON.stringify(platformAuditEvent(e)));
}
