// Local passwords of platform Users: argon2id hashing on write (spec.password is write-only and never
// stored), constant-time verification for the login endpoint, and generation of bootstrap passwords.
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Admission, Store } from '../../apiserver/registry/store.ts';
import { isNotFound } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { GROUP, userType, type UserSpec } from '../resources/index.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** argon2id (the library's default algorithm) with its default cost (19 MiB, 2 passes). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** A random password for bootstrap accounts (24 URL-safe characters, 144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

// A fixed hash verified when the user does not exist, so that the time taken does not reveal it.
let dummyHash: Promise<string> | undefined;

/**
 * True when `username` is an enabled User in root with a password hash that `password` matches. The argon2
 * comparison is constant time; unknown users and users without a password cost one verification too.
 */
export async function verifyPassword(store: Store, username: string, password: string): Promise<boolean> {
  let stored: string | undefined;
  try {
    const u = await store.get(ROOT_CLUSTER, userType, '', username);
    const spec = u.spec as UserSpec | undefined;
    stored = spec?.disabled === true ? undefined : spec?.passwordHash;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  dummyHash ??= hash(generatePassword());
  const target = stored ?? await dummyHash;
  let ok = false;
  try { ok = await verify(target, password); } catch { ok = false; }
  return ok && stored !== undefined;
}

/** Removes spec.password from a kubectl last-applied-configuration annotation. */
function scrubLastApplied(obj: KObject): void {
  const text = obj.metadata.annotations?.[LAST_APPLIED];
  if (!text) return;
  try {
    const parsed = JSON.parse(text) as { spec?: Record<string, unknown> };
    if (!parsed.spec || !('password' in parsed.spec)) return;
    delete parsed.spec.password;
    obj.metadata.annotations![LAST_APPLIED] = JSON.stringify(parsed);
  } catch { /* not JSON: leave it */ }
}

/**
 * Admission for Users: hashes spec.password into spec.passwordHash (keeping the old hash when the same
 * password is sent again, so re-applying a manifest is a no-op), carries the hash over on updates that
 * omit it, and keeps the clear password out of kubectl's last-applied annotation.
 */
export const userPasswordAdmission: Admission = {
  name: 'platform-user-password',
  handles: (op, t) => op !== 'delete' && t.group === GROUP && t.resource === userType.resource,
  async admit(op, t, obj, old) {
    if (t.group !== GROUP || t.resource !== userType.resource || !obj || op === 'delete') return;
    scrubLastApplied(obj);
    const spec = (obj.spec ??= {}) as UserSpec;
    const oldHash = (old?.spec as UserSpec | undefined)?.passwordHash;
    if (spec.password !== undefined) {
      const password = spec.password;
      delete spec.password;
      let same = false;
      if (oldHash) { try { same = await verify(oldHash, password); } catch { same = false; } }
      spec.passwordHash = same ? oldHash : await hashPassword(password);
    } else if (spec.passwordHash === undefined && oldHash !== undefined) {
      spec.passwordHash = oldHash;
    }
  },
};
