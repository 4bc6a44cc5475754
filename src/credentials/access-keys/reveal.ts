// Shows a new access key's secret exactly once: admission hands the clear secret over (by object uid) and the
// create response for that request gets it as status.key; nothing else ever sees it (audit redacts status.key).
import type { RequestContext } from '../../apiserver/context.ts';

export class SecretReveal {
  private readonly pending = new Map<string, { secret: string; until: number }>();

  remember(uid: string, secret: string): void {
    const now = Date.now();
    for (const [k, v] of this.pending) if (v.until < now) this.pending.delete(k);
    this.pending.set(uid, { secret, until: now + 60_000 });
  }

  take(uid: string): string | undefined {
    const v = this.pending.get(uid);
    this.pending.delete(uid);
    return v?.secret;
  }

  /**
   * Defers the response head of this request so that a 201 JSON body carrying the uid of a key created in this
   * request gets `status.key` added (with a corrected Content-Length).
   */
  arm(ctx: RequestContext): void {
    const res = ctx.res;
    const writeHead = res.writeHead;
    const end = res.end;
    let head: unknown[] | undefined;
    const restore = () => { res.writeHead = writeHead; res.end = end; };
    res.writeHead = function (this: typeof res, ...args: unknown[]) { head = args; return this; } as typeof res.writeHead;
    res.end = function (this: typeof res, ...args: unknown[]) {
      restore();
      let [chunk] = args;
      if (head && head[0] === 201 && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
        const patched = reveal(String(chunk), (uid) => this_take(uid));
        if (patched !== undefined) {
          chunk = patched;
          const headers = { ...((head[1] ?? {}) as Record<string, unknown>) };
          for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-length') headers[k] = Buffer.byteLength(patched);
          head = [head[0], headers];
        }
      }
      if (head) (writeHead as (...a: unknown[]) => unknown).apply(res, head);
      return (end as (...a: unknown[]) => typeof res).apply(res, [chunk, ...args.slice(1)]);
    } as typeof res.end;
    const this_take = (uid: string) => this.take(uid);
  }
}

function reveal(text: string, take: (uid: string) => string | undefined): string | undefined {
  let obj: { kind?: string; metadata?: { uid?: string }; status?: Record<string, unknown> };
  try { obj = JSON.parse(text) as typeof obj; } catch { return undefined; }
  const uid = obj.metadata?.uid;
  if (obj.kind !== 'AccessKey' || !uid) return undefined;
  const secret = take(uid);
  if (!secret) return undefined;
  obj.status = { ...(obj.status ?? {}), key: secret };
  return JSON.stringify(obj);
}
