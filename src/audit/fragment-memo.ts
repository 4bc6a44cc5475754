// Per-connection memo of audit event fragments. Requests on one keep-alive connection mostly repeat the same
// user, URI, verb, source and annotations; their JSON is produced once and reused while its inputs stay equal.
// Inputs are compared with === (strings by value, objects by identity), so a changed input always re-encodes.

interface Slot { parts: readonly unknown[]; value: string }

export class FragmentMemo {
  private readonly slots = new Map<string, Slot>();

  /** The fragment for `parts`: the remembered one when every part equals the last call's, else make(). */
  get(slot: string, parts: readonly unknown[], make: () => string): string {
    const s = this.slots.get(slot);
    if (s && sameParts(s.parts, parts)) return s.value;
    const value = make();
    this.slots.set(slot, { parts, value });
    return value;
  }
}

function sameParts(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const memos = new WeakMap<object, FragmentMemo>();

/** The memo of a connection (a fresh one, remembered nowhere, without a socket). */
export function memoFor(socket: object | null | undefined): FragmentMemo {
  if (!socket) return new FragmentMemo();
  let m = memos.get(socket);
  if (!m) { m = new FragmentMemo(); memos.set(socket, m); }
  return m;
}

/** Keys and values of an annotation map, flattened, as the memo's parts. */
export function annotationParts(a: Record<string, string>): string[] {
  const parts: string[] = [];
  for (const k in a) parts.push(k, a[k]);
  return parts;
}
