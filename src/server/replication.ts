// What changes when several replicas share one PostgreSQL store: the CA and SA signing keys come from the store
// (files stay the source for the embedded SQLite store), and controllers run only in the elected leader.
import type { ServerConfig } from './config.ts';
import type { Storage } from '../apiserver/storage/interface.ts';
import type { SharedSecrets } from '../apiserver/extension.ts';
import { loadOrCreatePki, openPki, type Pki, type PkiOptions } from '../pki/ca.ts';
import { createFileSigningKeyStore, loadOrCreateSigningKeys, openSigningKeys, type SigningKeys } from '../pki/signing-keys.ts';
import { createFilePkiMaterialSource } from '../pki/material-source.ts';
import { join } from 'node:path';
import { alwaysLeader, startElectedLeadership, type Leadership } from '../apiserver/controllers/leadership.ts';
import { fileRandomValue, retryOnRaceLost, sharedRandomValue, storePkiMaterialSource } from './shared-secrets.ts';
import { openSharedSigningKeys } from './shared-signing-keys.ts';

/** True when the configured store can be shared by several replicas (PostgreSQL). */
export function isSharedStore(cfg: ServerConfig): boolean {
  return /^postgres(ql)?:\/\//.test(cfg.store ?? '');
}

export interface ServerSecrets { pki: Pki; keys: SigningKeys; shared: SharedSecrets; stop(): void }

/** The CA (+ this replica's serving certificate in pkiDir) and the SA signing keys. */
export async function openServerSecrets(cfg: ServerConfig, storage: Storage, pkiDir: string, pkiOpts: PkiOptions,
  log: (m: string) => void): Promise<ServerSecrets> {
  if (!isSharedStore(cfg)) {
    return {
      pki: await loadOrCreatePki(pkiDir, pkiOpts), keys: await loadOrCreateSigningKeys(pkiDir), stop: () => undefined,
      shared: {
        pkiMaterial: createFilePkiMaterialSource(pkiDir),
        signingKeys: (name) => openSigningKeys(createFileSigningKeyStore(join(pkiDir, name))),
        randomValue: (name, bytes) => fileRandomValue(pkiDir, name, bytes),
      },
    };
  }
  const material = storePkiMaterialSource(storage, pkiDir);
  const pki = await retryOnRaceLost(() => openPki(material, pkiOpts));
  const keys = await openSharedSigningKeys(storage, log);
  const followers: Array<{ stop(): void }> = [keys];
  return {
    pki, keys,
    shared: {
      pkiMaterial: material,
      signingKeys: async (name) => { const k = await openSharedSigningKeys(storage, log, `portcullis-${name}`); followers.push(k); return k; },
      randomValue: (name, bytes) => sharedRandomValue(storage, `portcullis-${name}`, bytes),
    },
    stop: () => { for (const f of followers) f.stop(); },
  };
}

export interface ControllerLeadership { leadership: Leadership; stop(): Promise<void> }

/** Always leading on an embedded store; otherwise campaigns for the controllers' Lease through the store. */
export function startControllerLeadership(cfg: ServerConfig, storage: Storage, log: (m: string) => void): ControllerLeadership {
  if (!isSharedStore(cfg)) return { leadership: alwaysLeader, stop: async () => undefined };
  const elected = startElectedLeadership(storage, log);
  return { leadership: elected.leadership, stop: () => elected.stop() };
}
