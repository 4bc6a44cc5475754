// Secrets shared by every replica, kept in the store as core/v1 Secrets in the root cluster's kube-system
// namespace (readable only through RBAC on root; by default only system:masters): the CA and the SA signing keys.
// Created with create-if-absent, so replicas starting at once agree on one CA and one key set.
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError, type KObject, type Storage, type Stored } from '../apiserver/storage/interface.ts';
import { objectKey } from '../apiserver/storage/keys.ts';
import { PKI_FILES, type PkiMaterial, type PkiMaterialSource } from '../pki/material-source.ts';
import type { PemPair } from '../pki/certs.ts';
import type { StoredSigningKeys, SigningKeyStore } from '../pki/signing-keys.ts';

const SECRETS = { group: '', resource: 'secrets', namespaced: true };
export const SHARED_SECRETS_NAMESPACE = 'kube-system';
export const CA_SECRET_NAME = 'portcullis-ca';
export const SIGNING_KEYS_SECRET_NAME = 'portcullis-sa-signing-keys';
export const CA_SECRET_KEY = objectKey('root', SECRETS, SHARED_SECRETS_NAMESPACE, CA_SECRET_NAME);
export const SIGNING_KEYS_SECRET_KEY = objectKey('root', SECRETS, SHARED_SECRETS_NAMESPACE, SIGNING_KEYS_SECRET_NAME);
const SIGNING_KEYS_FIELD = 'keys.json';

/** Thrown by save() when another replica stored different material first; the caller re-opens from the store. */
export class SharedSecretRaceLost extends Error {}

/** A Secret object (data base64-encoded) as stored directly through the Storage interface. */
export function secretObject(name: string, data: Record<string, string>): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name, namespace: SHARED_SECRETS_NAMESPACE, uid: randomUUID(),
      creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      labels: { 'app.kubernetes.io/managed-by': 'portcullis' },
    },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  };
}

/** Decoded data of a stored Secret. */
export function secretData(s: Stored): Record<string, string> {
  const data = (s.object.data ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

export function caSecret(ca: PemPair): KObject {
  return secretObject(CA_SECRET_NAME, { 'tls.crt': ca.certPem, 'tls.key': ca.keyPem });
}

export function signingKeysSecret(keys: StoredSigningKeys, name = SIGNING_KEYS_SECRET_NAME): KObject {
  return secretObject(name, { [SIGNING_KEYS_FIELD]: JSON.stringify(keys) });
}

/** Storage key of a shared Secret in root's kube-system. */
export function sharedSecretKey(name: string): string {
  return objectKey('root', SECRETS, SHARED_SECRETS_NAMESPACE, name);
}

function caFrom(s: Stored): PemPair {
  const d = secretData(s);
  if (!d['tls.crt'] || !d['tls.key']) throw new Error(`shared CA secret ${CA_SECRET_KEY} lacks tls.crt or tls.key`);
  return { certPem: d['tls.crt'], keyPem: d['tls.key'] };
}

function keysFrom(s: Stored): StoredSigningKeys {
  const data = JSON.parse(secretData(s)[SIGNING_KEYS_FIELD] ?? 'null') as StoredSigningKeys | null;
  if (typeof data?.activeKid !== 'string' || !Array.isArray(data.keys)) throw new Error(`malformed signing keys in ${s.key}`);
  return data;
}

async function readOptional(path: string): Promise<string | undefined> {
  try { return await readFile(path, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function writePrivate(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/**
 * The CA lives in the store (shared); the serving certificate stays in `dir` (server.crt/server.key) because
 * each replica may serve different host names — it is re-issued whenever it is not signed by the shared CA.
 */
export function storePkiMaterialSource(storage: Storage, dir: string): PkiMaterialSource {
  return {
    description: `store ${CA_SECRET_KEY} (CA) and directory ${dir} (serving certificate)`,
    async load(): Promise<PkiMaterial | null> {
      const stored = await storage.get(CA_SECRET_KEY);
      if (!stored) return null;
      const [certPem, keyPem] = await Promise.all([readOptional(join(dir, PKI_FILES.serverCert)), readOptional(join(dir, PKI_FILES.serverKey))]);
      return { ca: caFrom(stored), server: certPem !== undefined && keyPem !== undefined ? { certPem, keyPem } : undefined };
    },
    async save(m: PkiMaterial): Promise<void> {
      let stored = await storage.get(CA_SECRET_KEY);
      if (!stored) {
        try { stored = await storage.create(CA_SECRET_KEY, caSecret(m.ca)); } catch (e) {
          if (!(e instanceof StorageError && e.code === 'Exists')) throw e;
          stored = await storage.get(CA_SECRET_KEY);
        }
      }
      if (!stored || caFrom(stored).certPem !== m.ca.certPem) throw new SharedSecretRaceLost('another replica created the CA first');
      if (!m.server) return;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writePrivate(join(dir, PKI_FILES.serverKey), m.server.keyPem);
      await writePrivate(join(dir, PKI_FILES.serverCert), m.server.certPem);
    },
  };
}

/** Signing keys in one Secret; save() is a compare-and-swap on what this store last loaded (no lost rotations). */
export function storeSigningKeyStore(storage: Storage, name = SIGNING_KEYS_SECRET_NAME): SigningKeyStore {
  let loadedRv: number | undefined;
  const key = sharedSecretKey(name);
  return {
    description: `store ${key}`,
    async load() {
      const stored = await storage.get(key);
      loadedRv = stored?.rv;
      return stored ? keysFrom(stored) : null;
    },
    async save(keys) {
      try {
        const out = loadedRv === undefined
          ? await storage.create(key, signingKeysSecret(keys, name))
          : await storage.update(key, signingKeysSecret(keys, name), loadedRv);
        loadedRv = out.rv;
      } catch (e) {
        if (e instanceof StorageError && (e.code === 'Exists' || e.code === 'Conflict' || e.code === 'NotFound')) {
          throw new SharedSecretRaceLost(`signing keys changed on another replica (${e.code}); reload and retry`);
        }
        throw e;
      }
    },
  };
}

/** Runs open() again (it re-reads the store) when it lost a creation race to another replica. */
export async function retryOnRaceLost<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try { return await open(); } catch (e) {
      if (!(e instanceof SharedSecretRaceLost) || attempt >= 5) throw e;
    }
  }
}

/** Random bytes in `<dir>/<name>` (base64, mode 0600), created on first use: the embedded-store counterpart. */
export async function fileRandomValue(dir: string, name: string, bytes: number): Promise<Buffer> {
  const file = join(dir, name);
  const existing = await readOptional(file);
  if (existing !== undefined) {
    const buf = Buffer.from(existing.trim(), 'base64');
    if (buf.length < bytes) throw new Error(`${file} holds ${buf.length} bytes; expected ${bytes}`);
    return buf;
  }
  const { randomBytes } = await import('node:crypto');
  const value = randomBytes(bytes);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writePrivate(file, value.toString('base64'));
  return value;
}

/** Random bytes shared by every replica in a Secret (create-if-absent; the loser of a race reads the winner's). */
export async function sharedRandomValue(storage: Storage, name: string, bytes: number): Promise<Buffer> {
  const key = sharedSecretKey(name);
  const read = (st: Stored) => Buffer.from(secretData(st).value ?? '', 'base64');
  const existing = await storage.get(key);
  if (existing) return read(existing);
  const { randomBytes } = await import('node:crypto');
  try {
    return read(await storage.create(key, secretObject(name, { value: randomBytes(bytes).toString('base64') })));
  } catch (e) {
    if (!(e instanceof StorageError && e.code === 'Exists')) throw e;
    return read((await storage.get(key))!);
  }
}
