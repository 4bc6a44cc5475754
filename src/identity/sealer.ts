// Sealing secrets at rest and in transit through the browser: AES-256-GCM under a key derived (HKDF) per purpose
// from one store key (m.secrets), so a sealed refresh token cannot be replayed as a cookie and vice versa.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Name of the store key: a 0600 file in <data-dir>/pki on SQLite, a shared Secret on PostgreSQL. */
export const STORE_KEY_NAME = 'identity-store-key';

export type SealPurpose = 'refresh-token' | 'browser-session' | 'pending-login' | 'device-handle' | 'cli-code';

export interface Sealer {
  /** base64url(iv | ciphertext | tag) of `value` (JSON) that expires at `expiresAtMs` (0: never). */
  seal(purpose: SealPurpose, value: unknown, expiresAtMs?: number): string;
  /** The value, or undefined when the blob is not ours, tampered with, of another purpose or expired. */
  open<T>(purpose: SealPurpose, blob: string, nowMs: number): T | undefined;
}

const MAX_BLOB = 16 * 1024;

export function createSealer(storeKey: Buffer): Sealer {
  if (storeKey.length < 32) throw new Error('the identity store key must hold at least 32 bytes');
  const keys = new Map<SealPurpose, Buffer>();
  const keyFor = (p: SealPurpose): Buffer => {
    let k = keys.get(p);
    if (!k) { k = Buffer.from(hkdfSync('sha256', storeKey, Buffer.alloc(0), `portcullis-identity:${p}`, 32)); keys.set(p, k); }
    return k;
  };
  return {
    seal(purpose, value, expiresAtMs = 0) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyFor(purpose), iv);
      cipher.setAAD(Buffer.from(purpose));
      const plain = Buffer.from(JSON.stringify({ v: value, e: expiresAtMs }));
      const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, ct, cipher.getAuthTag()]).toString('base64url');
    },
    open<T>(purpose: SealPurpose, blob: string, nowMs: number): T | undefined {
      if (typeof blob !== 'string' || blob.length > MAX_BLOB || !/^[A-Za-z0-9_-]+$/.test(blob)) return undefined;
      const raw = Buffer.from(blob, 'base64url');
      if (raw.length < 12 + 16 + 2) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', keyFor(purpose), raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(purpose));
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
        const { v, e } = JSON.parse(plain.toString('utf8')) as { v: T; e: number };
        if (e && nowMs >= e) return undefined;
        return v;
      } catch {
        return undefined;
      }
    },
  };
}
