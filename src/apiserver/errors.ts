// The one error type of the API server: StatusError holds a Kubernetes metav1.Status.
// Constructors mirror k8s.io/apimachinery/pkg/api/errors; writeStatus is the only place a Status reaches the wire.
import type { ServerResponse } from 'node:http';

export interface StatusCause { reason?: string; message: string; field?: string }
export interface StatusDetails {
  name?: string; group?: string; kind?: string; uid?: string;
  causes?: StatusCause[]; retryAfterSeconds?: number;
}
export interface Status {
  kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, unknown>;
  status: 'Success' | 'Failure'; message?: string; reason?: string;
  details?: StatusDetails; code: number;
}

export interface GroupResource { group: string; resource: string }

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export class StatusError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details) this.status.details = details;
  }
  get code(): number { return this.status.code; }
  get reason(): string { return this.status.reason ?? ''; }
}

export const isStatusError = (e: unknown): e is StatusError => e instanceof StatusError;

const hasCode = (e: unknown, code: number): e is StatusError => e instanceof StatusError && e.code === code;
/** A 404 StatusError (an object or cluster that does not exist). */
export const isNotFound = (e: unknown): e is StatusError => hasCode(e, 404);
/** A 409 AlreadyExists StatusError. */
export const isAlreadyExists = (e: unknown): e is StatusError => hasCode(e, 409) && e.reason === 'AlreadyExists';
/** A 409 Conflict StatusError (a stale resourceVersion, an apply conflict). */
export const isConflict = (e: unknown): e is StatusError => hasCode(e, 409) && e.reason === 'Conflict';
/** Rethrows anything but a 404: `store.delete(...).catch(ignoreNotFound)`. */
export function ignoreNotFound(e: unknown): void {
  if (!isNotFound(e)) throw e;
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualified(gr)} "${name}" not found`,
    { name, group: gr.group, kind: gr.resource });
}
/** A 404 whose message names no resource type (a logical cluster, a user, an object gone during an update). */
export function notFoundMessage(message: string, details?: StatusDetails): StatusError {
  return new StatusError(404, 'NotFound', message, details);
}
export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`,
    { name, group: gr.group, kind: gr.resource });
}
export function conflict(gr: GroupResource, name: string, why: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
    { name, group: gr.group, kind: gr.resource });
}
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): StatusError {
  const texts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  // As utilerrors.NewAggregate: one error as it is, several in brackets.
  const list = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const what = group ? `${kind}.${group}` : kind;
  return new StatusError(422, 'Invalid', `${what} "${name}" is invalid: ${list}`,
    { name, group, kind, causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', ...c })) });
}
export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}
export function forbidden(gr: GroupResource | null, name: string, why: string): StatusError {
  const subject = gr ? (name ? `${qualified(gr)} "${name}"` : qualified(gr)) : 'forbidden';
  const message = gr ? `${subject} is forbidden: ${why}` : `forbidden: ${why}`;
  return new StatusError(403, 'Forbidden', message, gr ? { name: name || undefined, group: gr.group, kind: gr.resource } : undefined);
}
/** A 403 whose message is already worded (authorization's, see auth/forbidden.ts; a gate's). */
export function forbiddenStatus(message: string, details?: StatusDetails): StatusError {
  return new StatusError(403, 'Forbidden', message, details);
}
export function unauthorized(message = 'Unauthorized'): StatusError {
  return new StatusError(401, 'Unauthorized', message);
}
export function methodNotSupported(gr: GroupResource, verb: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(gr)}"`,
    { group: gr.group, kind: gr.resource });
}
export function notAcceptable(message: string): StatusError {
  return new StatusError(406, 'NotAcceptable', message);
}
export function unsupportedMediaType(contentType: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got "${contentType}")`);
}
/** A 415 naming the media types accepted where they differ from the default list (patch, protobuf). */
export function unsupportedMediaTypeMessage(message: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', message);
}
export function entityTooLarge(limit: number): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit} bytes`);
}
export function expired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}
export function gone(message: string): StatusError {
  return new StatusError(410, 'Gone', message);
}
export function notImplemented(message: string): StatusError {
  return new StatusError(501, 'NotImplemented', message);
}
export function unavailable(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message, { retryAfterSeconds: 1 });
}
/** 429: the caller must wait `retryAfterSeconds` (sent as Retry-After) before trying again. */
export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  const retry = Math.max(1, Math.ceil(retryAfterSeconds));
  return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds: retry });
}
export function internal(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
}
/** A refusal by admission (a policy or webhook), with the code and reason it chose. */
export function admissionDenied(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  return new StatusError(code >= 400 ? code : 400, reason, message, details);
}
export function routeNotFound(path: string): StatusError {
  return new StatusError(404, 'NotFound', `the server could not find the requested resource (path "${path}")`, {});
}

/** Turns any thrown value into a StatusError; unknown errors become a logged 500. */
export function toStatusError(err: unknown, log: (msg: string) => void = console.error): StatusError {
  if (err instanceof StatusError) return err;
  // decodeURIComponent on a client's path or query: the client's malformed escape, not a server fault.
  if (err instanceof URIError) return badRequest(`invalid URL escape: ${err.message}`);
  log(`internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  return internal(err instanceof Error ? err.message : String(err));
}

/** The one writer of Status responses. */
export function writeStatus(res: ServerResponse, err: StatusError): void {
  if (res.headersSent) { res.destroy(); return; }
  const body = JSON.stringify(err.status);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
  };
  if (err.status.details?.retryAfterSeconds) headers['Retry-After'] = err.status.details.retryAfterSeconds;
  res.writeHead(err.code, headers);
  res.end(body);
}

export function successStatus(details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) s.details = details;
  return s;
}
