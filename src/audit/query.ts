// Reads recent audit events of one logical cluster back from the audit log (newest first, across rotated files),
// filtered by user, verb, resource and decision; bounded in bytes scanned so a query never reads a whole disk.
import { open } from 'node:fs/promises';
import { CLUSTER_ANNOTATION } from './filter.ts';
import type { AuditEvent } from './event.ts';

export interface AuditQuery {
  cluster: string;
  user?: string;
  verb?: string;
  resource?: string;
  decision?: 'allow' | 'forbid';
  /** Only events older than this (RFC 3339 stageTimestamp of the previous page's last event). */
  before?: string;
  limit: number;
}

export interface AuditSummary {
  auditID: string; time: string; user: string; verb: string; code?: number; decision?: string; reason?: string;
  resource?: string; namespace?: string; name?: string; uri: string; sourceIP?: string; userAgent?: string;
}

export interface AuditQueryResult { items: AuditSummary[]; scannedBytes: number; complete: boolean }

const CHUNK = 256 * 1024;
const DECISION = 'authorization.k8s.io/decision';
const REASON = 'authorization.k8s.io/reason';

/** Lines of a file from the end backwards, in chunks; stops when `visit` returns false or the budget runs out. */
async function readBackwards(file: string, budget: { bytes: number }, visit: (line: string) => boolean): Promise<boolean> {
  let fh;
  try { fh = await open(file, 'r'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
  try {
    let pos = (await fh.stat()).size;
    let carry = Buffer.alloc(0);
    while (pos > 0) {
      if (budget.bytes <= 0) return false;
      const n = Math.min(CHUNK, pos);
      pos -= n;
      const buf = Buffer.alloc(n);
      await fh.read(buf, 0, n, pos);
      budget.bytes -= n;
      let data = Buffer.concat([buf, carry]);
      let end = data.length;
      for (let i = data.length - 1; i >= 0; i--) {
        if (data[i] !== 0x0a) continue;
        if (end > i + 1 && !visit(data.subarray(i + 1, end).toString('utf8'))) return true;
        end = i;
      }
      carry = data.subarray(0, end);
      data = Buffer.alloc(0);
    }
    if (carry.length) visit(carry.toString('utf8'));
    return true;
  } finally {
    await fh.close();
  }
}

function summary(e: AuditEvent): AuditSummary {
  return {
    auditID: e.auditID, time: e.stageTimestamp, user: e.impersonatedUser?.username ?? e.user.username, verb: e.verb,
    code: e.responseStatus?.code, reason: e.annotations?.[REASON] ?? (e.responseStatus?.code === 403 ? e.responseStatus.message : undefined),
    // denials before the authorizer (management access, key scope) are forbidden too
    decision: e.annotations?.[DECISION] ?? (e.responseStatus?.code === 403 ? 'forbid' : undefined),
    resource: e.objectRef ? [e.objectRef.resource, e.objectRef.subresource].filter(Boolean).join('/') : undefined,
    namespace: e.objectRef?.namespace, name: e.objectRef?.name, uri: e.requestURI, sourceIP: e.sourceIPs?.[0], userAgent: e.userAgent,
  };
}

/** Completed requests of `q.cluster` matching the filters, newest first, from `files` (newest file first). */
export async function queryAuditLog(files: string[], q: AuditQuery, maxScanBytes = 64 * 1024 * 1024): Promise<AuditQueryResult> {
  const items: AuditSummary[] = [];
  const budget = { bytes: maxScanBytes };
  const needle = `"${CLUSTER_ANNOTATION}":${JSON.stringify(q.cluster)}`;
  const visit = (line: string): boolean => {
    if (!line.includes(needle)) return true;
    let e: AuditEvent;
    try { e = JSON.parse(line) as AuditEvent; } catch { return true; }
    if (e.stage !== 'ResponseComplete' && e.stage !== 'Panic') return true;
    if (e.annotations?.[CLUSTER_ANNOTATION] !== q.cluster) return true;
    if (q.before && e.stageTimestamp >= q.before) return true;
    const s = summary(e);
    if (q.user && !s.user.includes(q.user)) return true;
    if (q.verb && s.verb !== q.verb) return true;
    if (q.resource && !(s.resource ?? '').startsWith(q.resource)) return true;
    if (q.decision && s.decision !== q.decision) return true;
    items.push(s);
    return items.length < q.limit;
  };
  let complete = true;
  for (const f of files) {
    const finished = await readBackwards(f, budget, visit);
    if (items.length >= q.limit) break;
    if (!finished) { complete = false; break; }
  }
  return { items, scannedBytes: maxScanBytes - budget.bytes, complete };
}
