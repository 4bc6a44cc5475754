// ServiceAccount token signing keys: one active ES256 signing key plus older verification-only keys (rotation),
// kept in a SigningKeyStore (a 0600 JSON file by default; a database store can implement the same interface).
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { webcrypto } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

type CryptoKey = webcrypto.CryptoKey;
export const SA_TOKEN_ALG = 'ES256';

export interface StoredSigningKey { kid: string; createdAt: string; privateJwk: JWK }
export interface StoredSigningKeys { activeKid: string; keys: StoredSigningKey[] }

export interface SigningKeyStore {
  readonly description: string;
  load(): Promise<StoredSigningKeys | null>;
  save(keys: StoredSigningKeys): Promise<void>;
}

export interface SigningKeys {
  /** kid of the key new tokens are signed with. */
  readonly activeKid: string;
  signingKey(): { kid: string; key: CryptoKey };
  /** Public key for `kid` (active or retained older key), or undefined if unknown/retired. */
  verificationKey(kid: string): CryptoKey | undefined;
  /** Public JWKS (all verification keys) for a /openid/v1/jwks style endpoint. */
  jwks(): { keys: JWK[] };
  /** Creates a new active key; older keys keep verifying existing tokens. Returns the new kid. */
  rotate(): Promise<string>;
  /** Drops a verification-only key: tokens signed with it stop verifying. The active key cannot be retired. */
  retire(kid: string): Promise<void>;
}

export const SIGNING_KEYS_FILE = 'sa-signing-keys.json';

export function createFileSigningKeyStore(dir: string): SigningKeyStore {
  const path = join(dir, SIGNING_KEYS_FILE);
  return {
    description: path,
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
      const data = JSON.parse(text) as StoredSigningKeys;
      if (typeof data?.activeKid !== 'string' || !Array.isArray(data.keys)) throw new Error(`malformed signing key file ${path}`);
      return data;
    },
    async save(keys) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, JSON.stringify(keys, null, 2), { mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, path);
    },
  };
}

interface LiveKey { kid: string; privateKey: CryptoKey; publicKey: CryptoKey; publicJwk: JWK; stored: StoredSigningKey }

async function newStoredKey(now: Date): Promise<StoredSigningKey> {
  const { privateKey } = await generateKeyPair(SA_TOKEN_ALG, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicPart(privateJwk));
  return { kid, createdAt: now.toISOString(), privateJwk };
}

function publicPart(jwk: JWK): JWK {
  const { kty, crv, x, y } = jwk;
  return { kty, crv, x, y };
}

async function liveKey(stored: StoredSigningKey): Promise<LiveKey> {
  const pub = { ...publicPart(stored.privateJwk), kid: stored.kid, alg: SA_TOKEN_ALG, use: 'sig' };
  const privateKey = await importJWK(stored.privateJwk, SA_TOKEN_ALG) as CryptoKey;
  const publicKey = await importJWK(pub, SA_TOKEN_ALG) as CryptoKey;
  return { kid: stored.kid, privateKey, publicKey, publicJwk: pub, stored };
}

/** Loads the key set from `dir` (sa-signing-keys.json), creating a first key when there is none. */
export function loadOrCreateSigningKeys(dir: string): Promise<SigningKeys> {
  return openSigningKeys(createFileSigningKeyStore(dir));
}

export async function openSigningKeys(store: SigningKeyStore, now: () => Date = () => new Date()): Promise<SigningKeys> {
  let data = await store.load();
  if (!data) {
    const first = await newStoredKey(now());
    data = { activeKid: first.kid, keys: [first] };
    await store.save(data);
  }
  let keys = new Map<string, LiveKey>();
  for (const k of data.keys) keys.set(k.kid, await liveKey(k));
  let activeKid = data.activeKid;
  if (!keys.has(activeKid)) throw new Error(`active signing key ${activeKid} missing from ${store.description}`);

  const persist = (next: Map<string, LiveKey>, nextActive: string) =>
    store.save({ activeKid: nextActive, keys: [...next.values()].map((k) => k.stored) });

  return {
    get activeKid() { return activeKid; },
    signingKey() { return { kid: activeKid, key: keys.get(activeKid)!.privateKey }; },
    verificationKey(kid) { return keys.get(kid)?.publicKey; },
    jwks() { return { keys: [...keys.values()].map((k) => ({ ...k.publicJwk })) }; },
    async rotate() {
      const fresh = await liveKey(await newStoredKey(now()));
      const next = new Map(keys).set(fresh.kid, fresh);
      await persist(next, fresh.kid);
      keys = next;
      activeKid = fresh.kid;
      return fresh.kid;
    },
    async retire(kid) {
      if (kid === activeKid) throw new Error('cannot retire the active signing key; rotate first');
      if (!keys.has(kid)) return;
      const next = new Map(keys);
      next.delete(kid);
      await persist(next, activeKid);
      keys = next;
    },
  };
}
