// Validating and mutating admission webhooks (admissionregistration.k8s.io/v1): AdmissionReview v1 requests to
// the webhooks a write matches (rules, selectors, matchConditions), failurePolicy Fail/Ignore, dry-run only to
// webhooks without side effects, denials and JSONPatch mutations in Kubernetes' wording.
import type { KObject } from '../apiserver/storage/interface.ts';
import { admissionDenied, badRequest, internal } from '../apiserver/errors.ts';
import { applyJsonPatch } from '../apiserver/patch/json-patch.ts';
import { compileCel, CelEvalError, type CelProgram } from '../apiserver/cel/program.ts';
import { CostMeter, PER_CALL_LIMIT } from '../apiserver/cel/cost.ts';
import { toCel } from '../apiserver/crd/cel-values.ts';
import type { LabelSelector } from '../auth/authz/rbac/index.ts';
import { namespaceSelected, objectSelected, ruleMatches, type NamedRule } from './matching.ts';
import type { PolicyContext } from './policies.ts';
import { callWebhook, WebhookCallError, type SelfAddress } from './webhook-client.ts';

export const WEBHOOK_VARS = ['object', 'oldObject', 'request'];

export interface Webhook {
  name: string;
  url?: string;
  caBundle?: string;
  rules: NamedRule[];
  failurePolicy: 'Fail' | 'Ignore';
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  sideEffects: string;
  timeoutSeconds: number;
  matchConditions: Array<{ name: string; prog: CelProgram }>;
}

interface WebhookSpec {
  name?: string; clientConfig?: { url?: string; caBundle?: string }; rules?: NamedRule[]; failurePolicy?: string;
  namespaceSelector?: LabelSelector; objectSelector?: LabelSelector; sideEffects?: string; timeoutSeconds?: number;
  matchConditions?: Array<{ name?: string; expression?: string }>;
}

/** The webhooks of a configuration object, compiled (throws CelCompileError for a bad matchCondition). */
export function compileWebhooks(obj: KObject): Webhook[] {
  return ((obj as { webhooks?: WebhookSpec[] }).webhooks ?? []).map((w) => ({
    name: w.name ?? '',
    url: w.clientConfig?.url,
    caBundle: w.clientConfig?.caBundle,
    rules: w.rules ?? [],
    failurePolicy: w.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    namespaceSelector: w.namespaceSelector,
    objectSelector: w.objectSelector,
    sideEffects: w.sideEffects ?? 'Unknown',
    timeoutSeconds: Math.min(Math.max(w.timeoutSeconds ?? 10, 1), 30),
    matchConditions: (w.matchConditions ?? []).map((m) => ({ name: m.name ?? '', prog: compileCel(m.expression ?? '', WEBHOOK_VARS) })),
  }));
}

/** Whether the write goes to this webhook; throws (per failurePolicy) when a matchCondition fails to evaluate. */
async function selects(w: Webhook, c: PolicyContext): Promise<boolean> {
  if (!w.rules.some((r) => ruleMatches(r, c.attrs))) return false;
  if (!objectSelected(w.objectSelector, c.attrs)) return false;
  if (!(await namespaceSelected(w.namespaceSelector, c.attrs, c.nsLabels))) return false;
  if (!w.matchConditions.length) return true;
  const vars = { object: toCel(c.attrs.obj ?? null, undefined), oldObject: toCel(c.attrs.old ?? null, undefined), request: toCel(c.request(), undefined) };
  for (const m of w.matchConditions) {
    const r = m.prog.eval(vars, new CostMeter(PER_CALL_LIMIT));
    if (r instanceof CelEvalError) {
      if (w.failurePolicy === 'Ignore') return false;
      throw internal(`failed calling webhook "${w.name}": matchCondition '${m.name}' resulted in error: ${r.message}`);
    }
    if (r !== true) return false;
  }
  return true;
}

interface ReviewResponse {
  uid?: string; allowed?: boolean; status?: { code?: number; message?: string; reason?: string };
  patch?: string; patchType?: string; warnings?: string[];
}

/** Sends the review; undefined when the call failed and the webhook's failurePolicy is Ignore. */
async function review(w: Webhook, c: PolicyContext, self: SelfAddress | undefined): Promise<ReviewResponse | undefined> {
  if (c.op.dryRun && w.sideEffects !== 'None' && w.sideEffects !== 'NoneOnDryRun') {
    throw badRequest(`admission webhook "${w.name}" does not support dry run`);
  }
  const request = c.request();
  try {
    if (!w.url) throw new WebhookCallError('webhook has no url (Portcullis calls webhooks by url only)');
    const res = await callWebhook({ url: w.url, caBundle: w.caBundle, timeoutSeconds: w.timeoutSeconds },
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request }, self) as { apiVersion?: string; kind?: string; response?: ReviewResponse };
    if (res?.kind !== 'AdmissionReview' || res.apiVersion !== 'admission.k8s.io/v1') {
      throw new WebhookCallError(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${res?.apiVersion ?? ''}, Kind=${res?.kind ?? ''}`);
    }
    const r = res.response;
    if (!r) throw new WebhookCallError('webhook response was absent');
    if (r.uid !== request.uid) throw new WebhookCallError(`expected response.uid="${request.uid}", got "${r.uid ?? ''}"`);
    return r;
  } catch (e) {
    if (!(e instanceof WebhookCallError)) throw e;
    if (w.failurePolicy === 'Ignore') return undefined;
    throw internal(`failed calling webhook "${w.name}": ${e.message}`);
  }
}

function deny(w: Webhook, r: ReviewResponse): never {
  const s = r.status ?? {};
  const by = `admission webhook "${w.name}" denied the request`;
  const message = s.message ? `${by}: ${s.message}` : s.reason ? `${by}: ${s.reason}` : `${by} without explanation`;
  throw admissionDenied(s.code && s.code >= 400 ? s.code : 400, s.reason ?? '', message);
}

/** Validating webhooks run in parallel; the first denial (in configuration order) is returned. */
export async function runValidating(hooks: Webhook[], c: PolicyContext, self: SelfAddress | undefined): Promise<void> {
  const selected: Webhook[] = [];
  for (const w of hooks) if (await selects(w, c)) selected.push(w);
  const results = await Promise.allSettled(selected.map((w) => review(w, c, self)));
  results.forEach((r, i) => { if (r.status === 'rejected') throw r.reason; if (r.value?.allowed === false) deny(selected[i], r.value); });
  for (const r of results) if (r.status === 'fulfilled') c.op.warnings?.push(...(r.value?.warnings ?? []));
}

/** Mutating webhooks run one after another, each seeing the previous one's patch; `obj` is changed in place. */
export async function runMutating(hooks: Webhook[], obj: KObject, c: PolicyContext, self: SelfAddress | undefined): Promise<void> {
  for (const w of hooks) {
    if (!(await selects(w, c))) continue;
    const r = await review(w, c, self);
    if (!r) continue;
    if (r.allowed === false) deny(w, r);
    c.op.warnings?.push(...(r.warnings ?? []));
    if (!r.patch) continue;
    if (r.patchType !== 'JSONPatch') throw internal(`failed calling webhook "${w.name}": unsupported patch type "${r.patchType ?? ''}"`);
    let ops: unknown;
    try { ops = JSON.parse(Buffer.from(r.patch, 'base64').toString('utf8')); } catch {
      throw internal(`failed calling webhook "${w.name}": the patch is not valid base64-encoded JSON`);
    }
    const keep = { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, creationTimestamp: obj.metadata.creationTimestamp };
    const patched = applyJsonPatch(obj, ops as unknown[]);
    for (const k of Object.keys(obj)) delete (obj as Record<string, unknown>)[k];
    Object.assign(obj, patched);
    obj.metadata = { ...(obj.metadata ?? {}), ...Object.fromEntries(Object.entries(keep).filter(([, v]) => v !== undefined)) };
  }
}
