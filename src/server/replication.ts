// What changes when several replicas share one PostgreSQL store: the CA and SA signing keys come from the store
// (files stay the source for the embedded SQLite store), and controllers run only in the elected leader.
import type { ServerConfig } from './config.ts';
import type { Storage } from '../apiserver/storage/interface.ts';
import { loadOrCreatePki, openPki, type Pki, type PkiOptions } from '../pki/ca.ts';
import { loadOrCreateSigningKeys, type SigningKeys } from '../auth/authn/signing-keys.ts';
import { alwaysLeader, startElectedLeadership, type Leadership } from '../apiserver/controllers/leadership.ts';
import { retryOnRaceLost, storePkiMaterialSource } from './shared-secrets.ts';
import { openSharedSigningKeys } from './shared-signing-keys.ts';

/** True when the configured store can be shared by several replicas (PostgreSQL). */
export function isSharedStore(cfg: ServerConfig): boolean {
  return /^postgres(ql)?:\/\//.test(cfg.store ?? '');
}

export interface ServerSecrets { pki: Pki; keys: SigningKeys; stop(): void }

/** The CA (+ this replica's serving certificate in pkiDir) and the SA signing keys. */
export async function openServerSecrets(cfg: ServerConfig, storage: Storage, pkiDir: string, pkiOpts: PkiOptions,
  log: (m: string) => void): Promise<ServerSecrets> {
  if (!isSharedStore(cfg)) {
    return { pki: await loadOrCreatePki(pkiDir, pkiOpts), keys: await loadOrCreateSigningKeys(pkiDir), stop: () => undefined };
  }
  const pki = await retryOnRaceLost(() => openPki(storePkiMaterialSource(storage, pkiDir), pkiOpts));
  const keys = await openSharedSigningKeys(storage, log);
  return { pki, keys, stop: () => keys.stop() };
}

export interface ControllerLeadership { leadership: Leadership; stop(): Promise<void> }

/** Always leading on an embedded store; otherwise campaigns for the controllers' Lease through the store. */
export function startControllerLeadership(cfg: ServerConfig, storage: Storage, log: (m: string) => void): ControllerLeadership {
  if (!isSharedStore(cfg)) return { leadership: alwaysLeader, stop: async () => undefined };
  const elected = startElectedLeadership(storage, log);
  return { leadership: elected.leadership, stop: () => elected.stop() };
}
